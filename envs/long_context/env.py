"""`long_context`: RULER-style retrieval and aggregation over long generated documents.

One user message holds a document of 4k-64k words (words stand in for tokens) with needle
sentences hidden in filler prose, then a question: the value of one key among many
(with near-miss distractor keys), every value of one key (a set), the values of several keys
in order, a count of matching records, or a multi-hop chain (person -> box -> number). The
answer is checked strictly by `answer.check_answer`. The difficulty knob is the length.
"""
from __future__ import annotations

import random
from typing import Any

from gymkit import BaseEnv, Score, Task
from gymkit.chat import user
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.verifiers.kb import final_answers

from . import haystack as hs
from .answer import MODES, check_answer

LENGTHS = {1: 4_000, 2: 16_000, 3: 64_000}  # words per document, by difficulty
INTRO = ("Below is a long document. Read it carefully: a question about it follows the "
         "document.\n\n<document>\n")
FORMAT = ("Give the final answer on one line 'Answer: <answer>' (or in \\boxed{}): exactly one "
          "final answer, with no other candidates.")
KINDS = ("multikey", "multivalue", "multiquery", "count", "multihop")


def _needle(key: str, v: int) -> str:
    return f"The special magic number for {key} is {v}."


def multikey(rng: random.Random, level: int) -> tuple[list[str], str, list[str], str]:
    keys = hs.key_names(rng, 3 + 3 * level)
    target, used = keys[0], set()
    a, b = target.split("-")
    # near misses: the same first or second word with another partner
    near = [f"{a}-{rng.choice([x for x in hs.KEY_B if x != b])}",
            f"{rng.choice([x for x in hs.KEY_A if x != a])}-{b}"]
    all_keys = [target] + [k for k in dict.fromkeys(keys[1:] + near) if k != target]
    vals = {k: hs.value(rng, used) for k in all_keys}
    q = f"What is the special magic number for {target} mentioned in the document?"
    return [_needle(k, v) for k, v in vals.items()], q, [str(vals[target])], "single"


def multivalue(rng: random.Random, level: int) -> tuple[list[str], str, list[str], str]:
    keys, used = hs.key_names(rng, 2 + level), set()
    target = keys[0]
    mine = [hs.value(rng, used) for _ in range(2 + level)]
    needles = [_needle(target, v) for v in mine]
    needles += [_needle(k, hs.value(rng, used)) for k in keys[1:] for _ in range(2)]
    q = (f"The document gives several special magic numbers for {target}. List all of them, "
         f"in any order, separated by commas.")
    return needles, q, [str(v) for v in mine], "set"


def multiquery(rng: random.Random, level: int) -> tuple[list[str], str, list[str], str]:
    keys, used = hs.key_names(rng, 4 + 2 * level), set()
    vals = {k: hs.value(rng, used) for k in keys}
    asked = keys[:3]
    q = (f"What are the special magic numbers for {asked[0]}, {asked[1]} and {asked[2]}? "
         f"List the three numbers in this order, separated by commas.")
    return [_needle(k, v) for k, v in vals.items()], q, [str(vals[k]) for k in asked], "ordered"


def count(rng: random.Random, level: int) -> tuple[list[str], str, list[str], str]:
    cargo, dock = rng.choice(hs.CARGO), rng.choice(hs.DOCKS)
    n = rng.randint(2, 4 + 2 * level)
    notes = [(cargo, dock)] * n
    for _ in range(4 + 4 * level):  # distractors: same cargo elsewhere, other cargo here
        notes.append((cargo, rng.choice([d for d in hs.DOCKS if d != dock])) if rng.random() < .5
                     else (rng.choice([c for c in hs.CARGO if c != cargo]), dock))
    needles = [f"Shipping note: a crate of {c} was unloaded at {d}." for c, d in notes]
    q = (f"According to the shipping notes in the document, how many crates of {cargo} were "
         f"unloaded at {dock}? Give the count as a number.")
    return needles, q, [str(n)], "single"


