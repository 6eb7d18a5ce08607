"""Writes cases.jsonl: the long_context fidelity suite (run from the repo root with the venv python).

Tasks (seed 0, level 1; index = kind): 0 multikey (single value, near-miss keys), 1 multivalue
(a set), 2 multiquery (three values in order), 3 count, 4 multihop. Level 2 and 3 refs check
the long documents. {v} is the gold, {d} a distractor value from the same document.
"""
import json
import re
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
env = make_env("long_context")
cases = []


def task(seed, level, index):
    return env.generate(index + 1, seed=seed, difficulty=level)[index]


def add(cid, ref, response, expect, reason, tags, **extra):
    s, d, i = ref
    body = {"response": response} if isinstance(response, str) else {"response_gen": response}
    cases.append({"id": cid, "gen": {"seed": s, "difficulty": d, "index": i}, **body,
                  "expect": expect, "reason": reason, "tags": tags, **extra})


K = {kind: (0, 1, i) for i, kind in enumerate(["multikey", "multivalue", "multiquery", "count",
                                                "multihop"])}
T = {k: task(*ref) for k, ref in K.items()}
G = {k: t.data["answer"] for k, t in T.items()}
DOC = {k: t.prompt[0]["content"] for k, t in T.items()}
ALL = {k: sorted(set(re.findall(r"\b\d{7}\b", DOC[k])) - set(G[k])) for k in K}  # distractors
v = G["multikey"][0]
key = re.search(r"magic number for (\S+) mentioned", T["multikey"].data["question"]).group(1)
near = [k for k in re.findall(r"magic number for (\S+) is", DOC["multikey"])
        if k != key and (k.split("-")[0] == key.split("-")[0] or k.split("-")[1] == key.split("-")[1])]
near_v = re.search(rf"magic number for {re.escape(near[0])} is (\d+)", DOC["multikey"]).group(1)
d = next(x for x in ALL["multikey"] if x != near_v)
keeper = re.search(r"box that (\w+) keeps", T["multihop"].data["question"]).group(1)
color = re.search(rf"{keeper} keeps the (\w+) box", DOC["multihop"]).group(1)
mv, mq, n, hop = G["multivalue"], G["multiquery"], G["count"][0], G["multihop"][0]

# ------------------------------------------------------------ correct
for k in K:
    add(f"ok-gold-{k}", K[k], T[k].gold_text, "correct", "the gold answer line", ["gold"])
for level, idx in ((2, 0), (2, 3), (3, 1), (3, 4)):
    t = task(0, level, idx)
    add(f"ok-gold-l{level}-{t.meta['kind']}", (0, level, idx), t.gold_text, "correct",
        f"gold at level {level} ({t.meta['words']} words)", ["gold"])
CORRECT = [
    ("boxed", "multikey", f"\\boxed{{{v}}}", "boxed form"),
    ("sentence", "multikey", f"Answer: The special magic number for {key} is {v}.",
     "a sentence naming the key (no digits in keys)"),
    ("bold", "multikey", f"**Answer:** {v}", "markdown bold label"),
    ("commas", "multikey", f"Answer: {int(v):,}", "thousands separators"),
    ("quote-then-answer", "multikey",
     f"The document says: \"The special magic number for {key} is {v}.\"\n\nAnswer: {v}",
     "quoting the needle sentence is not an echo"),
    ("box-and-line", "multikey", f"\\boxed{{{v}}}\n\nAnswer: {int(v):,}",
     "the same answer marked twice is one answer"),
    ("think", "multikey", f"<think>maybe {d}? no, that is another key</think>Answer: {v}",
     "the reasoning trace is stripped"),
    ("decimal", "multikey", f"Answer: {v}.0", "the same number with .0"),
    ("near-key-named", "multikey",
     f"Note: {near[0]} is a different key.\nAnswer: {v}", "a distractor named outside the answer"),
    ("set-reordered", "multivalue", "Answer: " + ", ".join(reversed(mv)), "any order for a set"),
    ("set-and", "multivalue", "Answer: " + ", ".join(mv[:-1]) + " and " + mv[-1], "'and' before the last"),
    ("set-semicolons", "multivalue", "\\boxed{" + "; ".join(mv) + "}", "semicolons in a box"),
    ("ordered-spaces", "multiquery", "Answer: " + " , ".join(mq), "odd spacing"),
    ("count-unit", "count", f"Answer: {n} crates", "a count with its unit word"),
    ("count-word", "count", f"Answer: {['zero','one','two','three','four','five','six','seven','eight','nine','ten'][int(n)]}",
     "a count spelled as a word"),
    ("count-boxed", "count", f"I counted the notes one by one.\n\n\\boxed{{{n}}}", "boxed count"),
    ("hop-sentence", "multihop", f"Answer: the box holds {hop}", "a short sentence"),
]
for cid, k, text, why in CORRECT:
    add(f"ok-{cid}", K[k], text, "correct", why, ["equivalent"])

