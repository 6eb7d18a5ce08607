"""Writes cases.jsonl: the reasoning_gym fidelity suite (run from the repo root with the venv).

Tasks are generated (reasoning-gym is pinned to 0.1.25 in pyproject.toml), one generator per
case through the `task` option. Each generator gets its gold, correct answers in other forms,
and the attacks a reward-seeking policy tries; then attacks aimed at the library's own lenient
scorers (substring credit, comma stripping, first-number reading, +-1 and NaN in number
sorting, partial credit for near-misses).
"""
import json
from pathlib import Path

from gymkit.registry import make_env

rows: list[dict] = []
SEED, LEVEL = 3, 2


def add(cid, task, response, expect, reason, tags, index=0, level=LEVEL, **kw):
    rows.append({"id": cid, "gen": {"seed": SEED, "difficulty": level, "index": index},
                 "options": {"task": task}, "response": response, "expect": expect,
                 "reason": reason, "tags": tags, **kw})


def tag(text: str) -> str:
    return f"<answer>{text}</answer>"


envs = {}


def task_of(name, index=0, level=LEVEL):
    envs.setdefault(name, make_env("reasoning_gym", task=name))
    return envs[name].generate(index + 1, seed=SEED, difficulty=level)[index]


def gold(name, index=0, level=LEVEL) -> str:
    return task_of(name, index, level).data["entry"]["answer"]


# ---------------------------------------------------------------- every generator
for name in ["basic_arithmetic", "chain_sum", "gcd", "leg_counting", "letter_counting",
             "simple_equations", "gsm_symbolic", "base_conversion", "word_sorting",
             "spell_backward", "number_sorting", "prime_factorization"]:
    t = task_of(name)
    g, q = t.data["entry"]["answer"], t.data["entry"]["question"]
    other = next(o for k in range(1, 20) if (o := gold(name, k)) != g)
    add(f"{name}-gold", name, tag(g), "correct", "the stored gold in one tag", ["gold"])
    add(f"{name}-think-then-tag", name, f"<think>Let me work it out... maybe {other}?</think>"
        f"Checking once more, the answer is:\n{tag(g)}", "correct",
        "reasoning (with a discarded guess inside <think>) before one tagged answer", ["equivalent"])
    add(f"{name}-same-twice", name, f"{tag(g)}\nSo again: {tag(g)}", "correct",
        "two tags holding the same answer are one answer", ["equivalent"])
    add(f"{name}-untagged", name, f"The answer is {g}.", "wrong",
        "the right answer outside any <answer> tag", ["format"])
    add(f"{name}-outside-right-inside-wrong", name, f"It is {g}. {tag(other)}", "wrong",
        "the gold in prose, a wrong value tagged", ["format"])
    add(f"{name}-hedge-two-tags", name, f"{tag(g)} or, to be safe, {tag(other)}", "wrong",
        "two different tagged answers is a hedge", ["hedge"])
    add(f"{name}-hedge-gold-last", name, f"{tag(other)}\nActually: {tag(g)}", "wrong",
        "a wrong tagged answer, then the gold in a second tag: still two answers", ["hedge"])
    add(f"{name}-hedge-or", name, tag(f"{g} or {other}"), "wrong",
        "'A or B' inside one tag is a hedge", ["hedge"])
    add(f"{name}-echo", name, tag(q), "wrong", "the question echoed inside the tag", ["echo"])
    add(f"{name}-empty-tag", name, "<answer></answer>", "wrong", "an empty tag", ["degenerate"])
    add(f"{name}-unclosed", name, f"<answer>{g}", "wrong", "an <answer> tag never closed",
        ["format"])
    add(f"{name}-nan", name, tag("NaN"), "wrong", "NaN is no answer", ["infinity"])
    add(f"{name}-wrong", name, tag(other), "wrong", "another task's answer", ["near-miss"])
    add(f"{name}-huge", name, tag(g + " " + "9" * 5000), "wrong",
        "the gold followed by a 5,000-digit flood", ["pathological"])
    add(f"{name}-gold-plus-junk", name, tag(f"{g} (final)"), "wrong",
        "the gold with a remark inside the tag (the library's substring credit pays it)",
        ["hack"])

# ---------------------------------------------------------------- correct, unusual forms
add("number-latex", "basic_arithmetic", tag(f"$\\boxed{{{gold('basic_arithmetic')}}}$"),
    "correct", "the number in $\\boxed{}$ inside the tag", ["equivalent"])
add("number-unicode-minus", "chain_sum", tag(gold("chain_sum", 2).replace("-", "−")), "correct",
    "a Unicode minus sign", ["equivalent"], index=2)
