"""`maze`: walk a generated grid maze to its goal, a few moves per turn, within a step budget."""
from __future__ import annotations

import random
from typing import Any

from gymkit.env import Episode
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Task

from .grid import DELTAS, GridPuzzleEnv, bfs_path, find_chars, read_grid, step_pos

# cells high, cells wide, extra walls knocked out (loops), budget = slack * shortest,
# moves allowed per turn, view radius (None: the whole map is shown).
LEVELS: dict[int, dict[str, Any]] = {
    1: dict(h=4, w=4, loops=1, slack=3.0, per_turn=20, view=None),
    2: dict(h=6, w=7, loops=4, slack=2.0, per_turn=12, view=None),
    3: dict(h=8, w=10, loops=8, slack=4.0, per_turn=8, view=2),
}


def carve(rng: random.Random, h: int, w: int, loops: int) -> list[list[str]]:
    """A perfect maze by randomised depth-first search, then `loops` walls knocked out."""
    g = [["#"] * (2 * w + 1) for _ in range(2 * h + 1)]
    cell = (rng.randrange(h), rng.randrange(w))
    g[2 * cell[0] + 1][2 * cell[1] + 1] = "."
    stack, seen = [cell], {cell}
    while stack:
        r, c = stack[-1]
        opts = [(dr, dc) for dr, dc in DELTAS.values()
                if 0 <= r + dr < h and 0 <= c + dc < w and (r + dr, c + dc) not in seen]
        if not opts:
            stack.pop()
            continue
        dr, dc = rng.choice(opts)
        g[2 * r + 1 + dr][2 * c + 1 + dc] = "."
        g[2 * (r + dr) + 1][2 * (c + dc) + 1] = "."
        seen.add((r + dr, c + dc))
        stack.append((r + dr, c + dc))
    inner = [(r, c) for r in range(1, 2 * h) for c in range(1, 2 * w)
             if g[r][c] == "#" and (r % 2) != (c % 2)]  # walls between two cells
    rng.shuffle(inner)
    for r, c in inner[:loops]:
        g[r][c] = "."
    return g


def _open(grid: list[str], pos: tuple[int, int]) -> bool:
    r, c = pos
    return 0 <= r < len(grid) and 0 <= c < len(grid[r]) and grid[r][c] != "#"


def shortest_path(grid: list[str], start: tuple[int, int], goal: tuple[int, int]) -> str | None:
    """BFS over open cells: the proof that the maze is solvable, and its gold path."""
    return bfs_path(start, lambda p: p == goal,
                    lambda p: [(m, step_pos(p, m)) for m in "UDLR" if _open(grid, step_pos(p, m))])


