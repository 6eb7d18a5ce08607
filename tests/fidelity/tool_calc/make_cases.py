"""Writes cases.jsonl: the tool_calc fidelity suite (run from the repo root with the venv python).

Multi-turn cases replay the gold tool calls (or a hostile variant of them), then a final
message. {a} is the gold answer; numbers are formatted per case.
"""
import json
import math
from pathlib import Path

from gymkit.registry import make_env
from gymkit.tools import make_call

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("tool_calc")
cases = []


def task_of(seed, difficulty, index=0):
    return env.generate(index + 1, seed=seed, difficulty=difficulty)[index]


def gold_calls(t):
    return [m for m in t.gold if m.get("tool_calls")]


def say(text):
    return {"role": "assistant", "content": text}


def call(name, k=0, **args):
    return {"role": "assistant", "content": "",
            "tool_calls": [make_call(name, args, call_id=f"x{k}")]}


def add(cid, ref, actions, expect, reason, tags, **extra):
    seed, diff, idx = ref
    cases.append({"id": cid, "gen": {"seed": seed, "difficulty": diff, "index": idx},
                  "actions": actions, "expect": expect, "reason": reason, "tags": tags, **extra})


REFS = [(0, 1, 0), (1, 2, 0), (2, 3, 0), (3, 2, 1), (4, 3, 2)]
T = {r: task_of(r[0], r[1], r[2]) for r in REFS}
A = {r: float(T[r].data["answer"]) for r in REFS}

# ------------------------------------------------------------ correct, in unusual valid forms
CORRECT = {
    "plain": ("Answer: {a:.2f}", "the requested form"),
    "boxed": ("\\boxed{{{a:.2f}}}", "boxed form"),
    "dollar-commas": ("Answer: ${a:,.2f}", "currency sign and thousands separator"),
    "bold": ("**Answer:** {a:.2f}", "markdown bold label"),
    "unit-word": ("Answer: {a:.2f} units", "a unit word after the number"),
    "approx": ("Answer: approximately {a:.2f}", "a rounding marker; the tolerance decides"),
    "boxed-text": ("\\boxed{{{a:.2f}\\text{{ units}}}}", "LaTeX unit inside the box"),
    "final-answer": ("Final answer: {a:.2f}", "'Final answer:' label"),
    "next-line": ("Answer:\n{a:.2f}", "the answer on the line after the label"),
    "trailing-dot": ("The tools give it.\n\nAnswer: {a:.2f}.", "sentence full stop after the number"),
    "three-dp": ("Answer: {a:.3f}", "more decimals than asked, still within half a cent"),
    "usd": ("Answer: USD {a:.2f}", "currency code before the number"),
    "think-first": ("<think>Maybe {b:.2f}? No.</think>Answer: {a:.2f}", "the trace is stripped"),
    "repeated-same": ("\\boxed{{{a:.2f}}}\n\nAnswer: {a:.2f}", "the same answer twice is one answer"),
    "thin-space": ("\\boxed{{{a:.2f}\\,\\text{{units}}}}", "LaTeX thin space before the unit"),
    "unit-phrase": ("Answer: {a:.2f} US dollars", "the asked unit (dollars) in several words"),
}
for k, (name, (tpl, why)) in enumerate(CORRECT.items()):
    r = REFS[k % len(REFS)]
    add(f"ok-{name}", r, gold_calls(T[r]) + [say(tpl.format(a=A[r], b=A[r] + 7))], "correct", why,
        ["equivalent"])

assert T[REFS[0]].data["unit"] == "dollars"  # "unit-phrase" above and "other-unit" below
r = (4, 3, 0)
T[r] = task_of(*r)
assert T[r].data["unit"] == "km/h"
for k, (text, why) in enumerate([("Answer: {a:.2f} km per hour", "km/h asked, in words"),
                                 ("\\boxed{{{a:.2f}\\text{{ kilometres per hour}}}}", "km/h asked, spelt out"),
                                 ("Answer: {a:.2f} kph", "km/h asked, another symbol")]):
    add(f"ok-unit-speed-{k}", r, gold_calls(T[r]) + [say(text.format(a=float(T[r].data["answer"])))],
        "correct", why, ["equivalent"])
add("bad-unit-speed-mph", r, gold_calls(T[r]) + [say(f"Answer: {float(T[r].data['answer']):.2f} mph")],
    "wrong", "km/h asked; the same number in mph is another quantity", ["wrong"])