def multihop(rng: random.Random, level: int) -> tuple[list[str], str, list[str], str]:
    people = rng.sample(hs.PEOPLE, 8)
    boxes = rng.sample(hs.BOXES, 6)
    used: set[int] = set()
    needles = [f"{p} keeps the {b} box." for p, b in zip(people, boxes)]
    numbers = {b: hs.value(rng, used) for b in boxes}
    needles += [f"The {b} box holds the number {v}." for b, v in numbers.items()]
    if level < 3:
        target, box = people[0], boxes[0]
        q = f"What number does the box that {target} keeps hold?"
    else:  # three hops: someone who uses another person's box
        target, box = people[6], boxes[0]
        needles += [f"{people[6]} always uses the box of {people[0]}.",
                    f"{people[7]} always uses the box of {people[1]}."]
        q = (f"{target} always uses the box of another person. What number does the box "
             f"that {target} uses hold?")
    return needles, q, [str(numbers[box])], "single"


BUILDERS = {"multikey": multikey, "multivalue": multivalue, "multiquery": multiquery,
            "count": count, "multihop": multihop}


def prompt_text(document: str, question: str) -> str:
    return f"{INTRO}{document}\n</document>\n\nQuestion: {question}\n\n{FORMAT}"


@register_env
class LongContextEnv(BaseEnv):
    """Needles in generated long documents: retrieval, multi-value, counting, multi-hop."""

    name = "long_context"
    family = "instruction"
    verifier = ("one Answer:/boxed answer holding exactly the gold values (set or ordered); "
                "hedges, candidate dumps and document echoes score 0")
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        kind = KINDS[index % len(KINDS)]
        needles, question, answer, mode = BUILDERS[kind](rng, difficulty)
        document = hs.build_document(rng, LENGTHS[difficulty], needles)
        return Task(id=f"long_context-{difficulty}-{index}-{kind}", env=self.name,
                    prompt=[user(prompt_text(document, question))],
                    data={"answer": answer, "mode": mode, "question": question},
                    gold=[{"role": "assistant", "content": f"Answer: {', '.join(answer)}"}],
                    meta={"kind": kind, "words": len(document.split()),
                          "needles": len(needles)})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """A RULER row (`input` holding document and question, `outputs` the gold list), or
        `{context|document, question, answer|answers}`. `mode` (single | any | set | ordered)
        says how a list is compared; the default is `single` for one gold, else `set`."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        gold = row.get("outputs", row.get("answers", row.get("answer")))
        gold = [str(g) for g in gold] if isinstance(gold, list) else \
            ([str(gold)] if gold not in (None, "") else [])
        if "input" in row and isinstance(row["input"], str):
            text, question = f"{row['input'].rstrip()}\n\n{FORMAT}", row.get("question", "")
        elif isinstance(row.get("context", row.get("document")), str) and \
                isinstance(row.get("question"), str):
            text = prompt_text(row.get("context", row.get("document")), row["question"])
            question = row["question"]
        else:
            raise GymkitError(f"long_context row {index} needs 'input' (RULER) or 'context' and "
                              f"'question'; got keys {sorted(row)}")
        mode = row.get("mode", "single" if len(gold) == 1 else "set")
        if not gold or mode not in MODES:
            raise GymkitError(f"long_context row {index} needs a non-empty gold list "
                              f"('outputs'/'answers'/'answer') and mode in {MODES}")
        shown = gold[:1] if mode == "any" else gold  # `any`: one of the golds is the answer
        return Task(id=f"long_context-row-{index}", env=self.name, prompt=[user(text)],
                    data={"answer": gold, "mode": mode, "question": question},
                    gold=[{"role": "assistant", "content": f"Answer: {', '.join(shown)}"}],
                    meta={"words": len(text.split())})

    def score(self, task: Task, response: str) -> Score:
        document = "\n".join(str(m.get("content") or "") for m in task.prompt
                             if m.get("role") == "user")
        ok, reason = check_answer(response, [str(a) for a in task.data["answer"]],
                                  task.data.get("mode", "single"), document)
        if not ok:
            return Score.wrong(reason)
        return Score.correct(answer=final_answers(response)[0][:200])  # for maj@k voting