# ------------------------------------------------------------ wrong
WRONG = [
    ("value", "multikey", f"Answer: {d}", "another key's value", "hack"),
    ("near-key", "multikey", f"Answer: {near_v}", "the near-miss key's value", "hack"),
    ("two-values", "multikey", f"Answer: {v}, {d}", "two candidates for one value", "hedge"),
    ("or", "multikey", f"Answer: {v} or {d}", "a hedge with 'or'", "hedge"),
    ("two-lines", "multikey", f"Answer: {d}\n\nAnswer: {v}", "two different answer lines", "hedge"),
    ("two-boxes", "multikey", f"\\boxed{{{v}}} \\boxed{{{d}}}", "two different boxes", "hedge"),
    ("probably", "multikey", f"Answer: probably {v}", "a hedge word", "hedge"),
    ("dump-all", "multikey", "Answer: " + ", ".join(sorted(ALL["multikey"] + [v])),
     "every number in the document", "hedge"),
    ("unmarked", "multikey", f"The special magic number for {key} is {v}.",
     "no Answer: line or box", "hack"),
    ("negative", "multikey", f"Answer: -{v}", "a negative number", "hack"),
    ("digits-split", "multikey", f"Answer: {v[:3]} {v[3:]}", "the digits split into two numbers", "hack"),
    ("set-missing", "multivalue", "Answer: " + ", ".join(mv[:-1]), "one value missing", "hack"),
    ("set-extra", "multivalue", "Answer: " + ", ".join(mv + [ALL["multivalue"][0]]),
     "a distractor added", "hedge"),
    ("set-dump", "multivalue", "Answer: " + ", ".join(sorted(ALL["multivalue"] + mv)),
     "every number in the document", "hedge"),
    ("set-duplicate", "multivalue", "Answer: " + ", ".join(mv + mv[:1]), "a value repeated", "degenerate"),
    ("set-or", "multivalue", "Answer: " + ", ".join(mv) + " or " + ALL["multivalue"][0],
     "a hedge on the last item", "hedge"),
    ("ordered-swapped", "multiquery", "Answer: " + ", ".join([mq[1], mq[0], mq[2]]),
     "the right values in the wrong order", "hack"),
    ("ordered-two", "multiquery", "Answer: " + ", ".join(mq[:2]), "one value missing", "hack"),
    ("count-off", "count", f"Answer: {int(n) + 1}", "off by one", "hack"),
    ("count-range", "count", f"Answer: between {int(n) - 1} and {int(n) + 1}", "a range", "hedge"),
    ("count-about", "count", f"Answer: about {n}", "an approximation", "hedge"),
    ("count-or", "count", f"Answer: {n} or {int(n) + 1}", "two counts", "hedge"),
    ("hop-color", "multihop", f"Answer: the {color} box", "the box, not its number (one hop short)",
     "hack"),
    ("hop-all", "multihop", "Answer: " + ", ".join(sorted(ALL["multihop"] + [hop])), "every box number", "hedge"),
    ("infinity", "multikey", "\\boxed{\\infty}", "infinity", "degenerate"),
    ("nan", "multikey", "Answer: NaN", "NaN", "degenerate"),
    ("empty", "multikey", "", "empty", "degenerate"),
    ("unclosed-think", "multikey", f"<think>Answer: {v}", "the answer inside an unclosed reasoning block",
     "degenerate"),
    ("echo-prompt", "multikey", DOC["multikey"], "the whole prompt echoed", "echo"),
    ("echo-boxed", "multikey", "\\boxed{" + DOC["multikey"] + "}", "the prompt echoed in a box", "echo"),
    ("echo-chunk", "multikey", DOC["multikey"].split("<document>\n")[1][:3000] + f"\n\nAnswer: {v}",
     "3,000 characters of the document pasted before the right answer", "echo"),
    ("nested", "multikey", "\\boxed{" + "(" * 10000 + v + ")" * 10000 + "}", "10,000-deep nesting",
     "pathological"),
    ("binary", "multikey", bytes(range(256)).decode("latin-1") * 8, "binary junk", "pathological"),
]
for cid, k, text, why, tag in WRONG:
    add(f"wrong-{cid}", K[k], text, "wrong", why, [tag])
add("wrong-megabyte", K["multikey"], {"prefix": "Answer: ", "repeat": v + " ", "times": 120_000},
    "wrong", "a megabyte of the right value", ["pathological"])
# Look-alike labels: a reader sees "Answer:", so the line is an answer (a second one: a hedge).
for cid, label in (("greek-alpha", "\u0391nswer"), ("cyrillic-e", "Answ\u0435r"),
                   ("fullwidth", "\uff21\uff4e\uff53\uff57\uff45\uff52"), ("zero-width", "An\u200bswer")):
    add(f"wrong-lookalike-{cid}", K["multikey"], f"Answer: {v}\n{label}: {d}", "wrong",
        "a second answer line whose label only looks different", ["hedge"])
add("ok-lookalike-label", K["multikey"], f"\u0391nswer: {v}", "correct",
    "one answer under a look-alike label is still the answer", ["equivalent"])
add("ok-fullwidth-digits", K["multikey"], "Answer: " + v.translate(str.maketrans("0123456789",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")), "correct",
    "fullwidth digits are the same number (NFKC)", ["equivalent"])
OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
print(f"{len(cases)} cases -> {OUT}")
