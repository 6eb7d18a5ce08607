"""Sudoku tasks: generation (unique solution), the standard puzzle-string rows, scoring."""
from __future__ import annotations

import math
import random
from typing import Any

from gymkit.errors import GymkitError
from gymkit.types import Score
from gymkit.verifiers.puzzles import (SUDOKU_CELLS, SUDOKU_SEPARATORS, make_sudoku, one_grid,
                                      sudoku_box, sudoku_errors, sudoku_solve)

LEVELS = {1: (4, 8), 2: (9, 36), 3: (9, 52)}  # difficulty -> (size, blanks)


def render(grid: list[list[int]], blank: str = ".") -> str:
    return "\n".join(" ".join(str(v) if v else blank for v in row) for row in grid)


def prompt(puzzle: list[list[int]]) -> str:
    n = len(puzzle)
    bh, bw = sudoku_box(n)
    return (f"Solve this {n}x{n} sudoku. Replace every `.` with a digit from 1 to {n} so that each "
            f"row, each column and each {bh}x{bw} box contains every digit exactly once. Keep "
            f"the given digits.\n\n```\n{render(puzzle)}\n```\n\nAnswer with the completed grid "
            f"in one fenced code block: {n} lines of {n} digits separated by spaces. Write only "
            f"one completed grid.")


def task(puzzle: list[list[int]], solution: list[list[int]] | None) -> tuple[str, dict, str | None]:
    gold = f"```\n{render(solution)}\n```" if solution else None
    return prompt(puzzle), {"kind": "sudoku", "puzzle": puzzle}, gold


def generate(rng: random.Random, difficulty: int) -> tuple[str, dict, str]:
    size, blanks = LEVELS[difficulty]
    puzzle, solution = make_sudoku(rng, size, blanks)
    return task(puzzle, solution)


def parse_string(text: str, index: int) -> list[list[int]]:
    """`"53..7...."` or `"530070000"` (row-major, 0 or . for blanks) -> grid."""
    text = "".join(text.split())
    n = math.isqrt(len(text))
    if n not in (4, 6, 9) or n * n != len(text) or any(c not in "0123456789." for c in text):
        raise GymkitError(f"row {index}: a sudoku string must be 16, 36 or 81 characters of "
                          f"digits with 0 or . for blanks, got {text[:30]!r}")
    return [[int(c) if c != "." else 0 for c in text[r * n:(r + 1) * n]] for r in range(n)]


def from_row(row: dict[str, Any], index: int) -> tuple[str, dict, str | None]:
    """Rows `{puzzle, solution?}` (also Kaggle's `{quizzes, solutions}`)."""
    puzzle = parse_string(str(row.get("puzzle", row.get("quizzes", row.get("question")))), index)
    raw = row.get("solution", row.get("solutions"))
    solution = parse_string(str(raw), index) if raw else None
    if solution and sudoku_errors(solution, puzzle):
        raise GymkitError(f"row {index}: the solution does not solve the puzzle "
                          f"({sudoku_errors(solution, puzzle)[0]})")
    if solution is None:  # any solution serves as gold; none at all is a broken row
        found = sudoku_solve(puzzle, limit=1)
        if not found:
            raise GymkitError(f"row {index}: the sudoku puzzle has no solution")
        solution = found[0]
    return task(puzzle, solution)


def score(data: dict[str, Any], response: str) -> Score:
    puzzle = data["puzzle"]
    n = len(puzzle)
    grid, why = one_grid(response, n, SUDOKU_CELLS, SUDOKU_SEPARATORS,
                         complete=lambda g: all(v for row in g for v in row))
    if grid is None:
        return Score.wrong(why)
    errors = sudoku_errors(grid, puzzle)
    return Score.wrong(errors[0], errors=errors[:5]) if errors else Score.correct()
