"""N-queens tasks (optionally with queens fixed in advance): generation, rows, scoring."""
from __future__ import annotations

import random
from typing import Any

from gymkit.errors import GymkitError
from gymkit.types import Score
from gymkit.verifiers.puzzles import (QUEEN_CELLS, QUEEN_SEPARATORS, one_grid, queens_errors,
                                      queens_solve)

LEVELS = {1: ((5, 6), 1), 2: ((8,), 1), 3: ((10, 11, 12), 2)}  # difficulty -> (sizes, fixed)


def render(n: int, cols: dict[int, int]) -> str:
    return "\n".join(" ".join("Q" if cols.get(r) == c else "." for c in range(n)) for r in range(n))


def task(n: int, givens: list[list[int]], solution: list[int] | None) -> tuple[str, dict, str | None]:
    article = "an" if str(n).startswith("8") or n in (11, 18) else "a"
    fixed = ", ".join(f"row {r + 1} column {c + 1}" for r, c in givens)
    text = (f"Place {n} queens on {article} {n}x{n} board so that no two queens share a row, a column "
            f"or a diagonal. Rows and columns are numbered 1 to {n} from the top-left corner. "
            + (f"Queens are already fixed at {fixed}; keep them:\n\n```\n"
               f"{render(n, dict(givens))}\n```\n\n" if givens else "\n\n")
            + f"Answer with the full board in one fenced code block: {n} lines of {n} cells "
              f"separated by spaces, Q for a queen and . for an empty square. Write only one "
              f"board with all {n} queens.")
    gold = f"```\n{render(n, dict(enumerate(solution)))}\n```" if solution else None
    return text, {"kind": "nqueens", "n": n, "givens": givens}, gold


def generate(rng: random.Random, difficulty: int) -> tuple[str, dict, str]:
    sizes, n_fixed = LEVELS[difficulty]
    n = rng.choice(sizes)
    solution = queens_solve(n, rng)
    rows = sorted(rng.sample(range(n), n_fixed))
    return task(n, [[r, solution[r]] for r in rows], solution)


def from_row(row: dict[str, Any], index: int) -> tuple[str, dict, str | None]:
    """Rows `{n, givens?}` with givens as 1-based `[row, column]` pairs."""
    n = row["n"]
    givens = row.get("givens") or []
    if not isinstance(n, int) or not 4 <= n <= 20:
        raise GymkitError(f"row {index}: n-queens needs an integer n from 4 to 20, got {n!r}")
    if not all(isinstance(g, list) and len(g) == 2 and all(1 <= x <= n for x in g) for g in givens):
        raise GymkitError(f"row {index}: givens must be 1-based [row, column] pairs within 1..{n}")
    zero = [[r - 1, c - 1] for r, c in givens]
    solution = queens_solve(n, random.Random(index), fixed={r: c for r, c in zero})
    if solution is None:
        raise GymkitError(f"row {index}: no placement of {n} queens keeps the given queens")
    return task(n, zero, solution)


def score(data: dict[str, Any], response: str) -> Score:
    n = data["n"]
    board, why = one_grid(response, n, QUEEN_CELLS, QUEEN_SEPARATORS,
                          complete=lambda g: sum(map(sum, g)) == n)
    if board is None:
        return Score.wrong(why)
    errors = queens_errors(board, [tuple(g) for g in data["givens"]])
    return Score.wrong(errors[0], errors=errors[:5]) if errors else Score.correct()
