"""The `mcq` env: multiple-choice questions; the chosen letter is extracted strictly."""
from __future__ import annotations

import random
import string
from typing import Any

from gymkit import BaseEnv, Score, Task
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.verifiers.math_answer import extract_choice

from .items import MAKERS

N_CHOICES = {1: 3, 2: 4, 3: 6}
MAX_CHARS = 32_000  # a final answer (thinking stripped) this long is a flood, not a choice


def render(question: str, labels: list[str], choices: list[str]) -> str:
    lines = [question, ""] + [f"({lab}) {c}" for lab, c in zip(labels, choices)]
    return "\n".join(lines + ["", "Answer with the letter of the correct option, as \\boxed{LETTER}."])


def normalize_row(row: dict[str, Any], index: int) -> tuple[str, list[str], list[str], str]:
    """(question, labels, choices, answer label) from MMLU, ARC, or `A`..`D`-column rows."""
    q = row.get("question") or row.get("stem") or row.get("query")
    ch = row.get("choices", row.get("options"))
    labels: list[str] | None = None
    if isinstance(ch, dict):  # ARC: {"text": [...], "label": ["A", ...]}
        choices, labels = list(ch.get("text", [])), [str(x) for x in ch.get("label", [])]
    elif isinstance(ch, list):
        choices = [str(c) for c in ch]
    else:
        choices = [str(row[c]) for c in string.ascii_uppercase[:10] if c in row]
    labels = labels or list(string.ascii_uppercase[:len(choices)])
    ans = row.get("answer", row.get("answerKey", row.get("label")))
    if not q or len(choices) < 2 or len(labels) != len(choices) or ans is None:
        raise GymkitError(f"mcq row {index} needs a question, 2+ choices and an answer (letter or "
                          f"index); it has keys {sorted(row)}")
    if isinstance(ans, int) and not isinstance(ans, bool) and 0 <= ans < len(choices):
        return str(q), labels, choices, labels[ans]
    ans = str(ans).strip().strip("()")
    if ans in labels:
        return str(q), labels, choices, ans
    if ans.upper() in labels:
        return str(q), labels, choices, ans.upper()
    raise GymkitError(f"mcq row {index}: answer {ans!r} is not one of the labels {labels}")


@register_env
class MCQEnv(BaseEnv):
    """Offline multiple-choice questions with shuffled distractors; MMLU/ARC rows load too."""

    name = "mcq"
    family = "math"
    verifier = "strict letter extraction (\\boxed{B}, 'Answer: B', '(B)'); two letters score 0"
    difficulties = (1, 2, 3)

    def _task(self, task_id: str, question: str, labels: list[str], choices: list[str],
              answer: str) -> Task:
        return Task(id=task_id, env=self.name,
                    prompt=[{"role": "user", "content": render(question, labels, choices)}],
                    data={"labels": labels, "choices": choices, "answer": answer},
                    gold=[{"role": "assistant", "content": f"\\boxed{{{answer}}}"}])

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        k = N_CHOICES[difficulty]
        question, right, wrong = rng.choice(MAKERS)(rng, difficulty, k - 1)
        choices = [right] + wrong
        rng.shuffle(choices)
        labels = list(string.ascii_uppercase[:k])
        return self._task(f"mcq-{difficulty}-{index}", question, labels, choices,
                          labels[choices.index(right)])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        if "prompt" in row and "env" in row:
            return super().task_from_row(row, index)
        return self._task(f"mcq-row-{index}", *normalize_row(row, index))

    def score(self, task: Task, response: str) -> Score:
        d = task.data
        if len(response) > MAX_CHARS:
            return Score.wrong(f"response longer than {MAX_CHARS} characters")
        ex = extract_choice(response, d["labels"], d["choices"])
        if not ex.ok:
            return Score.wrong(ex.reason or "no option chosen")
        got = ex.answers[0]
        return Score.correct(answer=got) if got == d["answer"] else Score.wrong(
            f"chose {got}, not {d['answer']}", answer=got)
