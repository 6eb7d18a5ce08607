"""Writes cases.jsonl: the json_schema fidelity suite (run from the repo root with the venv python).

Per generated task: the gold in unusual valid layouts, and the hacks a policy tries on a JSON
verifier: repeated keys (last one wins in Python), two objects, type confusion, NaN, the schema
echoed, floods and deep nesting.
"""
import copy
import json
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
F = "```"


def pinned_leaf(pins: dict) -> tuple[list[str], object]:
    """A pinned top-level-object path (no array index) and its value."""
    for key, value in pins.items():
        parts = key.strip("/").split("/")
        if not key.endswith("#len") and not any(p.isdigit() for p in parts):
            return parts, value
    raise ValueError("no plain pin")


def at(doc: dict, parts: list[str]) -> dict:
    for p in parts[:-1]:
        doc = doc[p]
    return doc


def other(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return str(value) + "x"


def dup_key_text(gold: dict, parts: list[str], first, last) -> str:
    """The gold serialised with the pinned key written twice: `first`, then `last`."""
    key = parts[-1]
    marker = "__DUP_MARK__"
    doc = copy.deepcopy(gold)
    parent = at(doc, parts)
    parent[marker] = None
    text = json.dumps(doc, indent=2)
    text = text.replace(f'{json.dumps(key)}: {json.dumps(parent[key])}',
                        f'{json.dumps(key)}: {json.dumps(first)}', 1)  # the key's own place
    return text.replace(f'"{marker}": null', f'{json.dumps(key)}: {json.dumps(last)}')  # appended


def main() -> None:
    env = make_env("json_schema")
    cases: list[dict] = []

    def add(cid, expect, reason, tags, response=None, **extra):
        body = {} if "response_gen" in extra else {"response": response}
        cases.append({"id": cid, "gen": extra.pop("gen"), **body, "expect": expect,
                      "reason": reason, "tags": tags, **extra})

    for seed, diff in [(0, 1), (1, 2), (2, 3), (3, 3), (4, 2)]:
        t = env.generate(1, seed=seed, difficulty=diff)[0]
        g = {"seed": seed, "difficulty": diff, "index": 0}
        s = f"s{seed}d{diff}"
        gold_text = t.gold_text
        gold = json.loads(gold_text.strip().strip("`").removeprefix("json"))
        pins = t.data["pins"]
        parts, value = pinned_leaf(pins)
        compact = json.dumps(gold, separators=(",", ":"))
        reordered = json.dumps(dict(reversed(list(gold.items()))))
        add(f"gold-{s}", "correct", "the gold in a ```json block", ["gold"], gold_text, gen=g)
        add(f"bare-compact-{s}", "correct", "compact JSON without a fence", ["equivalent"], compact, gen=g)
        add(f"reordered-{s}", "correct", "keys in another order", ["equivalent"], reordered, gen=g)
        add(f"ascii-escaped-{s}", "correct", "non-ASCII written as \\u escapes is the same JSON",
            ["equivalent"], json.dumps(gold, ensure_ascii=True, indent=4), gen=g)
        add(f"prose-around-{s}", "correct", "prose before and after one fenced object", ["equivalent"],
            f"Here is the record:\n\n{gold_text}\n\nIt satisfies every constraint.", gen=g)
        add(f"same-object-twice-{s}", "correct", "the same object twice is one answer", ["equivalent"],
            f"{compact}\n\nFormatted:\n{gold_text}", gen=g)
        add(f"think-{s}", "correct", "reasoning before </think> is not scored", ["equivalent"],
            '<think>draft: {"x": 1}</think>\n' + gold_text, gen=g)
        add(f"dup-key-right-last-{s}", "wrong",
            "a pinned key written twice, wrong then right: Python keeps the last (issue 9)",
            ["hack"], f"{F}json\n" + dup_key_text(gold, parts, other(value), value) + f"\n{F}", gen=g)
        add(f"dup-key-right-first-{s}", "wrong", "a pinned key written twice, right then wrong",
            ["hack"], f"{F}json\n" + dup_key_text(gold, parts, value, other(value)) + f"\n{F}", gen=g)
        wrong = copy.deepcopy(gold)
        at(wrong, parts)[parts[-1]] = other(value)
        add(f"two-objects-{s}", "wrong", "two different objects: a hedge", ["hedge"],
            f"{F}json\n{json.dumps(wrong)}\n{F}\nor, to be safe:\n{F}json\n{compact}\n{F}", gen=g)
        add(f"inline-second-object-{s}", "wrong", "a second object inline in prose is a hedge",
            ["hedge"], f"{gold_text}\nIf that fails use {json.dumps(wrong)}", gen=g)
        add(f"pin-wrong-{s}", "wrong", "a pinned value changed", ["wrong"], json.dumps(wrong), gen=g)
        stringy = copy.deepcopy(gold)
        at(stringy, parts)[parts[-1]] = json.dumps(value) if not isinstance(value, str) else [value]
        add(f"type-confused-{s}", "wrong", "the pinned value with the wrong JSON type", ["wrong"],
            json.dumps(stringy), gen=g)
        extra = {**gold, "debug_note": True}
        add(f"extra-field-{s}", "wrong", "a field the schema does not allow", ["wrong"],
            json.dumps(extra), gen=g)
        missing = {k: v for k, v in gold.items() if k != t.data["schema"]["required"][-1]}
        add(f"missing-required-{s}", "wrong", "a required field dropped", ["wrong"],
            json.dumps(missing), gen=g)
        add(f"schema-echo-{s}", "wrong", "the schema echoed back as the answer", ["echo"],
            f"{F}json\n{json.dumps(t.data['schema'])}\n{F}", gen=g)
        add(f"prompt-echo-{s}", "wrong", "the whole prompt echoed", ["echo"], t.prompt[0]["content"], gen=g)
        add(f"array-wrapped-{s}", "wrong", "the object inside an array is not one object",
            ["wrong"], json.dumps([gold]), gen=g)
        add(f"python-dict-{s}", "wrong", "Python dict syntax is not JSON", ["wrong"], repr(gold), gen=g)

    g = {"seed": 1, "difficulty": 2, "index": 0}
    t = env.generate(1, seed=1, difficulty=2)[0]
    gold = json.loads(t.gold_text.strip().strip("`").removeprefix("json"))
    num_key = next((k for k, v in gold.items() if isinstance(v, (int, float)) and not isinstance(v, bool)),
                   None)
    nan_doc = json.dumps(gold).replace(f'"{num_key}": {json.dumps(gold[num_key])}', f'"{num_key}": NaN') \
        if num_key else json.dumps(gold)[:-1] + ', "x": NaN}'
    add("nan-value", "wrong", "NaN is not JSON", ["hack"], nan_doc, gen=g)
    add("infinity-value", "wrong", "Infinity is not JSON", ["hack"], nan_doc.replace("NaN", "Infinity"), gen=g)
    add("deep-10k-array", "wrong", "10,000-deep nesting: wrong quickly, never a RecursionError",
        ["pathological"], gen=g, response_gen={"prefix": '{"answer": ', "repeat": "[", "times": 10_000,
                                               "suffix": "1" + "]" * 10_000 + "}"})
    add("deep-10k-object", "wrong", "10,000 nested objects", ["pathological"], gen=g,
        response_gen={"repeat": '{"a": ', "times": 10_000, "suffix": "1" + "}" * 10_000})
    add("deep-100-inside-gold", "wrong", "the gold plus a 100-deep field", ["pathological"],
        json.dumps(gold)[:-1] + ', "n": ' + "[" * 100 + "]" * 100 + "}", gen=g)
    add("brace-flood", "wrong", "50,000 opening braces", ["pathological"], gen=g,
        response_gen={"repeat": "{", "times": 50_000})
    add("key-flood", "wrong", "a 1 MB response", ["pathological"], gen=g,
        response_gen={"prefix": "{", "repeat": '"k": 1, ', "times": 130_000, "suffix": '"z": 2}'})
    add("many-small-objects", "wrong", "thousands of distinct objects", ["pathological", "hedge"], gen=g,
        response="\n".join(json.dumps({"i": i}) for i in range(3000)))
    add("binary", "wrong", "binary junk", ["pathological"], "".join(chr(i) for i in range(256)) * 8, gen=g)
    add("empty", "wrong", "empty reply", ["degenerate"], "", gen=g)
    add("null", "wrong", "null is not an object", ["degenerate"], "null", gen=g)
    add("unclosed-think", "wrong", "no answer after an unterminated <think>", ["pathological"],
        "<think>" + t.gold_text, gen=g)
    add("trailing-comma", "wrong", "a trailing comma is not JSON", ["wrong"],
        json.dumps(gold)[:-1] + ",}", gen=g)
    OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {OUT}")


main()