r = REFS[0]
add("ok-parallel-calls", r, [{"role": "assistant", "content": "", "tool_calls":
                              [c for m in gold_calls(T[r]) for c in m["tool_calls"]]}]
    + [say(f"Answer: {A[r]:.2f}")], "correct",
    "the gold calls in one message (their inputs are fixed numbers) are the same work", ["equivalent"])
r = REFS[1]
add("ok-extra-call", r, [call("calculate", 9, expression="2 + 2")] + gold_calls(T[r])
    + [say(f"Answer: {A[r]:.2f}")], "correct", "an extra harmless call does not spoil real work",
    ["equivalent"])
r = REFS[2]
add("ok-error-then-gold", r, [call("calculate", 9, expression="1/0")] + gold_calls(T[r])
    + [say(f"Answer: {A[r]:.2f}")], "correct", "a failed call followed by the real work",
    ["equivalent"])
r = REFS[3]
add("ok-pathological-call-then-gold", r,
    [{"role": "assistant", "content": "", "tool_calls": [{"id": "p", "type": "function", "function": {
        "name": "calculate", "arguments": "{\"expression\": " + "[" * 2000 + "]" * 2000 + "}"}}]}]
    + gold_calls(T[r]) + [say(f"Answer: {A[r]:.2f}")], "correct",
    "a 2,000-deep argument is an error observation; the real work after it counts", ["pathological"])

# ------------------------------------------------------------ wrong: hedges and qualifiers
WRONG = {
    "or-more": ("Answer: {a:.2f} or more", "a lower bound is not the value", "hedge"),
    "at-least": ("Answer: at least {a:.2f}", "a bound is not the value", "hedge"),
    "give-or-take": ("Answer: {a:.2f} give or take", "a hedge after the number", "hedge"),
    "two-lines": ("Answer: {a:.2f}\nAnswer: {b:.2f}", "two different answers", "hedge"),
    "two-boxes": ("\\boxed{{{a:.2f}}} or maybe \\boxed{{{b:.2f}}}", "two different boxes", "hedge"),
    "or-inline": ("Answer: {a:.2f} or {b:.2f}", "two numbers on one line", "hedge"),
    "between": ("Answer: between {c:.2f} and {b:.2f}", "a range", "hedge"),
    "plus-minus": ("Answer: {a:.2f} ± 0.5", "an interval", "hedge"),
    "range-dash": ("Answer: {a:.2f}-{b:.2f}", "a range written with a dash", "hedge"),
    "parenthetical": ("Answer: {a:.2f} (or {b:.2f})", "a second answer in parentheses", "hedge"),
    "unit-or": ("Answer: {a:.2f} units or {b:.2f} units", "two quantities", "hedge"),
    "less-than": ("Answer: less than {b:.2f}", "a bound", "hedge"),
    "tops": ("Answer: {a:.2f} tops", "'tops' makes it an upper bound", "hedge"),
    "approx-after": ("Answer: {a:.2f} approx.", "a qualifier after the number", "hedge"),
    "nested-box": ("\\boxed{{\\boxed{{{a:.2f}}}\\boxed{{{b:.2f}}}}}", "boxes inside a box", "hedge"),
    "unmarked": ("The answer is {a:.2f}.", "no marked answer: lenient extraction is a hack", "hack"),
    "only-in-think": ("<think>Answer: {a:.2f}</think>", "an answer only inside the trace", "hack"),
    "infinity": ("Answer: inf", "infinity is not a number answer", "hack"),
    "boxed-infty": ("\\boxed{{\\infty}}", "infinity is not a number answer", "hack"),
    "nan": ("Answer: NaN", "NaN is no answer", "hack"),
    "huge-exponent": ("Answer: 1e999", "overflows to infinity", "hack"),
    "off-by-cent": ("Answer: {d:.2f}", "one cent off at 2 dp", "wrong"),
    "echo-question": ("Answer: {q}", "the question echoed back", "echo"),
    "empty": ("", "nothing", "degenerate"),
    "label-only": ("Answer:", "a label without an answer", "degenerate"),
    "other-unit": ("Answer: {a:.2f} km per hour", "dollars asked: a speed is another quantity", "wrong"),
}
for k, (name, (tpl, why, tag)) in enumerate(WRONG.items()):
    r = REFS[k % len(REFS)]
    q = T[r].prompt[-1]["content"][:200].replace("{", "(").replace("}", ")")
    text = tpl.format(a=A[r], b=A[r] + 3.5, c=A[r] - 3.5, d=A[r] + 0.01, q=q)
    add(f"bad-{name}", r, gold_calls(T[r]) + [say(text)], "wrong", why, [tag])

