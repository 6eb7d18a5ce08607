"""Constraint puzzles: sudoku, n-queens and zebra. Checkers accept *any* valid solution, and
the solvers let generators prove what they claim (a unique sudoku, a zebra clue set that pins
one assignment). Grids are parsed tolerantly from model text (see `find_grids`).
"""
from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from typing import Any

# ------------------------------------------------------------------------------ grid parsing
SUDOKU_CELLS = {**{str(d): d for d in range(1, 10)}, "0": 0, ".": 0, "_": 0}
SUDOKU_SEPARATORS = " \t|,;+-─│┃━┼═║[]"
QUEEN_CELLS = {"Q": 1, "q": 1, "♛": 1, "♕": 1, "1": 1, ".": 0, "_": 0, "·": 0, "0": 0}
QUEEN_SEPARATORS = " \t|,;[]+-─│"


def _row(line: str, cells: dict[str, int], separators: str) -> list[int] | None:
    """The cells of one grid line, or None if the line holds anything else (prose, fences)."""
    body = [c for c in line if c not in separators]
    if not body or any(c not in cells for c in body):
        return None
    return [cells[c] for c in body]


def grid_runs(text: str, cells: dict[str, int], separators: str) -> list[list[int]]:
    """The cells of every run of consecutive grid lines in `text` (blank and separator-only
    lines may sit inside a run; prose ends it), each read row-major."""
    runs: list[list[int]] = []
    run: list[int] = []
    for line in text.splitlines():
        if not line.strip() or all(c in separators for c in line):
            continue
        row = _row(line, cells, separators)
        if row is None:
            if run:
                runs.append(run)
            run = []
        else:
            run += row
    if run:
        runs.append(run)
    return runs


def find_grids(text: str, n: int, cells: dict[str, int], separators: str) -> list[list[list[int]]]:
    """Every n x n grid written in `text`: a run of grid lines holding n*n cells (`grid_runs`).
    So `5 3 4 | ...` rows, `534...` rows, one 81-digit line and JSON lists of lists all parse."""
    return [[run[i * n:(i + 1) * n] for i in range(n)]
            for run in grid_runs(text, cells, separators) if len(run) == n * n]


def other_boards(text: str, n: int | None, cells: dict[str, int], separators: str,
                 complete: Callable[[list[int], int], bool]) -> list[int]:
    """Sizes m != n (4 <= m <= 20) of complete square boards in `text` (`complete(cells, m)`):
    a filled board of another size next to the answer is a second answer, not working. Partial
    boards (a restated puzzle) do not count."""
    sizes = []
    for run in grid_runs(text, cells, separators):
        m = math.isqrt(len(run))
        if m * m == len(run) and 4 <= m <= 20 and m != n and complete(run, m):
            sizes.append(m)
    return sizes


def one_grid(text: str, n: int, cells: dict[str, int], separators: str,
             complete) -> tuple[list[list[int]] | None, str]:
    """The single complete grid in `text` (restated partial grids are ignored), or why not."""
    grids = find_grids(text, n, cells, separators)
    full = {str(g): g for g in grids if complete(g)}
    if len(full) > 1:
        return None, f"hedge: {len(full)} different complete grids"
    if full:
        return next(iter(full.values())), ""
    if grids:
        return None, "the grid is incomplete"
    return None, f"no {n}x{n} grid found"


# ------------------------------------------------------------------------------ sudoku
def sudoku_box(n: int) -> tuple[int, int]:
    """(box height, box width) for an n x n sudoku: 4 -> 2x2, 6 -> 2x3, 9 -> 3x3."""
    h = int(math.isqrt(n))
    while n % h:
        h -= 1
    return h, n // h