@register_env
class MazeEnv(GridPuzzleEnv):
    """Reach `G` in an ASCII maze by sending U/D/L/R moves; the env answers with the new map."""

    name = "maze"
    verifier = "env state: the walker reaches the goal (walls enforced) within the step budget"
    difficulties = (1, 2, 3)
    solved_note = "You reached the goal."
    unsolved_reason = "before reaching the goal"

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        lv = LEVELS[difficulty]
        g = carve(rng, lv["h"], lv["w"], lv["loops"])
        rows = ["".join(r) for r in g]
        cells = [(2 * r + 1, 2 * c + 1) for r in range(lv["h"]) for c in range(lv["w"])]
        start = rng.choice(cells)
        dist = {p: len(shortest_path(rows, start, p) or "") for p in cells}
        far = max(dist.values())
        goal = rng.choice([p for p in cells if dist[p] >= 0.6 * far])
        g[start[0]][start[1]], g[goal[0]][goal[1]] = "S", "G"
        return self.build_task(["".join(r) for r in g], f"maze-{difficulty}-{index}",
                               slack=lv["slack"], per_turn=lv["per_turn"], view=lv["view"],
                               difficulty=difficulty)

    def build_task(self, grid: list[str], task_id: str, *, slack: float = 2.0, per_turn: int = 12,
                   view: int | None = None, budget: int | None = None,
                   difficulty: int | None = None) -> Task:
        """A task from a grid marked with one `S` and one `G`; BFS proves it solvable."""
        starts, goals = find_chars(grid, "S"), find_chars(grid, "GE")
        if len(starts) != 1 or len(goals) != 1:
            raise GymkitError(f"maze {task_id}: needs exactly one S and one G, "
                              f"found {len(starts)} S and {len(goals)} G")
        path = shortest_path(grid, starts[0], goals[0])
        if path is None:
            raise GymkitError(f"maze {task_id}: the goal cannot be reached from the start")
        data = {"grid": grid, "start": list(starts[0]), "goal": list(goals[0]),
                "budget": self.step_budget(path, slack, budget), "per_turn": per_turn,
                "view": view, "shortest": len(path)}
        opening = self._render(data, starts[0], self._visible(data, starts[0], set()))
        return self.puzzle_task(task_id, self._intro(data) + "\n\n" + opening, data, path,
                                difficulty)

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows like `{"grid": "#####\\n#S.G#\\n#####"}` (`#` wall, S start, G goal)."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        if "grid" not in row and "maze" not in row:
            raise GymkitError(f"maze row {index} needs a 'grid' (ASCII map with S and G); "
                              f"got keys {sorted(row)}")
        grid = read_grid(row.get("grid", row.get("maze")))
        return self.build_task(grid, str(row.get("id", f"maze-row-{index}")),
                               per_turn=int(row.get("moves_per_turn", 12)),
                               view=row.get("view_radius"), budget=row.get("max_steps"))

    # ------------------------------------------------------------------ episodes
    def _intro(self, d: dict) -> str:
        view = ("You see only the cells near you; cells you have not seen show as `?`."
                if d["view"] else "You see the whole maze.")
        return (f"You are in a maze. `#` is a wall, `.` open floor, `@` you, `G` the goal "
                f"(row {d['goal'][0]}, column {d['goal'][1]}; rows and columns count from 0). "
                f"{view} Each turn, put up to {d['per_turn']} moves on the last line of your "
                "reply as letters U (up), D (down), L (left), R (right), e.g. `R R D`. A move "
                "into a wall ends that turn's moves and still uses a step. You have "
                f"{d['budget']} steps in all. Reach G.")

    def _render(self, d: dict, pos: tuple[int, int], seen: set) -> str:
        rows = []
        for r, line in enumerate(d["grid"]):
            out = []
            for c, ch in enumerate(line):
                if (r, c) == pos:
                    out.append("@")
                elif d["view"] and (r, c) not in seen and ch not in "GE":  # goal always shown
                    out.append("?")
                else:
                    out.append({"S": ".", "E": "G", " ": "."}.get(ch, ch))
            rows.append("".join(out))
        return f"You are at row {pos[0]}, column {pos[1]}.\n```\n" + "\n".join(rows) + "\n```"

    def _visible(self, d: dict, pos: tuple[int, int], seen: set) -> set:
        k = d["view"] or 0
        seen.update((pos[0] + dr, pos[1] + dc) for dr in range(-k, k + 1) for dc in range(-k, k + 1))
        return seen

    def _start(self, task: Task) -> dict[str, Any]:
        pos = tuple(task.data["start"])
        return {"pos": pos, "seen": self._visible(task.data, pos, set())}

    def _move(self, ep: Episode, move: str) -> str | None:
        d, st = ep.task.data, ep.state
        nxt = step_pos(st["pos"], move)
        if not _open(d["grid"], nxt):
            return "hits a wall"
        st["pos"] = nxt
        self._visible(d, nxt, st["seen"])
        return None

    def _is_solved(self, ep: Episode) -> bool:
        return ep.state["pos"] == tuple(ep.task.data["goal"])

    def _board(self, ep: Episode) -> str:
        return self._render(ep.task.data, ep.state["pos"], ep.state["seen"])