# ------------------------------------------------------------ wrong: precision
r = next(r for r in REFS if abs(A[r] - round(A[r])) > 0.05)
add("bad-rounded-integer", r, gold_calls(T[r]) + [say(f"Answer: {round(A[r]):.0f}")], "wrong",
    "rounding to a whole number loses the 2 decimals the question asks for", ["precision"])
add("bad-one-decimal", r, gold_calls(T[r]) + [say(f"Answer: {A[r] + 0.04:.1f}")], "wrong",
    "one decimal that is off by more than half a cent", ["precision"])
add("bad-rel-tolerance", r, gold_calls(T[r]) + [say(f"Answer: {A[r] * (1 + 4e-4):.2f}")],
    "wrong", "0.04% off is inside the old 5e-4 relative tolerance but not the asked precision",
    ["precision"])

# ------------------------------------------------------------ wrong: tool misuse
for k, r in enumerate(REFS[:3]):
    a = A[r]
    add(f"bad-no-tools-{k}", r, [say(f"Answer: {a:.2f}")], "wrong",
        "no tool call: the env requires the answer to come from the tools", ["tool-misuse"])
    add(f"bad-trivial-call-{k}", r, [call("calculate", expression="1"), say(f"Answer: {a:.2f}")],
        "wrong", "calculate('1') proves nothing about the answer", ["tool-misuse"])
    add(f"bad-echo-call-{k}", r, [call("calculate", expression=f"{a:.2f}"),
                                  say(f"Answer: {a:.2f}")],
        "wrong", "the calculator echoing the claimed answer is not computing it", ["tool-misuse"])
    add(f"bad-times-one-{k}", r, [call("calculate", expression=f"{a:.2f} * 1"),
                                  say(f"Answer: {a:.2f}")],
        "wrong", "multiplying the claimed answer by 1 is not computing it", ["tool-misuse"])
    add(f"bad-ungrounded-sum-{k}", r,
        [call("calculate", expression=f"{a - 0.37:.2f} + 0.37"), say(f"Answer: {a:.2f}")],
        "wrong", "inputs that are neither in the question nor tool results: mental arithmetic",
        ["tool-misuse"])
    add(f"bad-nan-convert-{k}", r, [call("convert", value="nan", from_unit="km", to_unit="mi"),
                                    say(f"Answer: {a:.2f}")],
        "wrong", "a NaN conversion is not tool use", ["tool-misuse"])
    add(f"bad-same-unit-{k}", r, [call("convert", value=round(a, 2), from_unit="km", to_unit="km"),
                                  say(f"Answer: {a:.2f}")],
        "wrong", "converting the claimed answer to its own unit computes nothing", ["tool-misuse"])

r = REFS[0]
add("bad-turn-cap", r, [call("calculate", k, expression="1 + 1") for k in range(12)], "wrong",
    "calls until the turn cap: truncated, never correct", ["degenerate"])

# ------------------------------------------------------------ wrong: pathological text
PATHO = {
    "flood-1mb": {"prefix": "", "repeat": "lorem ipsum ", "times": 90000, "suffix": ""},
    "unclosed-boxes": {"prefix": "", "repeat": "\\boxed{", "times": 100000, "suffix": ""},
    "deep-braces": {"prefix": "\\boxed{", "repeat": "{", "times": 10000, "suffix": "1"},
    "answer-lines": {"prefix": "", "repeat": "Answer: 1\n", "times": 50000, "suffix": ""},
    "long-number": {"prefix": "Answer: ", "repeat": "9", "times": 5000, "suffix": ""},
}
for k, (name, gen) in enumerate(PATHO.items()):
    r = REFS[k % len(REFS)]
    cases.append({"id": f"bad-{name}", "gen": {"seed": r[0], "difficulty": r[1], "index": r[2]},
                  "response_gen": gen, "expect": "wrong",
                  "reason": "pathological text must be a quick wrong, not an error or timeout",
                  "tags": ["pathological"]})
r = REFS[1]
add("bad-binary-junk", r, gold_calls(T[r]) + [say("\x00\x01\ufffd\x7f" * 500)], "wrong",
    "binary junk", ["degenerate"])

OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
