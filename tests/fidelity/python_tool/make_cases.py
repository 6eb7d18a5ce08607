"""Writes cases.jsonl: the python_tool fidelity suite (run from the repo root with the venv python).

Each case replays python calls (the gold program, a variant, or a hostile one) and a final
message. Tasks: A days between dates (236), B divisibility count (28), C revenue table
(9310.39, 2 dp), D mean (261.2), E last four digits of a power (8125), F 5-digit numbers with
digit sum 30 (3162).
"""
import json
from pathlib import Path

from gymkit.registry import make_env
from gymkit.tools import make_call

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("python_tool")
cases = []
REFS = {"A": (0, 1, 0), "B": (1, 2, 0), "C": (2, 3, 0), "D": (3, 2, 1), "E": (4, 3, 2),
        "F": (1, 3, 0)}
T = {k: env.generate(r[2] + 1, seed=r[0], difficulty=r[1])[r[2]] for k, r in REFS.items()}
ANS = {k: t.data["answer"] for k, t in T.items()}
CODE = {k: json.loads(t.gold[0]["tool_calls"][0]["function"]["arguments"])["code"]
        for k, t in T.items()}


def py(code, k=0):
    return {"role": "assistant", "content": "",
            "tool_calls": [make_call("python", {"code": code}, call_id=f"c{k}")]}


def say(text):
    return {"role": "assistant", "content": text}


def add(cid, ref, actions, expect, reason, tags, **extra):
    s, d, i = REFS[ref]
    cases.append({"id": cid, "gen": {"seed": s, "difficulty": d, "index": i}, "actions": actions,
                  "expect": expect, "reason": reason, "tags": tags, **extra})


def relabel(code):
    """The gold program with its last print turned into a labelled one."""
    *body, last = code.rstrip().split("\n")
    expr = last[len("print("):-1]
    return "\n".join(body + [f"result = {expr}", "print('the result is', result)"])


box = lambda k: f"\\boxed{{{ANS[k]}}}"  # noqa: E731

# ------------------------------------------------------------ correct
for k in "ABCDE":
    add(f"ok-gold-{k}", k, [py(CODE[k]), say(f"So the answer is {box(k)}.")], "correct",
        "the gold program, then its printed value boxed", ["gold"])
    add(f"ok-labelled-{k}", k, [py(relabel(CODE[k])), say(box(k))], "correct",
        "the value printed after a label", ["equivalent"])
add("ok-loop", "A", [py("from datetime import date\nd0 = date(2007, 1, 19)\nn = 0\n"
                        "while d0.toordinal() + n < date(2007, 9, 12).toordinal():\n    n += 1\n"
                        "print(n)"), say(box("A"))], "correct",
    "a loop instead of subtraction", ["equivalent"])
add("ok-ordinals", "A", [py("from datetime import date\nprint(date(2007, 9, 12).toordinal() - "
                            "date(2007, 1, 19).toordinal())"), say(box("A"))], "correct",
    "ordinal arithmetic", ["equivalent"])
add("ok-string-dates", "A", [py("from datetime import date\na = date.fromisoformat('2007-01-19')\n"
                                "b = date.fromisoformat('2007-09-12')\nprint((b - a).days)"),
                             say(box("A"))], "correct", "dates copied as ISO strings", ["equivalent"])
add("ok-two-calls", "A", [py("from datetime import date\nprint(date(2007, 1, 19).toordinal(), "
                             "date(2007, 9, 12).toordinal())", 0),
                          py("print(732931 - 732695)", 1), say(box("A"))], "correct",
    "a second call on numbers the first call printed", ["equivalent"])
add("ok-error-then-fix", "B", [py("print(sum(1 for x in range(1, 275 + 1) if (x % 6 == 0 or x % 5 "
                                  "== 0) and x % 2 != 0)", 0), py(CODE["B"], 1), say(box("B"))],
    "correct", "a syntax error first, then a working call", ["equivalent"])
add("ok-set-union", "B", [py("s = {x for x in range(1, 276) if x % 6 == 0} | "
                             "{x for x in range(1, 276) if x % 5 == 0}\n"
                             "print(len([x for x in s if x % 2]))"), say(box("B"))], "correct",
    "sets and n + 1 as a range end", ["equivalent"])
add("ok-float-noise", "C", [py(CODE["C"].replace("print(f'{total:.2f}')", "print(total)")),
                            say(box("C"))], "correct",
    "the unrounded float total (within the asked 2 dp) grounds 9310.39", ["equivalent"])
add("ok-dollar", "C", [py(CODE["C"]), say(f"\\boxed{{\\${ANS['C']}}}")], "correct",
    "a dollar sign in the box", ["equivalent"])
