"""Grid-world pieces shared by the `maze` and `sokoban` envs: moves, text parsing, BFS, and
`GridPuzzleEnv`, the turn both play.

A grid is a list of equal-length strings; positions are (row, col) tuples. Moves are the
letters U, D, L, R. The helpers are pure functions so episodes replay exactly.
"""
from __future__ import annotations

import math
import re
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from typing import Any, ClassVar

from gymkit.chat import strip_thinking, user
from gymkit.env import BaseEnv, Episode
from gymkit.types import Message, Score, Step, Task

DELTAS: dict[str, tuple[int, int]] = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
WORDS = {"UP": "U", "DOWN": "D", "LEFT": "L", "RIGHT": "R"}
_LINE_PREFIX = re.compile(r"^\s*(?:(?:[-+]|\d{1,3}[.)])\s+)?(?:(?:(?:my|final|next)\s+)*"
                          r"(?:moves?|answer|actions?|path|solution)\s*[:=])?\s*", re.I)
_ANSWER_TAG = re.compile(r"</?answer>", re.I)
_ARROWS = str.maketrans({"↑": " U ", "↓": " D ", "←": " L ", "→": " R "})
_SPLIT = re.compile(r"[\s,;]+")
_MARKUP = re.compile(r"[`*_>\[\]]")
_FENCE = re.compile(r"^\s*(?:```|~~~)[\w+.-]*\s*$")  # a code-fence marker line
# Characters a move line can be made of: a cheap filter before the full parse of each line.
_MOVE_CHARS = re.compile(r"[\sudlrpowneftighmsvacyx<>/+,;:=`*_\[\]().0-9↑↓←→-]*", re.I)
MAX_LINE = 2000  # longer lines are never a move list; don't spend time tokenising them
MAX_HEDGE_LINES = 2000  # distinct earlier lines checked for a second move list


class MoveParseError(ValueError):
    """The reply holds no readable move list; the message says what format is expected."""


def _line_moves(line: str) -> list[str]:
    """The moves of one line that must hold nothing but moves; raises MoveParseError."""
    if len(line) > MAX_LINE:
        raise MoveParseError(f"the last line is longer than {MAX_LINE} characters")
    line = _MARKUP.sub(" ", _ANSWER_TAG.sub(" ", line)).translate(_ARROWS)
    line = _LINE_PREFIX.sub("", line).strip().rstrip(".")
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


def _other_moves(line: str) -> list[str] | None:
    """The moves of `line` if it is a move list too, else None."""
    if len(line) > MAX_LINE or not _MOVE_CHARS.fullmatch(line):
        return None
    try:
        return _line_moves(line)
    except MoveParseError:
        return None


def parse_moves(text: str) -> list[str]:
    """The moves on the last non-empty line of `text`, e.g. `R R D`, `RRD`, `up, left`.

    Only the last line counts, so moves mentioned while reasoning are never executed; the
    line must hold nothing but moves (an optional `moves:` prefix and markdown aside).
    Code-fence markers are skipped, so a fenced move line reads as the line itself. A reply
    with a second, different line of moves is a hedge and is refused.
    """
    lines = [ln for ln in text.strip().splitlines()
             if ln.strip() and not _FENCE.match(ln) and _ANSWER_TAG.sub("", ln).strip()]
    if not lines:
        raise MoveParseError("empty reply; put your moves (letters U, D, L, R) on the last line")
    moves = _line_moves(lines[-1])
    # distinct lines, nearest the end first, at most MAX_HEDGE_LINES: a flood stays cheap,
    # and a hedge buried deeper is still never executed (only the last line is)
    seen = dict.fromkeys(ln.strip() for ln in reversed(lines[:-1]))
    for line in list(seen)[:MAX_HEDGE_LINES]:
        other = _other_moves(line)
        if other is not None and other != moves:
            raise MoveParseError("two different move lines; send exactly one line of moves "
                                 "(the last line), nothing was executed")
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


