"""Writes cases.jsonl: the mcq fidelity suite (run from the repo root with the venv python).

Each template is filled per generated task: {R} the right label, {W} a wrong one, {T} the right
option's text, {WT} a wrong option's text, {ALL} every label, {Q} the prompt.
"""
import json
from pathlib import Path

from gymkit.registry import make_env

OUT = Path(__file__).with_name("cases.jsonl")
TASKS = [(0, 1), (1, 2), (2, 3), (3, 3)]  # (seed, difficulty), index 0

CORRECT = {  # id -> (template, why it is the same answer)
    "boxed": (r"\boxed{{{R}}}", "the requested form"),
    "boxed-parens": (r"\boxed{{({R})}}", "a parenthesised label in the box"),
    "boxed-text": (r"\boxed{{\text{{{R}}}}}", "\\text around the label"),
    "boxed-textbf": (r"\boxed{{\textbf{{{R}}}}}", "bold label (issue 9 false negative)"),
    "boxed-mathbf": (r"\boxed{{\mathbf{{{R}}}}}", "math bold label"),
    "boxed-label-and-text": (r"\boxed{{({R}) {T}}}", "label plus its own option text (issue 9)"),
    "boxed-label-dot-text": (r"\boxed{{{R}. {T}}}", "'A. text' in the box (issue 9)"),
    "boxed-option-text": (r"\boxed{{{T}}}", "the box holds exactly the right option's text"),
    "boxed-dollars": (r"So the answer is $\boxed{{{R}}}$.", "box inside math mode"),
    "boxed-twice-same": (r"\boxed{{{R}}} ... to confirm: \boxed{{{R}}}", "the same box twice"),
    "answer-colon": ("Answer: {R}", "an explicit answer line"),
    "answer-bold": ("**Answer:** {R}", "markdown-bold answer line"),
    "answer-is-parens": ("Comparing the options, the answer is ({R}).", "'the answer is (X)'"),
    "bare-label": ("{R}", "a reply that is only the label"),
    "bare-label-parens": ("({R})", "only the label in parentheses"),
    "reasoning-then-box": ("Option ({W}) does not fit the facts given, and neither do the others "
                           "except one.\n\n\\boxed{{{R}}}", "discussion of a wrong option, then one box"),
    "think-then-box": ("<think>Maybe ({W})? No.</think>\n\\boxed{{{R}}}", "reasoning is not scored"),
    "answer-then-why": ("Answer: {R}, because the question states it directly.",
                        "an answer with a reason after a comma"),
}
WRONG = {  # id -> (template, why it must not score)
    "wrong-box": (r"\boxed{{{W}}}", "a wrong option", ["wrong"]),
    "answer-all-labels": ("Answer: {ALL}", "listing every option (issue 9: read as the first)", ["hedge"]),
    "answer-two-or": ("Answer: {R} or {W}", "two options joined by 'or'", ["hedge"]),
    "answer-two-and": ("The answer is {W} and {R}", "two options joined by 'and'", ["hedge"]),
    "answer-slash": ("Answer: {R}/{W}", "two options with a slash", ["hedge"]),
    "two-boxes": (r"\boxed{{{R}}} or maybe \boxed{{{W}}}", "two different boxes", ["hedge"]),
    "box-and-answer-line-differ": (r"\boxed{{{R}}}" + "\n\nAnswer: {W}", "box and answer line disagree",
                                   ["hedge"]),
    "box-comma-list": (r"\boxed{{{R}, {W}}}", "two labels in one box", ["hedge"]),
    "box-label-wrong-text": (r"\boxed{{{R}. {WT}}}", "the right label with a wrong option's text",
                             ["hedge"]),
    "box-wrong-label-right-text": (r"\boxed{{({W}) {T}}}", "a wrong label with the right text",
                                   ["hedge"]),
    "mentions-all": ("{PARENS}", "every option mentioned in parentheses", ["hedge"]),
    "echo-prompt": ("{Q}", "the question echoed back lists every option", ["echo"]),
    "echo-prompt-boxed": (r"\boxed{{{Q}}}", "the question echoed inside a box", ["echo"]),
    "bare-all-letters": ("{SPACED}", "all letters in a row", ["hedge"]),
    "no-choice": ("The correct option is the one that matches the question.", "no option chosen",
                  ["degenerate"]),
    "empty-box": (r"\boxed{{}}", "an empty box", ["degenerate"]),
    "infinity-box": (r"\boxed{{\infty}}", "infinity is not an option", ["hack"]),
    "unclosed-think": ("<think>the answer is {R}", "no answer after an unterminated <think>",
                       ["pathological"]),
}