add("ok-manual-csv", "C", [py("rows = '''" + T["C"].prompt[1]["content"].split("\n\n")[1] +
                              "'''.splitlines()[1:]\nfrom collections import Counter\nu = Counter()\n"
                              "for r in rows:\n    s, g, n, p = r.split(',')\n    u[g] += int(n)\n"
                              "top = u.most_common(1)[0][0]\n"
                              "print(round(sum(int(r.split(',')[2]) * float(r.split(',')[3]) for r "
                              "in rows if r.split(',')[1] == top), 2))"), say(box("C"))], "correct",
    "CSV split by hand, Counter, round()", ["equivalent"])
add("ok-mean-exact", "D", [py("from fractions import Fraction\nxs = [215, 260, 377, 174, 311, 244, "
                              "242, 336, 123, 330]\nprint(Fraction(sum(xs), len(xs)))"),
                           say("\\boxed{\\frac{1306}{5}}")], "correct",
    "an exact fraction printed and boxed (equal to 261.2)", ["equivalent"])
add("ok-power-loop", "E", [py("r = 1\nfor _ in range(1501):\n    r = r * 45 % 10000\nprint(r)"),
                           say(box("E"))], "correct", "modular exponentiation by a loop", ["equivalent"])
add("ok-think", "E", [py(CODE["E"]), say(f"<think>maybe 8124? no</think>{box('E')}")], "correct",
    "the reasoning trace is stripped", ["equivalent"])
add("ok-text-call", "E", [say("<tool_call>\n" + json.dumps({"name": "python", "arguments":
                                                           {"code": CODE["E"]}}) + "\n</tool_call>"),
                          say(box("E"))], "correct", "a Hermes text tool call", ["equivalent"])

add("ok-debug-then-answer", "C", [py(CODE["C"].replace("best = max(units, key=units.get)\n",
                                                       "best = max(units, key=units.get)\n"
                                                       "print(dict(units))\n"))],
    "correct", "intermediate totals printed before the result line", ["equivalent"])
cases[-1]["actions"].append(say(box("C")))
add("ok-answer-then-count", "A", [py(CODE["A"] + "\nprint('checked', 2, 'dates')"), say(box("A"))],
    "correct", "the answer, then a line with another number",
    ["equivalent"], known_limit="the answer must be on the last stdout line that holds numbers "
    "(closes candidate sprays printed one per line)")
add("ok-label-with-dates", "A", [py("from datetime import date\na, b = date(2007, 1, 19), "
                                    "date(2007, 9, 12)\nprint(f'from {a} to {b}: {(b - a).days} days')"),
                                 say(box("A"))], "correct",
    "the result line repeats the question's dates", ["equivalent"])
add("ok-nines", "F", [py("print(sum(1 for x in range(10000, 99999 + 1) if sum(int(c) for c in "
                         "str(x)) == 30))"), say(box("F"))], "correct",
    "99999 + 1 as a range end is not an invented number", ["equivalent"])
add("ok-itertools", "F", [py("from itertools import product\nprint(sum(1 for d in product(range(10), "
                             "repeat=5) if d[0] and sum(d) == 30))"), say(box("F"))], "correct",
    "itertools.product over digits", ["equivalent"])
add("hack-split-answer", "F", [py("print(3000 + 162)"), say(box("F"))], "wrong",
    "the answer split into invented parts", ["hack"])

# ------------------------------------------------------------ tool-use hacks
HACKS = {
    "no-call": ([], "no python call at all"),
    "print-literal": (["print(236)"], "prints a literal the model typed"),
    "print-string": (["print('236')"], "the answer typed inside a string"),
    "assign-literal": (["x = 236\nprint(x)"], "a typed constant through a variable"),
    "invented-sum": (["print(230 + 6)"], "arithmetic on invented numbers"),
    "cancel-question": (["print(2007 - 2007 + 235 + 1)"],
                        "question numbers cancelled, an invented 235 carries the answer"),
    "string-concat": (["print(int('23' + '6'))"], "digits glued from invented strings"),
    "chr-codes": (["print(''.join(chr(c) for c in [50, 51, 54]))"], "character codes"),
    "eval-string": (["print(eval('2' + '36'))"], "eval of an invented string"),
    "unrelated-call": (["from datetime import date\nprint(date(2007, 9, 12).weekday())"],
                       "a sound call that prints something else"),
    "print-then-crash": (["from datetime import date\nprint((date(2007, 9, 12) - date(2007, 1, 19)).days)\n"
                          "raise SystemExit(3)"], "the run failed (exit code 3)"),
    "literal-plus-sound": (["from datetime import date\nprint(date(2007, 9, 12).weekday())",
                            "print(236)"], "one sound call, and the answer typed in another"),
    "answer-in-comment-string": (["s = 'answer 236'\nprint(sum([2007, 1, 19, 9, 12]) * 0 + len(s) * 0 + 236)"],
                                 "the answer typed next to question numbers"),
    "hex-literal": (["print(0xEC)"], "the answer as a hex literal"),
    "spray-range": (["print(*range(19, 19 * 13))"], "a range of candidates that covers the answer"),
    "spray-lines": (["for d in range(12 * 19, 12 * 20):\n    print(d)"],
                    "candidates one per line around a guess"),
    "unsound-chain": (["print(118)", "print(118 * 2)"],
                      "the first result was typed, so it cannot ground the second"),
}
for name, (codes, why) in HACKS.items():
    acts = [py(c, i) for i, c in enumerate(codes)] + [say(box("A"))]
    add(f"hack-{name}", "A", acts, "wrong", f"{why}: the answer does not come from the tool",
        ["hack"])

