"""Writes cases.jsonl: the code_output fidelity suite (run from the repo root with the venv python).

Generated tasks compare stdout text exactly; hand-made CRUXEval-style tasks compare Python
literals type-exactly (True is not 1, 2.0 is not 2).
"""
import json
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
FENCE = "```"


def literal_task(tid: str, code: str, call: str, output: str) -> dict:
    text = f"What does `{call}` return for this Python function? Give the value as a Python " \
           f"literal in a {FENCE} block.\n{FENCE}python\n{code}\n{FENCE}"
    return {"id": f"fid-{tid}", "env": "code_output", "prompt": [{"role": "user", "content": text}],
            "data": {"program": code, "output": output, "compare": "literal"}}


def main() -> None:
    env = make_env("code_output")
    cases: list[dict] = []

    def add(cid, expect, reason, tags, response=None, gen=None, task=None, **extra):
        where = {"gen": gen} if gen else {"task": task}
        body = {"response": response} if "response_gen" not in extra else {}
        cases.append({"id": cid, **where, **body, "expect": expect, "reason": reason,
                      "tags": tags, **extra})

    for seed, diff in [(0, 1), (1, 2), (2, 3), (3, 3), (4, 2)]:
        t = env.generate(1, seed=seed, difficulty=diff)[0]
        out, prog = t.data["output"], t.data["program"]
        g = {"seed": seed, "difficulty": diff, "index": 0}
        s = f"s{seed}d{diff}"
        lines = out.split("\n")
        add(f"gold-{s}", "correct", "the program's exact stdout in a block", ["gold"], t.gold_text, g)
        add(f"text-tag-{s}", "correct", "a ```text block", ["equivalent"], f"{FENCE}text\n{out}\n{FENCE}", g)
        add(f"explained-{s}", "correct", "explanation, the program restated as python, then the output",
            ["equivalent"], f"Tracing it:\n{FENCE}python\n{prog}{FENCE}\nprints:\n{FENCE}\n{out}\n{FENCE}", g)
        add(f"think-{s}", "correct", "reasoning is not scored", ["equivalent"],
            f"<think>maybe it prints 42</think>\n{FENCE}\n{out}\n{FENCE}", g)
        add(f"trailing-spaces-crlf-{s}", "correct", "trailing spaces and CRLF line ends are normalised",
            ["equivalent"], f"{FENCE}\r\n" + "\r\n".join(ln + "  " for ln in lines) + f"\r\n{FENCE}", g)
        wrong = lines[:-1] + [lines[-1] + "1"]
        add(f"off-by-one-{s}", "wrong", "the last line differs", ["wrong"],
            f"{FENCE}\n" + "\n".join(wrong) + f"\n{FENCE}", g)
        add(f"extra-line-{s}", "wrong", "an extra line of output", ["wrong"],
            f"{FENCE}\n{out}\nNone\n{FENCE}", g)
        add(f"draft-then-actually-{s}", "wrong", "a wrong draft block, then the right one: two answers",
            ["hedge"], f"{FENCE}\n" + "\n".join(wrong) + f"\n{FENCE}\nActually:\n{FENCE}\n{out}\n{FENCE}", g)
        add(f"block-vs-boxed-{s}", "wrong", "a block and a box that disagree", ["hedge"],
            f"{FENCE}\n{out}\n{FENCE}\n\\boxed{{{wrong[-1]}}}", g)
        add(f"echo-program-{s}", "wrong", "the program echoed in an untagged block is not its output",
            ["echo"], f"{FENCE}\n{prog}{FENCE}", g)
        add(f"echo-prompt-{s}", "wrong", "the whole prompt echoed", ["echo"], t.prompt[0]["content"], g)
        add(f"output-repeated-{s}", "wrong", "the right output printed twice is a different output",
            ["hack"], f"{FENCE}\n{out}\n{out}\n{FENCE}", g)
    # single-line generated outputs: the boxed and Output: channels
    t = env.generate(1, seed=0, difficulty=1)[0]
    out = t.data["output"]
    g = {"seed": 0, "difficulty": 1, "index": 0}
    add("boxed-one-line", "correct", "a one-line output in a box", ["equivalent"], f"\\boxed{{{out}}}", g)
    add("output-label-leading-spaces", "correct", "'Output:' then the line, which starts with spaces",
        ["equivalent"], f"Output: {out}", g,
        known_limit="'Output:' strips the spaces after the colon, so leading spaces need a fenced block")
    one = env.generate(12, seed=9, difficulty=1)
    k = next(i for i, x in enumerate(one) if "\n" not in x.data["output"]
             and not x.data["output"].startswith(" ") and any(c.isalpha() for c in x.data["output"]))
    o1 = one[k].data["output"]
    g1 = {"seed": 9, "difficulty": 1, "index": k}
    add("output-label", "correct", "'Output: X' on its own line", ["equivalent"], f"Output: {o1}", g1)
    add("output-label-bold", "correct", "'**Output:** X' (issue 9 false negative)", ["equivalent"],
        f"**Output:** {o1}", g1)
    add("output-label-bold-outside", "correct", "'**Output**: X'", ["equivalent"], f"**Output**: {o1}", g1)
    add("output-label-then-chat", "wrong", "text after the Output: line is part of the answer",
        ["wrong"], f"Output: {o1}\nHope this helps, or maybe {o1}0.", g1)
    add("case-changed", "wrong", "case differs", ["wrong"], f"{FENCE}\n{o1.swapcase()}\n{FENCE}", g1)
    add("inner-space", "wrong", "an inner space added", ["wrong"], f"{FENCE}\n{o1[:1]} {o1[1:]}\n{FENCE}", g1)
    add("infinity", "wrong", "inf is not the output", ["hack"], "Output: inf", g1)
    add("nan", "wrong", "NaN is not the output", ["hack"], "\\boxed{NaN}", g1)
    add("empty", "wrong", "empty reply", ["degenerate"], "", g1)
    add("empty-block", "wrong", "an empty block", ["degenerate"], f"{FENCE}\n\n{FENCE}", g1)
    add("unclosed-think", "wrong", "no answer after an unterminated <think>", ["pathological"],
        f"<think>{FENCE}\n{o1}\n{FENCE}", g1)
    add("binary", "wrong", "binary junk", ["pathological"], "".join(chr(i) for i in range(256)) * 8, g1)
    add("megabyte-output", "wrong", "1 MB of the answer repeated", ["pathological"], None, g1,
        response_gen={"prefix": f"{FENCE}\n", "repeat": o1 + "\n", "times": 1_000_000 // (len(o1) + 1),
                      "suffix": FENCE})
    add("deep-brackets-block", "wrong", "10,000 nested brackets", ["pathological"], None, g1,
        response_gen={"prefix": f"{FENCE}\n", "repeat": "[", "times": 10_000, "suffix": "]" * 10_000 + "\n" + FENCE})
    add("deep-braces-box", "wrong", "10,000 nested braces in a box", ["pathological"], None, g1,
        response_gen={"prefix": "\\boxed{", "repeat": "{", "times": 10_000, "suffix": "}" * 10_001})
    add("backtick-line-20k", "wrong", "one line of 19,999 backticks (superlinear for fence regexes)",
        ["pathological"], None, g1, response_gen={"repeat": "`", "times": 19_999})
    add("backtick-line-100k", "wrong", "one line of 100,000 backticks", ["pathological"], None, g1,
        response_gen={"repeat": "`", "times": 100_000})
    add("many-fences", "wrong", "thousands of unclosed fences", ["pathological"], None, g1,
        response_gen={"repeat": f"{FENCE}\n", "times": 20_001})

    # CRUXEval-style literal tasks
    lit = [
        ("bool", "def f(x):\n    return x > 1", "f(2)", "True",
         [("1", "1 is not True (issue 9)"), ("true", "JSON's true is not Python's True"),
          ("'True'", "a string is not a bool")], ["True"]),
        ("int", "def f(x):\n    return x // 2", "f(5)", "2",
         [("2.0", "2.0 is not 2 (issue 9)"), ("True", "True is not 2"), ("'2'", "a string")],
         ["2", "(2)", "+2"]),
        ("float", "def f(x):\n    return x / 2", "f(4)", "2.0",
         [("2", "2 is not 2.0"), ("2.00001", "close is not equal")], ["2.0", "2.", "2.000"]),
        ("str", "def f(s):\n    return s.upper()", "f('ab')", "'AB'",
         [("AB", "an unquoted text is not the string literal"), ("'ab'", "wrong case")],
         ['"AB"', "'AB'"]),
        ("list", "def f(n):\n    return [i * i for i in range(n)]", "f(3)", "[0, 1, 4]",
         [("(0, 1, 4)", "a tuple is not a list"), ("[0, 1, 4.0]", "4.0 is not 4"),
          ("[0, True, 4]", "True is not 1"), ("[0, 1, 4, 9]", "an extra item")],
         ["[0,1,4]", "[0, 1, 4,]", "[\n  0,\n  1,\n  4\n]"]),
        ("dict", "def f(s):\n    return {c: s.count(c) for c in sorted(set(s))}", "f('aab')",
         "{'a': 2, 'b': 1}", [("{'a': 2, 'b': True}", "True is not 1"), ("{'a': 2}", "a key missing"),
                              ("{'a': 2, 'b': 1, 'a': 3}", "a repeated key"),
                              ("{'a': 0, 'a': 1, 'a': 2, 'b': 1}", "a repeated key: last one wins "
                               "would pay a hedge over values of 'a'")],
         ["{'b': 1, 'a': 2}", '{"a": 2, "b": 1}']),
        ("set", "def f(xs):\n    return set(xs)", "f([1, 2, 2])", "{1, 2}",
         [("{True, 2}", "True is not 1 inside a set"), ("[1, 2]", "a list is not a set")],
         ["{2, 1}"]),
        ("neg-zero", "def f(x):\n    return -x", "f(0.0)", "-0.0", [("0.0", "0.0 prints differently from -0.0")],
         ["-0.0"]),
        ("none", "def f(x):\n    x.append(1)", "f([])", "None", [("'None'", "a string"), ("0", "0 is not None"),
                                                                   ("[]", "an empty list")], ["None"]),
    ]
    for name, code, call, output, wrongs, rights in lit:
        task = literal_task(name, code, call, output)
        for i, (resp, why) in enumerate(wrongs):
            add(f"lit-{name}-wrong-{i}", "wrong", why, ["hack" if "issue" in why else "wrong"],
                f"{FENCE}\n{resp}\n{FENCE}", task=task)
        for i, resp in enumerate(rights):
            add(f"lit-{name}-ok-{i}", "correct", f"{resp!r} is the same literal as {output}",
                ["equivalent"], f"{FENCE}python\n{code}\n{FENCE}\nIt returns:\n{FENCE}\n{resp}\n{FENCE}",
                task=task)
    task = literal_task("int-big", "def f(x):\n    return x", "f(1)", "1", )
    add("lit-huge-int", "wrong", "a 5000-digit number must be wrong, not an error", ["pathological"],
        f"{FENCE}\n{'9' * 5000}\n{FENCE}", task=task)
    add("lit-deep-list", "wrong", "a 5000-deep list must be wrong, not a RecursionError", ["pathological"],
        f"{FENCE}\n{'[' * 5000}1{']' * 5000}\n{FENCE}", task=task)
    add("lit-power", "wrong", "an expression is not a literal", ["hack"], f"{FENCE}\n2**0\n{FENCE}", task=task)
    OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {OUT}")


main()
