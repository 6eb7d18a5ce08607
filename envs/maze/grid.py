"""Grid-world helpers shared by the `maze` and `sokoban` envs: moves, text parsing, BFS.

A grid is a list of equal-length strings; positions are (row, col) tuples. Moves are the
letters U, D, L, R. Everything here is a pure function so episodes replay exactly.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Hashable, Iterable

DELTAS: dict[str, tuple[int, int]] = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
WORDS = {"UP": "U", "DOWN": "D", "LEFT": "L", "RIGHT": "R"}
_LINE_PREFIX = re.compile(r"^\s*(?:moves?|answer|action)s?\s*[:=]\s*", re.I)
_SPLIT = re.compile(r"[\s,;]+")
_MARKUP = re.compile(r"[`*_>\[\]]")
MAX_LINE = 2000  # longer lines are never a move list; don't spend time tokenising them


class MoveParseError(ValueError):
    """The reply holds no readable move list; the message says what format is expected."""


def parse_moves(text: str) -> list[str]:
    """The moves on the last non-empty line of `text`, e.g. `R R D`, `RRD`, `up, left`.

    Only the last line counts, so moves mentioned while reasoning are never executed; the
    line must hold nothing but moves (an optional `moves:` prefix and markdown aside).
    """
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        raise MoveParseError("empty reply; put your moves (letters U, D, L, R) on the last line")
    line = lines[-1]
    if len(line) > MAX_LINE:
        raise MoveParseError(f"the last line is longer than {MAX_LINE} characters")
    line = _LINE_PREFIX.sub("", _MARKUP.sub(" ", line)).strip().rstrip(".")
    moves: list[str] = []
    for tok in _SPLIT.split(line.upper()):
        if not tok:
            continue
        if tok in WORDS:
            moves.append(WORDS[tok])
        elif set(tok) <= set(DELTAS):
            moves.extend(tok)
        else:
            raise MoveParseError(f"{tok[:20]!r} on the last line is not a move; write moves as "
                                 "letters U, D, L, R (e.g. `R R D L`)")
    if not moves:
        raise MoveParseError("no moves on the last line; write moves as letters U, D, L, R")
    return moves


def step_pos(pos: tuple[int, int], move: str) -> tuple[int, int]:
    dr, dc = DELTAS[move]
    return pos[0] + dr, pos[1] + dc


def bfs_path(start: Hashable, is_goal: Callable[[Hashable], bool],
             neighbours: Callable[[Hashable], Iterable[tuple[str, Hashable]]],
             limit: int = 2_000_000) -> str | None:
    """Shortest move string from `start` to a goal state, or None when none is reachable.

    `neighbours(state)` yields (move, next_state) in a fixed order, so the path found (the
    gold) is deterministic. `limit` caps the states visited for the sokoban search.
    """
    parent: dict[Hashable, tuple[Hashable, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if is_goal(state):
            moves = []
            while parent[state] is not None:
                state, mv = parent[state]
                moves.append(mv)
            return "".join(reversed(moves))
        for mv, nxt in neighbours(state):
            if nxt not in parent:
                if len(parent) >= limit:
                    return None
                parent[nxt] = (state, mv)
                queue.append(nxt)
    return None


def chunk(moves: str, size: int) -> list[str]:
    """`moves` split into turns of at most `size` moves, written `R R D`."""
    return [" ".join(moves[i:i + size]) for i in range(0, len(moves), size)]


def read_grid(raw: str | list[str]) -> list[str]:
    """A grid from a newline-joined string or a list of rows, right-padded to a rectangle."""
    rows = raw.splitlines() if isinstance(raw, str) else [str(r) for r in raw]
    rows = [r.rstrip("\n") for r in rows]
    while rows and not rows[0].strip():
        rows.pop(0)
    while rows and not rows[-1].strip():
        rows.pop()
    width = max((len(r) for r in rows), default=0)
    return [r.ljust(width) for r in rows]


def find_chars(grid: list[str], chars: str) -> list[tuple[int, int]]:
    """Positions (row-major order) of every cell holding one of `chars`."""
    return [(r, c) for r, row in enumerate(grid) for c, ch in enumerate(row) if ch in chars]