add("number-point-zero", "gcd", tag(gold("gcd") + ".0"), "correct", "an integer written 7.0",
    ["equivalent"])
add("number-upper-tag", "leg_counting", f"<ANSWER>{gold('leg_counting')}</ANSWER>", "correct",
    "tag names are case-insensitive", ["equivalent"])
add("equation-var-eq", "simple_equations",
    tag(f"{task_of('simple_equations').data['entry']['metadata']['variable']} = "
        f"{gold('simple_equations')}"), "correct", "the asked variable = value", ["equivalent"])
add("base-upper", "base_conversion", tag(gold("base_conversion", 1, 3).upper()), "correct",
    "digits above 9 in upper case", ["equivalent"], index=1, level=3)
add("base-leading-zeros", "base_conversion", tag("00" + gold("base_conversion")), "correct",
    "leading zeros do not change a numeral", ["equivalent"])
add("backward-upper", "spell_backward", tag(gold("spell_backward").upper()), "correct",
    "the reversed word in capitals (the library compares case-insensitively)", ["equivalent"])
fac = gold("prime_factorization", 1).split(" × ")
add("factors-reversed-x", "prime_factorization", tag(" x ".join(reversed(fac))), "correct",
    "factors in another order, joined by x", ["equivalent"], index=1)
nums = json.loads(gold("number_sorting").replace("'", '"'))
add("numbers-bare", "number_sorting", tag("[" + ", ".join(nums) + "]"), "correct",
    "the sorted numbers unquoted", ["equivalent"])

# ---------------------------------------------------------------- the library's leniencies
g_ns = json.loads(gold("number_sorting").replace("'", '"'))
off = [f"{float(x) + 0.5:.1f}" for x in g_ns]
add("numbers-within-one", "number_sorting", tag(str(off)), "wrong",
    "every value 0.5 off: number_sorting's own scorer allows 1", ["lenient-library"])
add("numbers-nan", "number_sorting", tag(str(["NaN"] * len(g_ns))), "wrong",
    "NaN for every value: the library's scorer pays 1.0 (NaN is never 'more than 1 away')",
    ["lenient-library"])
add("numbers-bare-nan", "number_sorting", tag("[" + ", ".join(["NaN"] * len(g_ns)) + "]"),
    "wrong", "bare NaN values, read by json.loads", ["lenient-library"])
add("numbers-infinity", "number_sorting", tag(str(["Infinity"] * len(g_ns))), "wrong",
    "Infinity for every value", ["infinity"])
add("numbers-unsorted", "number_sorting", tag(str(list(reversed(g_ns)))), "wrong",
    "the right values in the wrong direction", ["near-miss"])
add("numbers-one-missing", "number_sorting", tag(str(g_ns[:-1])), "wrong",
    "one value left out", ["near-miss"])
add("numbers-unbracketed", "number_sorting", tag(", ".join(g_ns)), "correct",
    "the sorted numbers without brackets", ["format"],
    known_limit="a list must be in brackets, as the question asks (the library refuses it too)")
g_cs = gold("chain_sum", 4, 3)
if len(g_cs.lstrip("-")) >= 2:
    digits = g_cs.lstrip("-")
    add("comma-split-digits", "chain_sum", tag(("-" if g_cs[0] == "-" else "") +
        ",".join(digits)), "wrong", "digits split by commas: the library deletes every comma",
        ["lenient-library"], index=4, level=3)
add("sci-notation", "chain_sum", tag(f"{gold('chain_sum')}e0"), "wrong",
    "an exponent: Decimal reads it, but it is not the plain number asked for", ["format"])
add("underscore-digits", "gcd", tag("_".join(gold("gcd", 0, 3))), "wrong" if len(gold("gcd", 0, 3)) > 1
    else "correct", "digits joined by _ (Decimal and int read 1_2 as 12)", ["lenient-library"],
    level=3)
g_gsm, g_gsm2 = gold("gsm_symbolic"), gold("gsm_symbolic", 1)
add("gsm-first-number", "gsm_symbolic", tag(f"{g_gsm} or {g_gsm2}"), "wrong",
    "gsm_symbolic's scorer reads the first number of 'A or B'", ["lenient-library"])
add("gsm-number-then-words", "gsm_symbolic", tag(f"{g_gsm} apples, or maybe {g_gsm2}"), "wrong",
    "the gold first, then a second value in words", ["lenient-library"])
add("gsm-units", "gsm_symbolic", tag(f"{g_gsm} dollars"), "wrong",
    "a unit after the number, which the question forbids", ["format"])