def sudoku_errors(grid: list[list[int]], givens: list[list[int]]) -> list[str]:
    """Why `grid` is not a solution of the puzzle `givens` (0 = blank); empty when it is."""
    n = len(givens)
    bh, bw = sudoku_box(n)
    want = set(range(1, n + 1))
    errors = [f"cell r{r + 1}c{c + 1} changes the given {givens[r][c]}"
              for r in range(n) for c in range(n) if givens[r][c] and grid[r][c] != givens[r][c]]
    units = [("row", i, grid[i]) for i in range(n)]
    units += [("column", i, [grid[r][i] for r in range(n)]) for i in range(n)]
    units += [("box", i, [grid[r][c] for r in range(i // (n // bw) * bh, i // (n // bw) * bh + bh)
                          for c in range(i % (n // bw) * bw, i % (n // bw) * bw + bw)])
              for i in range(n)]
    errors += [f"{kind} {i + 1} is not 1..{n} once each" for kind, i, u in units if set(u) != want]
    return errors


def sudoku_solve(givens: list[list[int]], limit: int = 2,
                 rng: random.Random | None = None) -> list[list[list[int]]]:
    """Up to `limit` solutions (bitmask backtracking, fewest-candidates cell first)."""
    n = len(givens)
    bh, bw = sudoku_box(n)
    full = (1 << (n + 1)) - 2
    grid = [row[:] for row in givens]
    rows, cols, boxes = [0] * n, [0] * n, [0] * n
    box = [[(r // bh) * (n // bw) + c // bw for c in range(n)] for r in range(n)]
    for r, c in itertools.product(range(n), repeat=2):
        if v := grid[r][c]:
            bit = 1 << v
            if (rows[r] | cols[c] | boxes[box[r][c]]) & bit:
                return []  # contradictory givens
            rows[r] |= bit; cols[c] |= bit; boxes[box[r][c]] |= bit  # noqa: E702
    empty = [(r, c) for r in range(n) for c in range(n) if not grid[r][c]]
    out: list[list[list[int]]] = []

    def search() -> None:
        best, best_mask, best_count = None, 0, n + 1
        for r, c in empty:
            if grid[r][c]:
                continue
            mask = full & ~(rows[r] | cols[c] | boxes[box[r][c]])
            count = bin(mask).count("1")
            if count < best_count:
                best, best_mask, best_count = (r, c), mask, count
                if count <= 1:
                    break
        if best is None:
            out.append([row[:] for row in grid])
            return
        r, c = best
        values = [v for v in range(1, n + 1) if best_mask >> v & 1]
        if rng is not None:
            rng.shuffle(values)
        for v in values:
            bit = 1 << v
            grid[r][c] = v
            rows[r] |= bit; cols[c] |= bit; boxes[box[r][c]] |= bit  # noqa: E702
            search()
            rows[r] ^= bit; cols[c] ^= bit; boxes[box[r][c]] ^= bit  # noqa: E702
            grid[r][c] = 0
            if len(out) >= limit:
                return

    search()
    return out


def make_sudoku(rng: random.Random, n: int, blanks: int) -> tuple[list[list[int]], list[list[int]]]:
    """(puzzle, solution): a random full grid, then cells blanked while the solution stays unique."""
    solution = sudoku_solve([[0] * n for _ in range(n)], limit=1, rng=rng)[0]
    puzzle = [row[:] for row in solution]
    cells = [(r, c) for r in range(n) for c in range(n)]
    rng.shuffle(cells)
    removed = 0
    for r, c in cells:
        if removed >= blanks:
            break
        keep, puzzle[r][c] = puzzle[r][c], 0
        if len(sudoku_solve(puzzle, limit=2)) == 1:
            removed += 1
        else:
            puzzle[r][c] = keep
    return puzzle, solution


# ------------------------------------------------------------------------------ n-queens
def queens_errors(board: list[list[int]], givens: list[tuple[int, int]]) -> list[str]:
    """Why `board` (1 = queen) is not a valid n-queens placement keeping `givens` (0-based)."""
    n = len(board)
    queens = [(r, c) for r in range(n) for c in range(n) if board[r][c]]
    errors = [] if len(queens) == n else [f"{len(queens)} queens on the board, need {n}"]
    errors += [f"the given queen at row {r + 1}, column {c + 1} is missing"
               for r, c in givens if not board[r][c]]
    for (r1, c1), (r2, c2) in itertools.combinations(queens, 2):
        if r1 == r2 or c1 == c2 or abs(r1 - r2) == abs(c1 - c2):
            errors.append(f"queens at r{r1 + 1}c{c1 + 1} and r{r2 + 1}c{c2 + 1} attack each other")
            break
    return errors


def queens_solve(n: int, rng: random.Random, fixed: dict[int, int] | None = None) -> list[int] | None:
    """A random placement (column per row) honouring `fixed` {row: col}, or None if none exists."""
    fixed = fixed or {}
    cols: list[int] = []

    def place(r: int) -> bool:
        if r == n:
            return True
        options = [fixed[r]] if r in fixed else rng.sample(range(n), n)
        for c in options:
            if all(c != c2 and abs(c - c2) != r - r2 for r2, c2 in enumerate(cols)):
                cols.append(c)
                if place(r + 1):
                    return True
                cols.pop()
        return False

    return cols if place(0) else None


# ------------------------------------------------------------------------------ zebra
# A clue is a JSON-able dict: {"type", "a": [attribute, value], "b": [attribute, value], "pos"}.
RELATIONS = ("same", "diff", "left_of", "next_to", "before")


def clue_holds(clue: dict[str, Any], where: dict[tuple[str, str], int]) -> bool:
    """Does `clue` hold, given the house number of every (attribute, value)?"""
    a = where[tuple(clue["a"])]
    if clue["type"] == "at":
        return a == clue["pos"]
    if clue["type"] == "not_at":
        return a != clue["pos"]
    b = where[tuple(clue["b"])]
    return {"same": a == b, "diff": a != b, "left_of": a + 1 == b, "next_to": abs(a - b) == 1,
            "before": a < b}[clue["type"]]


def _propagate(dom: list[int], binary: list[tuple[str, int, int]], groups: list[list[int]],
               full: int) -> bool:
    """Narrow house bitmasks to a fixpoint; False when some item has no house left."""
    changed = True
    while changed:
        changed = False
        for kind, i, j in binary:
            a, b = dom[i], dom[j]
            if kind == "same":
                na = nb = a & b
            elif kind == "diff":  # only a decided side can rule anything out
                na = a & ~b if b & (b - 1) == 0 else a
                nb = b & ~a if a & (a - 1) == 0 else b
            elif kind == "left_of":
                na, nb = a & (b >> 1), b & (a << 1) & full
            elif kind == "next_to":
                na, nb = a & ((b << 1) | (b >> 1)), b & ((a << 1) | (a >> 1)) & full
            else:  # before: a < b
                na = a & ((1 << (b.bit_length() - 1)) - 1) if b else 0
                nb = b & ~((a & -a) * 2 - 1) if a else 0
            if (na, nb) != (a, b):
                if not na or not nb:
                    return False
                dom[i], dom[j], changed = na, nb, True
        for group in groups:  # each attribute is a permutation of the houses
            for i in group:
                if dom[i] & (dom[i] - 1) == 0:
                    for k in group:
                        if k != i and dom[k] & dom[i]:
                            dom[k] &= ~dom[i]
                            if not dom[k]:
                                return False
                            changed = True
            for bit in (1 << h for h in range(full.bit_length())):
                holders = [k for k in group if dom[k] & bit]
                if not holders:
                    return False
                if len(holders) == 1 and dom[holders[0]] != bit:
                    dom[holders[0]], changed = bit, True
    return True


def zebra_solve(attributes: dict[str, list[str]], clues: list[dict[str, Any]],
                limit: int = 2) -> list[dict[str, list[str]]]:
    """Up to `limit` assignments (attribute -> value per house) satisfying every clue.

    Each (attribute, value) holds a bitmask of possible houses; clues and the permutation rule
    narrow them to a fixpoint, then the search branches on the smallest open domain.
    """
    items = [(a, v) for a, vals in attributes.items() for v in vals]
    index = {item: i for i, item in enumerate(items)}
    houses = len(next(iter(attributes.values())))
    full = (1 << houses) - 1
    dom = [full] * len(items)
    groups = [[index[(a, v)] for v in vals] for a, vals in attributes.items()]
    binary = []
    for c in clues:
        i = index[tuple(c["a"])]
        if c["type"] == "at":
            dom[i] &= 1 << (c["pos"] - 1)
        elif c["type"] == "not_at":
            dom[i] &= full & ~(1 << (c["pos"] - 1))
        else:
            binary.append((c["type"], i, index[tuple(c["b"])]))
    found: list[dict[str, list[str]]] = []

    def search(dom: list[int]) -> None:
        if len(found) >= limit or not _propagate(dom, binary, groups, full):
            return
        open_items = [i for i, d in enumerate(dom) if d & (d - 1)]
        if not open_items:
            house = {items[i]: d.bit_length() for i, d in enumerate(dom)}
            found.append({a: sorted(vals, key=lambda v: house[(a, v)])
                          for a, vals in attributes.items()})
            return
        i = min(open_items, key=lambda k: bin(dom[k]).count("1"))
        for h in range(houses):
            if dom[i] >> h & 1:
                trial = dom[:]
                trial[i] = 1 << h
                search(trial)

    if all(dom):
        search(dom)
    return found


def zebra_errors(answer: dict[str, list[str]], attributes: dict[str, list[str]],
                 clues: list[dict[str, Any]]) -> list[str]:
    """Why `answer` (attribute -> value per house, house 1 first) breaks the puzzle. An
    attribute the puzzle does not have is an error too (an invented key is not an answer)."""
    if extra := sorted(set(answer) - set(attributes)):
        return [f"unknown attribute {extra[0][:20]!r}"]
    for name, values in attributes.items():
        got = answer.get(name)
        if got is None or sorted(got) != sorted(values):
            return [f"attribute {name!r} must use each of {values} exactly once"]
    where = {(name, v): h + 1 for name, vals in answer.items() for h, v in enumerate(vals)}
    return [f"clue {i + 1} is broken" for i, c in enumerate(clues) if not clue_holds(c, where)]


def zebra_clue_pool(rng: random.Random, solution: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every true clue of the hidden `solution`, shuffled (positional facts drawn last)."""
    houses = len(next(iter(solution.values())))
    items = [(a, v, h + 1) for a, vals in solution.items() for h, v in enumerate(vals)]
    relational, positional = [], []
    for (a1, v1, h1), (a2, v2, h2) in itertools.permutations(items, 2):
        if a1 == a2 and h1 == h2:
            continue
        pair = {"a": [a1, v1], "b": [a2, v2]}
        if h1 == h2 and a1 < a2:
            relational.append({"type": "same", **pair})
        if h1 + 1 == h2:
            relational.append({"type": "left_of", **pair})
        if abs(h1 - h2) == 1 and a1 < a2:
            relational.append({"type": "next_to", **pair})
        if h1 < h2 - 1:
            relational.append({"type": "before", **pair})
        if h1 != h2 and a1 < a2:
            relational.append({"type": "diff", **pair})
    for a, v, h in items:
        positional.append({"type": "at", "a": [a, v], "pos": h})
        positional += [{"type": "not_at", "a": [a, v], "pos": p}
                       for p in range(1, houses + 1) if p != h]
    rng.shuffle(relational)
    rng.shuffle(positional)
    return relational[:80] + positional


def make_zebra_clues(rng: random.Random, solution: dict[str, list[str]]) -> list[dict[str, Any]]:
    """A minimal clue set whose only solution is `solution` (proved by `zebra_solve`)."""
    attributes = {a: sorted(vals) for a, vals in solution.items()}
    pool, clues = zebra_clue_pool(rng, solution), []
    for clue in pool:  # add clues in batches until the solution is unique
        clues.append(clue)
        if len(clues) % 4 == 0 and len(zebra_solve(attributes, clues)) == 1:
            break
    if len(zebra_solve(attributes, clues)) != 1:
        raise RuntimeError("zebra clue pool does not determine the solution")  # cannot happen
    for clue in list(reversed(clues)):  # drop clues the rest already imply
        rest = [c for c in clues if c is not clue]
        if len(zebra_solve(attributes, rest)) == 1:
            clues = rest
    return clues
