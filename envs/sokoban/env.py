"""`sokoban`: push every box onto a goal, a few moves per turn, within a step budget."""
from __future__ import annotations

import random
from typing import Any

from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Task

from ..maze.grid import GridPuzzleEnv, bfs_path, find_chars, read_grid, step_pos

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
class SokobanEnv(GridPuzzleEnv):
    """Push boxes onto goals by sending U/D/L/R moves; the env answers with the new board."""

    name = "sokoban"
    verifier = "env state: every box on a goal (walls and pushes simulated) within the step budget"
    difficulties = (1, 2, 3)
    solved_note = "Every box is on a goal."
    unsolved_reason = "with boxes off their goals"

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
        data = {"grid": grid, "goals": [list(g) for g in goals],
                "budget": self.step_budget(path, slack, budget), "per_turn": per_turn,
                "shortest": len(path)}
        intro = (f"Sokoban. `#` wall, `@` you (`+` on a goal), `$` box, `*` box on a goal, `.` "
                 "goal. Walk with U (up), D (down), L (left), R (right); walking into a box "
                 "pushes it one cell if the cell beyond is free (you cannot pull). Put every box "
                 f"on a goal. Each turn, put up to {per_turn} moves on the last line of your "
                 "reply, e.g. `R R U`. A blocked move ends that turn's moves and still uses a "
                 f"step. You have {data['budget']} steps in all.")
        return self.puzzle_task(task_id, intro + "\n\n" + render(grid, goals, start), data, path,
                                difficulty)

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
    def _start(self, task: Task) -> dict[str, Any]:
        walls, goals, start = parse_level(task.data["grid"])
        return {"s": start, "walls": walls, "goals": goals}

    def _move(self, ep: Episode, move: str) -> str | None:
        player, boxes = ep.state["s"]
        nxt, walls = step_pos(player, move), ep.state["walls"]
        if nxt in boxes:
            beyond = step_pos(nxt, move)
            if beyond in walls or beyond in boxes:
                return "cannot push the box"
            boxes = tuple(sorted(beyond if b == nxt else b for b in boxes))
        elif nxt in walls:
            return "hits a wall"
        ep.state["s"] = (nxt, boxes)
        return None

    def _is_solved(self, ep: Episode) -> bool:
        return frozenset(ep.state["s"][1]) == frozenset(ep.state["goals"])

    def _board(self, ep: Episode) -> str:
        return render(ep.task.data["grid"], ep.state["goals"], ep.state["s"])
