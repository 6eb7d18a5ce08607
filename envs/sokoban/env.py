"""`sokoban`: push every box onto a goal, a few moves per turn, within a step budget."""
from __future__ import annotations

import math
import random
from typing import Any

from gymkit.chat import strip_thinking, user
from gymkit.env import BaseEnv, Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Message, Score, Step, Task

from ..maze.grid import MoveParseError, bfs_path, chunk, find_chars, parse_moves, read_grid, step_pos

# interior rows, interior cols, inner walls, boxes, shortest solution at least, budget slack
LEVELS: dict[int, dict[str, Any]] = {
    1: dict(h=4, w=5, walls=2, boxes=1, min_len=4, slack=3.0, per_turn=12),
    2: dict(h=5, w=5, walls=3, boxes=2, min_len=8, slack=2.5, per_turn=10),
    3: dict(h=5, w=6, walls=4, boxes=3, min_len=12, slack=2.0, per_turn=8),
}
SEARCH_LIMIT = 400_000  # BFS states; small levels never come near it
State = tuple[tuple[int, int], tuple[tuple[int, int], ...]]


def _cornered(walls: frozenset, p: tuple[int, int]) -> bool:
    vert = step_pos(p, "U") in walls or step_pos(p, "D") in walls
    return vert and (step_pos(p, "L") in walls or step_pos(p, "R") in walls)


def solve(walls: frozenset, goals: tuple, state: State) -> str | None:
    """Shortest move string that puts every box on a goal (BFS over player+box states)."""
    goal_set = frozenset(goals)

    def neighbours(s: State):
        player, boxes = s
        for m in "UDLR":
            nxt = step_pos(player, m)
            if nxt in walls:
                continue
            if nxt in boxes:
                beyond = step_pos(nxt, m)
                if beyond in walls or beyond in boxes or (beyond not in goal_set
                                                          and _cornered(walls, beyond)):
                    continue  # a box pushed into a corner off the goals can never move again
                yield m, (nxt, tuple(sorted(beyond if b == nxt else b for b in boxes)))
            else:
                yield m, (nxt, boxes)

    return bfs_path(state, lambda s: frozenset(s[1]) == goal_set, neighbours, SEARCH_LIMIT)


def parse_level(grid: list[str]) -> tuple[frozenset, tuple, State]:
    """(walls, goals, start state) of an XSB level: # wall, @ player, $ box, . goal, * box on
    goal, + player on goal."""
    players, boxes = find_chars(grid, "@+"), find_chars(grid, "$*")
    goals = tuple(find_chars(grid, ".*+"))
    if len(players) != 1 or not boxes or len(boxes) != len(goals):
        raise GymkitError(f"sokoban level needs one player and as many boxes as goals; found "
                          f"{len(players)} players, {len(boxes)} boxes, {len(goals)} goals")
    return frozenset(find_chars(grid, "#")), goals, (players[0], tuple(sorted(boxes)))


def render(grid: list[str], goals: tuple, state: State) -> str:
    player, boxes = state
    rows = []
    for r, line in enumerate(grid):
        out = []
        for c, ch in enumerate(line):
            p, on_goal = (r, c), (r, c) in goals
            if p == player:
                out.append("+" if on_goal else "@")
            elif p in boxes:
                out.append("*" if on_goal else "$")
            else:
                out.append("#" if ch == "#" else "." if on_goal else " ")
        rows.append("".join(out).rstrip())
    return "```\n" + "\n".join(rows) + "\n```"


