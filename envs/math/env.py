"""The `math` env: arithmetic and word problems; the final answer must be `\\boxed{}`."""
from __future__ import annotations

import random
import re
from typing import Any

from gymkit import BaseEnv, Score, Task
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.verifiers.math_answer import find_boxed
from gymkit.verifiers.math_equiv import score_boxed

from .problems import GENERATORS, fmt

INSTRUCTION = "Solve the problem. Put your final answer in \\boxed{}."
QUESTION_KEYS = ("question", "problem", "query", "input")
ANSWER_KEYS = ("answer", "final_answer", "solution", "target", "gold")


def gold_from_answer_field(text: Any) -> str:
    """The final answer of a dataset's answer field: GSM8K `... #### 42`, a MATH solution's last
    `\\boxed{}`, or the plain answer itself."""
    s = str(text).strip()
    if "####" in s:
        return s.rsplit("####", 1)[1].strip()
    boxes = find_boxed(s)
    return boxes[-1].strip() if boxes else s


@register_env
class MathEnv(BaseEnv):
    """Arithmetic, fractions, percentages and word problems with exact gold answers."""

    name = "math"
    family = "math"
    verifier = ("strict \\boxed{} answer in a final form (no echoed arithmetic, hedges or infinities); "
                "exact numbers, then math-verify + sympy; shape checks before any parser")
    difficulties = (0, 1, 2, 3, 4)

    def __init__(self, fewshot: int = 0, **config: Any) -> None:
        """`fewshot`: worked examples (same level) as earlier chat turns; they teach small
        models the `\\boxed{}` format, which they otherwise rarely use."""
        if not isinstance(fewshot, int) or not 0 <= fewshot <= 8:
            raise GymkitError(f"math: fewshot must be an integer in 0..8, not {fewshot!r}")
        super().__init__(fewshot=fewshot, **config)
        self.fewshot = fewshot

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        question, answer, steps = GENERATORS[difficulty](rng)
        gold = fmt(answer)
        shots: list[dict[str, str]] = []
        for _ in range(self.fewshot):
            q, a, st = GENERATORS[difficulty](rng)
            shots += [{"role": "user", "content": f"{q}\n\n{INSTRUCTION}"},
                      {"role": "assistant", "content": f"{st}\n\n\\boxed{{{fmt(a)}}}"}]
        return Task(id=f"math-{difficulty}-{index}", env=self.name,
                    prompt=shots + [{"role": "user", "content": f"{question}\n\n{INSTRUCTION}"}],
                    data={"answer": gold, "question": question},
                    gold=[{"role": "assistant", "content": f"{steps}\n\n\\boxed{{{gold}}}"}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """`{question, answer}` rows, GSM8K (`#### 42`), MATH (`problem` + `solution`/`answer`)."""
        if "prompt" in row and "env" in row:
            return super().task_from_row(row, index)
        q_key = next((k for k in QUESTION_KEYS if row.get(k) not in (None, "")), None)
        # MATH rows carry both: the short `answer` beats the boxed one inside `solution`
        a_key = next((k for k in ANSWER_KEYS if row.get(k) not in (None, "")), None)
        if q_key is None or a_key is None:
            raise GymkitError(f"math row {index} needs a question ({'/'.join(QUESTION_KEYS)}) and "
                              f"an answer ({'/'.join(ANSWER_KEYS)}); it has keys {sorted(row)}")
        question, gold = str(row[q_key]).strip(), gold_from_answer_field(row[a_key])
        if not gold:
            raise GymkitError(f"math row {index}: the {a_key!r} field holds no final answer")
        return Task(id=f"math-row-{index}", env=self.name,
                    prompt=[{"role": "user", "content": f"{question}\n\n{INSTRUCTION}"}],
                    data={"answer": gold, "question": question},
                    gold=[{"role": "assistant", "content": f"\\boxed{{{gold}}}"}],
                    meta={k: v for k, v in row.items() if k in ("level", "type", "subject")})

    def score(self, task: Task, response: str) -> Score:
        return score_boxed(response, str(task.data["answer"]), task.data.get("question"))