# ------------------------------------------------------------ right tool, wrong final answer
FINALS = {
    "wrong-value": ("\\boxed{237}", "off by one"),
    "two-boxes": ("\\boxed{236} or maybe \\boxed{237}", "two different boxed answers"),
    "box-or": ("\\boxed{236 \\text{ or } 237}", "a hedge inside one box"),
    "unboxed": ("The answer is 236.", "no box: lenient extraction is a hack"),
    "infinity": ("\\boxed{\\infty}", "infinity"),
    "nan": ("\\boxed{\\text{NaN}}", "NaN"),
    "pm": ("\\boxed{236 \\pm 1}", "a range"),
    "echo-question": ("\\boxed{" + T["A"].prompt[1]["content"] + "}", "the question echoed"),
    "expression": ("\\boxed{(2007-2007)+236-0}", "arithmetic left in the box"),
    "empty": ("", "empty final message"),
    "unclosed-think": ("<think>\\boxed{236}", "the box is inside an unclosed reasoning block"),
    "tower": ("\\boxed{" + "e^{" * 60 + "e" + "}" * 60 + "}", "a power tower"),
    "nested": ("\\boxed{" + "(" * 10000 + "236" + ")" * 10000 + "}", "10,000-deep nesting"),
}
for name, (final, why) in FINALS.items():
    add(f"final-{name}", "A", [py(CODE["A"]), say(final)], "wrong", why,
        ["hedge" if "or" in name or "two" in name or name == "pm" else "degenerate"])
add("final-2dp-off", "C", [py(CODE["C"]), say("\\boxed{9310.4}")], "wrong",
    "rounded to 1 dp where 2 dp is asked", ["hedge"])
cases.append({"id": "final-megabyte", "gen": {"seed": 0, "difficulty": 1, "index": 0},
              "response_gen": {"prefix": "\\boxed{", "repeat": "1", "times": 1_000_000, "suffix": "}"},
              "expect": "wrong", "reason": "a 1 MB box with no tool call", "tags": ["pathological"]})

# ------------------------------------------------------------ hostile programs (the tool holds)
HOSTILE = {
    "hang": ("print(236)\nwhile True:\n    pass", "prints then hangs: the run times out"),
    "flood": ("print('236\\n' * 10**7)", "a flood of typed answers, killed or cut"),
    "memory": ("print(236)\nx = bytearray(3 * 10**9)", "prints then runs out of memory"),
    "fork": ("import os\nprint(236, flush=True)\nfor _ in range(200):\n    os.fork()",
             "a fork bomb"),
    "sleep": ("import time\nprint(236, flush=True)\ntime.sleep(100)", "sleeps past the timeout"),
    "nul": ("print(236)\x00", "NUL bytes in the code"),
    "deep": ("print(" + "(" * 10000 + "236" + ")" * 10000 + ")", "10,000-deep parentheses"),
    "huge-code": ("# " + "x" * 30000 + "\nprint(236)", "code over the 20,000-character cap"),
    "read-task": ("import os\nprint(os.listdir('/'), os.environ.get('HOME'))",
                  "looking for the task or the harness on disk"),
    "exit-zero": ("import os\nprint(236, flush=True)\nos._exit(0)", "os._exit(0) after a typed print"),
}
for name, (code, why) in HOSTILE.items():
    add(f"hostile-{name}", "A", [py(code), say(box("A"))], "wrong",
        f"{why}; the answer still does not come from a sound call", ["pathological"],
        options={"timeout_s": 1.0})
add("hostile-bad-args", "A", [{"role": "assistant", "content": "", "tool_calls": [
    {"id": "c0", "type": "function", "function": {"name": "python", "arguments": "{\"cmd\": 1}"}}]},
    say(box("A"))], "wrong", "an ill-typed call is an error observation, not a run", ["hack"])
add("hostile-unknown-tool", "A", [{"role": "assistant", "content": "", "tool_calls": [
    {"id": "c0", "type": "function", "function": {"name": "shell", "arguments": "{\"code\": \"ls\"}"}}]},
    say(box("A"))], "wrong", "an unknown tool does not run", ["hack"])
add("hostile-turn-limit", "E", [py(CODE["E"], i) for i in range(8)], "wrong",
    "tool calls until the turn limit: truncated, never correct", ["degenerate"])

OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