@register_env
class SokobanEnv(BaseEnv):
    """Push boxes onto goals by sending U/D/L/R moves; the env answers with the new board."""

    name = "sokoban"
    family = "agent"
    verifier = "env state: every box on a goal (walls and pushes simulated) within the step budget"
    difficulties = (1, 2, 3)
    max_turns = 40

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        lv = LEVELS[difficulty]
        while True:  # random rooms until BFS proves one solvable and not trivial
            g = [["#"] * (lv["w"] + 2) for _ in range(lv["h"] + 2)]
            cells = [(r, c) for r in range(1, lv["h"] + 1) for c in range(1, lv["w"] + 1)]
            for r, c in cells:
                g[r][c] = " "
            picks = rng.sample(cells, lv["walls"] + 2 * lv["boxes"] + 1)
            walls, rest = picks[:lv["walls"]], picks[lv["walls"]:]
            for r, c in walls:
                g[r][c] = "#"
            for r, c in rest[:lv["boxes"]]:
                g[r][c] = "."
            for r, c in rest[lv["boxes"]:-1]:
                g[r][c] = "$"
            g[rest[-1][0]][rest[-1][1]] = "@"
            grid = ["".join(row) for row in g]
            walls_set, goals, start = parse_level(grid)
            if any(_cornered(walls_set, b) for b in start[1]):
                continue  # dead from the start; skip the full search
            path = solve(walls_set, goals, start)
            if path is not None and len(path) >= lv["min_len"]:
                return self.build_task(grid, f"sokoban-{difficulty}-{index}", slack=lv["slack"],
                                       per_turn=lv["per_turn"], difficulty=difficulty, path=path)

    def build_task(self, grid: list[str], task_id: str, *, slack: float = 2.0, per_turn: int = 10,
                   budget: int | None = None, difficulty: int | None = None,
                   path: str | None = None) -> Task:
        """A task from an XSB level; BFS proves it solvable and its shortest solution is gold."""
        walls, goals, start = parse_level(grid)
        path = path if path is not None else solve(walls, goals, start)
        if path is None:
            raise GymkitError(f"sokoban {task_id}: no solution found (unsolvable or too large)")
        data = {"grid": grid, "goals": [list(g) for g in goals], "budget": budget or max(
            len(path), math.ceil(slack * len(path))), "per_turn": per_turn, "shortest": len(path)}
        intro = (f"Sokoban. `#` wall, `@` you (`+` on a goal), `$` box, `*` box on a goal, `.` "
                 "goal. Walk with U (up), D (down), L (left), R (right); walking into a box "
                 "pushes it one cell if the cell beyond is free (you cannot pull). Put every box "
                 f"on a goal. Each turn, put up to {per_turn} moves on the last line of your "
                 "reply, e.g. `R R U`. A blocked move ends that turn's moves and still uses a "
                 f"step. You have {data['budget']} steps in all.")
        prompt = [user(intro + "\n\n" + render(grid, goals, start))]
        gold = [{"role": "assistant", "content": m} for m in chunk(path, per_turn)]
        return Task(id=task_id, env=self.name, prompt=prompt, data=data, gold=gold,
                    difficulty=difficulty, meta={"shortest": len(path)})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows holding an XSB level under `level` (or `grid` / `board`), optional `max_steps`."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        key = next((k for k in ("level", "grid", "board") if k in row), None)
        if key is None:
            raise GymkitError(f"sokoban row {index} needs an XSB 'level'; got keys {sorted(row)}")
        grid = [ln.replace("-", " ").replace("_", " ") for ln in read_grid(row[key])]
        return self.build_task(grid, str(row.get("id", f"sokoban-row-{index}")),
                               per_turn=int(row.get("moves_per_turn", 10)), budget=row.get("max_steps"))

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        ep = Episode(task=task)
        _, _, start = parse_level(task.data["grid"])
        ep.state.update(s=start, steps=0, solved=False)
        return ep

    def _walk(self, ep: Episode, moves: list[str]) -> str:
        d, st = ep.task.data, ep.state
        if len(moves) > d["per_turn"]:
            return f"error: {len(moves)} moves sent, at most {d['per_turn']} per turn; none were made"
        walls = frozenset(find_chars(d["grid"], "#"))
        goals = frozenset(tuple(g) for g in d["goals"])
        for i, mv in enumerate(moves):
            st["steps"] += 1
            player, boxes = st["s"]
            nxt = step_pos(player, mv)
            if nxt in boxes:
                beyond = step_pos(nxt, mv)
                if beyond in walls or beyond in boxes:
                    return f"Move {i + 1} ({mv}) cannot push the box; {len(moves) - i - 1} later moves were not made."
                boxes = tuple(sorted(beyond if b == nxt else b for b in boxes))
            elif nxt in walls:
                return f"Move {i + 1} ({mv}) hits a wall; {len(moves) - i - 1} later moves were not made."
            st["s"] = (nxt, boxes)
            if frozenset(boxes) == goals:
                st["solved"] = True
                return "Every box is on a goal."
            if st["steps"] >= d["budget"]:
                return "Step budget used up."
        return f"Made {len(moves)} moves."

    def step(self, episode: Episode, message: Message) -> Step:
        episode.actions.append(message)
        episode.turn += 1
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
        if episode.turn >= self.max_turns:
            return Step(done=True, score=Score(reward=0.0, status="truncated",
                                               info={"reason": "turn limit reached"}))
        goals = tuple(tuple(g) for g in d["goals"])
        board = render(d["grid"], goals, st["s"])
        return Step(observation=[user(f"{note} {d['budget'] - st['steps']} steps left.\n{board}")])

    def score_episode(self, episode: Episode, response: str) -> Score:
        st, d = episode.state, episode.task.data
        info = {"steps": st["steps"], "budget": d["budget"], "shortest": d["shortest"]}
        if st["solved"]:
            s = Score.correct(**info)
            s.components = {"efficiency": round(d["shortest"] / max(st["steps"], 1), 4)}
            return s
        return Score.wrong(f"step budget of {d['budget']} used up with boxes off their goals", **info)
