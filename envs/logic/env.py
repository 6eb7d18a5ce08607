"""`logic`: sudoku, n-queens and zebra puzzles, checked by constraint checkers (any valid
solution scores), not by comparison with one stored answer."""
from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.puzzles import (QUEEN_CELLS, QUEEN_SEPARATORS, SUDOKU_CELLS,
                                      SUDOKU_SEPARATORS, other_boards)
from gymkit.verifiers.structured import extract_json_object

from . import queens, sudoku, zebra

KINDS = {"sudoku": sudoku, "nqueens": queens, "zebra": zebra}
MAX_CHARS = 50_000  # a solved 12x12 board or 5-house JSON is under 2 KB; floods are not answers


@register_env
class LogicEnv(BaseEnv):
    """Constraint puzzles. Config: `kinds=("sudoku", "nqueens", "zebra")` picks the mix."""

    name = "logic"
    family = "math"
    verifier = "constraint checker: sudoku rules + givens, non-attacking queens, every zebra clue"
    difficulties = (1, 2, 3)

    def __init__(self, kinds: tuple[str, ...] | list[str] = tuple(KINDS), **config: Any) -> None:
        super().__init__(kinds=tuple(kinds), **config)
        for k in kinds:
            if k not in KINDS:
                raise GymkitError(f"unknown logic puzzle kind {k!r}; choose from: {', '.join(KINDS)}")
        self.kinds = tuple(kinds)

    def _task(self, text: str, data: dict, gold: str | None, prefix: str, **extra: Any) -> Task:
        digest = hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()[:8]
        return Task(id=f"{prefix}-{data['kind']}-{digest}", env=self.name,
                    prompt=[{"role": "user", "content": text}], data=data,
                    gold=[{"role": "assistant", "content": gold}] if gold else None,
                    meta={"kind": data["kind"]}, **extra)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        kind = rng.choice(self.kinds)
        text, data, gold = KINDS[kind].generate(rng, difficulty)
        return self._task(text, data, gold, f"logic-d{difficulty}-{index}")

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Sudoku `{puzzle, solution?}` strings, n-queens `{n, givens?}`, ZebraLogic
        `{puzzle, solution: {header, rows}}`, or stored gymkit Task rows."""
        if "env" in row and "prompt" in row:
            return super().task_from_row(row, index)
        if isinstance(row.get("solution"), dict) and "puzzle" in row:
            module = zebra
        elif any(isinstance(row.get(k), str) for k in ("puzzle", "quizzes", "question")):
            module = sudoku
        elif "n" in row:
            module = queens
        else:
            raise GymkitError(f"row {index}: logic rows are sudoku {{puzzle, solution}}, n-queens "
                              f"{{n, givens}} or ZebraLogic {{puzzle, solution: {{header, rows}}}}; "
                              f"got keys {sorted(row)}")
        text, data, gold = module.from_row(row, index)
        return self._task(text, data, gold, str(row.get("id", f"logic-row-{index}")))

    def score(self, task: Task, response: str) -> Score:
        if len(response) > MAX_CHARS:
            return Score.wrong(f"response longer than {MAX_CHARS} characters")
        kind = task.data.get("kind")
        if kind not in KINDS:
            return Score.failed(f"task {task.id} has unknown puzzle kind {kind!r}")
        if (why := second_answer(kind, task.data, response)) is not None:
            return Score.wrong(why)
        return KINDS[kind].score(task.data, response)


def second_answer(kind: str, data: dict[str, Any], response: str) -> str | None:
    """Why `response` also answers some other puzzle (a board of another size, a zebra grid
    next to a board, a board next to a zebra grid), or None. Write only one answer."""
    n = data["n"] if kind == "nqueens" else len(data["puzzle"]) if kind == "sudoku" else None
    sizes = (other_boards(response, n, SUDOKU_CELLS, SUDOKU_SEPARATORS, lambda run, m: all(run))
             + other_boards(response, n, QUEEN_CELLS, QUEEN_SEPARATORS,
                            lambda run, m: sum(run) == m))
    if sizes:
        return f"two answers: a {sizes[0]}x{sizes[0]} board besides the answer"
    if kind != "zebra" and "{" in response:
        got = extract_json_object(response, allow_arrays=True)
        houses = got.value if isinstance(got.value, list) else list((got.value or {}).values())
        if got.ok and houses and all(isinstance(h, dict) for h in houses):
            return "two answers: a house-by-house JSON assignment besides the board"
    return None