class GridPuzzleEnv(BaseEnv):
    """A puzzle solved by U/D/L/R moves sent as text, a few per turn, within a step budget.

    Task data holds `per_turn`, `budget` and `shortest`; the episode state holds `steps` and
    `solved`. Subclasses say only what differs: the start state (`_start`), how one move
    changes it (`_move`), when the puzzle is solved (`_is_solved`) and the board (`_board`).
    """

    family = "agent"
    max_turns = 40
    solved_note: ClassVar[str]  # the walk's note when a move solves the puzzle
    unsolved_reason: ClassVar[str]  # ends "step budget of N used up ..." in a wrong verdict

    def _start(self, task: Task) -> dict[str, Any]:
        """The puzzle's own episode state at the start (position, boxes, ...)."""
        raise NotImplementedError

    def _move(self, ep: Episode, move: str) -> str | None:
        """Make one move in `ep.state`; return why it was blocked (e.g. `hits a wall`) or None."""
        raise NotImplementedError

    def _is_solved(self, ep: Episode) -> bool:
        """Whether the state after a move solves the puzzle."""
        raise NotImplementedError

    def _board(self, ep: Episode) -> str:
        """The current board as the model sees it."""
        raise NotImplementedError

    @staticmethod
    def step_budget(path: str, slack: float, budget: int | None) -> int:
        """`budget` when given, else `slack` times the shortest solution (never below it)."""
        return budget or max(len(path), math.ceil(slack * len(path)))

    def puzzle_task(self, task_id: str, text: str, data: dict[str, Any], path: str,
                    difficulty: int | None) -> Task:
        """The task: `text` is the prompt; gold is the shortest `path`, `per_turn` moves a turn."""
        gold = [{"role": "assistant", "content": m} for m in chunk(path, data["per_turn"])]
        return Task(id=task_id, env=self.name, prompt=[user(text)], data=data, gold=gold,
                    difficulty=difficulty, meta={"shortest": len(path)})

    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        ep.state.update(self._start(task), steps=0, solved=False)
        return ep

    def _walk(self, ep: Episode, moves: list[str]) -> str:
        d, st = ep.task.data, ep.state
        if len(moves) > d["per_turn"]:
            return f"error: {len(moves)} moves sent, at most {d['per_turn']} per turn; none were made"
        for i, mv in enumerate(moves):
            st["steps"] += 1  # a blocked move still uses a step
            blocked = self._move(ep, mv)
            if blocked:
                return f"Move {i + 1} ({mv}) {blocked}; {len(moves) - i - 1} later moves were not made."
            if self._is_solved(ep):
                st["solved"] = True
                return self.solved_note
            if st["steps"] >= d["budget"]:
                return "Step budget used up."
        return f"Made {len(moves)} moves."

    def respond(self, episode: Episode, message: Message) -> Step:
        """Read the moves on the reply's last line, make them, and show the new board."""
        st, d = episode.state, episode.task.data
        text = strip_thinking(message.get("content") or "")
        if message.get("tool_calls") or message.get("tool_call_errors"):
            note = "error: this env has no tools; write your moves as text on the last line"
        elif text is None:
            note = "error: unterminated <think> block; no moves were read"
        else:
            try:
                note = self._walk(episode, parse_moves(text))
            except MoveParseError as e:
                note = f"error: {e}"
        if st["solved"] or st["steps"] >= d["budget"]:
            return Step(done=True, score=self.safe_score(episode, ""))
        if self.out_of_turns(episode):
            return Step()  # truncated by the loop, without a board nobody will read
        left = d["budget"] - st["steps"]
        return Step(observation=[user(f"{note} {left} steps left.\n{self._board(episode)}")])

    def score_episode(self, episode: Episode, response: str) -> Score:
        """Correct when solved, with efficiency = shortest / steps taken; else wrong."""
        st, d = episode.state, episode.task.data
        info = {"steps": st["steps"], "budget": d["budget"], "shortest": d["shortest"]}
        if st["solved"]:
            s = Score.correct(**info)
            s.components = {"efficiency": round(d["shortest"] / max(st["steps"], 1), 4)}
            return s
        return Score.wrong(f"step budget of {d['budget']} used up {self.unsolved_reason}", **info)