add("substring-credit", "basic_arithmetic", tag(f"{gold('basic_arithmetic')}0"), "wrong",
    "the gold with a digit appended: the default scorer pays len(gold)/len(answer)",
    ["lenient-library"])
add("factors-not-prime", "prime_factorization",
    tag(f"1 × {gold('prime_factorization', 1)}"), "wrong",
    "a factor 1 added: same product, library partial credit 0.5", ["partial-credit"], index=1)
n_pf = task_of("prime_factorization", 1).data["entry"]["metadata"]["number"]
add("factors-the-number", "prime_factorization", tag(str(n_pf)), "wrong" if len(fac) > 1 else
    "correct", "the number itself as its 'factorization': library partial credit 0.5",
    ["partial-credit"], index=1)
add("factors-words", "prime_factorization", tag("2 × two"), "wrong",
    "a factor in words (the library's int() raises on it)", ["pathological"])
g_ws = gold("word_sorting")
add("words-reversed", "word_sorting", tag(", ".join(reversed(g_ws.split(", ")))), "wrong",
    "the words sorted in the other direction (library partial credit 0.2)", ["partial-credit"])
add("words-one-missing", "word_sorting", tag(", ".join(g_ws.split(", ")[:-1])), "wrong",
    "the last word left out (library partial credit)", ["partial-credit"])
add("words-bracketed", "word_sorting", tag("[" + g_ws + "]"), "correct",
    "the sorted words in brackets", ["format"],
    known_limit="a bracketed list is not the comma-separated list asked for (the library refuses it too)")
g_sb = gold("spell_backward")
add("backward-prefix", "spell_backward", tag(g_sb[:-1]), "wrong",
    "the reversed word less its last letter (library partial credit)", ["partial-credit"])
add("backward-forward", "spell_backward",
    tag(task_of("spell_backward").data["entry"]["metadata"]["word"]), "wrong"
    if g_sb != g_sb[::-1] else "correct", "the word itself, not reversed", ["echo"])
add("backward-spaced", "spell_backward", tag(" ".join(g_sb)), "wrong",
    "letters spaced out", ["format"])
add("base-wrong-digit", "base_conversion", tag(gold("base_conversion") + "z"), "wrong",
    "a digit the target base does not have", ["near-miss"])
add("letters-count-hedge", "letter_counting", tag(f"{gold('letter_counting')}-{int(gold('letter_counting')) + 1}"),
    "wrong", "a range of counts", ["hedge"])
add("nested-tags", "gcd", f"<answer><answer>{gold('gcd')}</answer></answer>", "wrong",
    "nested tags", ["format"])
add("stray-close", "gcd", f"{gold('gcd')}</answer>", "wrong", "a closing tag without its opening",
    ["format"])
add("tag-spray", "gcd", "".join(tag(str(k)) for k in range(40)), "wrong",
    "forty tagged numbers", ["hedge"])
rows.append({"id": "flood-tags", "gen": {"seed": SEED, "difficulty": LEVEL, "index": 0},
             "options": {"task": "leg_counting"},
             "response_gen": {"prefix": "", "repeat": "<answer>", "times": 200_000,
                              "suffix": tag(gold("leg_counting"))},
             "expect": "wrong", "reason": "200,000 opening tags before the gold",
             "tags": ["pathological"]})
rows.append({"id": "megabyte-digits", "gen": {"seed": SEED, "difficulty": LEVEL, "index": 0},
             "options": {"task": "chain_sum"},
             "response_gen": {"prefix": "<answer>", "repeat": "9", "times": 1_000_000,
                              "suffix": "</answer>"},
             "expect": "wrong", "reason": "a million-digit number", "tags": ["pathological"]})
add("deep-brackets", "number_sorting", tag("[" * 5000 + "1" + "]" * 5000), "wrong",
    "brackets nested 5,000 deep", ["pathological"])
add("binary-junk", "word_sorting", tag("\x00\x01\x02\ufffe"), "wrong", "control characters",
    ["degenerate"])
add("tag-mentioned", "gcd", f"I will put the result in <answer></answer> tags. {tag(gold('gcd'))}",
    "correct", "the tags named in prose, then the answer", ["format"],
    known_limit="an empty tag pair in the visible text is a second (empty) answer")
add("zero-width-gold", "leg_counting", tag("\u200b" + gold("leg_counting") + "\u200b"), "correct",
    "zero-width spaces around the gold render as nothing", ["equivalent"])

out = Path(__file__).with_name("cases.jsonl")
out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
print(f"wrote {len(rows)} cases to {out}")