def fill(template: str, t) -> str:
    d = t.data
    r = d["answer"]
    w = next(x for x in d["labels"] if x != r)
    return template.format(R=r, W=w, T=d["choices"][d["labels"].index(r)],
                           WT=d["choices"][d["labels"].index(w)], ALL=", ".join(d["labels"]),
                           PARENS=" ".join(f"({x})" for x in d["labels"]),
                           SPACED=" ".join(d["labels"]), Q=t.prompt[0]["content"])


def main() -> None:
    env = make_env("mcq")
    cases = []
    for seed, diff in TASKS:
        t = env.generate(1, seed=seed, difficulty=diff)[0]
        gen = {"seed": seed, "difficulty": diff, "index": 0}
        sfx = f"s{seed}d{diff}"
        for cid, (tpl, why) in CORRECT.items():
            cases.append({"id": f"{cid}-{sfx}", "gen": gen, "response": fill(tpl, t),
                          "expect": "correct", "reason": why, "tags": ["equivalent"]})
        for cid, (tpl, why, tags) in WRONG.items():
            cases.append({"id": f"{cid}-{sfx}", "gen": gen, "response": fill(tpl, t),
                          "expect": "wrong", "reason": why, "tags": tags})
    gen = {"seed": 0, "difficulty": 2, "index": 0}
    t = env.generate(1, seed=0, difficulty=2)[0]
    r = t.data["answer"]
    rt = t.data["choices"][t.data["labels"].index(r)]
    cases += [
        {"id": "megabyte-letters", "gen": gen, "response_gen": {"repeat": f"({r}) ", "times": 250_000},
         "expect": "wrong", "reason": "1 MB repeating one label is a flood, not an answer (length cap)",
         "tags": ["pathological"]},
        {"id": "megabyte-all-labels", "gen": gen,
         "response_gen": {"repeat": " ".join(f"({x})" for x in t.data["labels"]) + " ", "times": 60_000},
         "expect": "wrong", "reason": "1 MB of every option", "tags": ["pathological", "hedge"]},
        {"id": "deep-braces", "gen": gen, "response_gen": {"prefix": "\\boxed{", "repeat": "{",
                                                           "times": 10_000, "suffix": r + "}" * 10_001},
         "expect": "wrong", "reason": "10,000 nested braces around the label", "tags": ["pathological"]},
        {"id": "binary", "gen": gen, "response": "".join(chr(i) for i in range(256)) * 8,
         "expect": "wrong", "reason": "binary junk", "tags": ["pathological"]},
        {"id": "many-answer-lines", "gen": gen,
         "response": "\n".join(f"Answer: {x}" for x in t.data["labels"]),
         "expect": "wrong", "reason": "one answer line per option", "tags": ["hedge"]},
        {"id": "lowercase-label", "gen": gen, "response": f"answer: {r.lower()}", "expect": "correct",
         "reason": "the right letter in lowercase", "tags": ["equivalent"],
         "known_limit": "labels match case-sensitively so the article 'a' is never read as option A"},
        {"id": "option-text-unboxed", "gen": gen, "response": f"It is {rt}.", "expect": "correct",
         "reason": "the right option's text stated in prose", "tags": ["equivalent"],
         "known_limit": "option text is read only inside a box or as a whole Answer line; prose is not parsed for it"},
    ]
    long_ok = "Let me check each option against the question. " * 40 + f"\n\\boxed{{{r}}}"
    cases.append({"id": "long-reasoning-then-box", "gen": gen, "response": long_ok,
                  "expect": "correct", "reason": "a few KB of reasoning before one box is fine",
                  "tags": ["equivalent"]})
    OUT.write_text("".join(json.dumps(c) + "\n" for c in cases))
    print(f"{len(cases)} cases -> {OUT}")


main()
