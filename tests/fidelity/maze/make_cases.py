"""Writes cases.jsonl: the maze fidelity suite (run from the repo root with the venv).

The generic grid cases (grid_cases.py, shared with sokoban) on generated mazes, plus hand-made
mazes for the walls and the step budget.
"""
import sys
from pathlib import Path

from gymkit.registry import make_env

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from grid_cases import grid_cases, say, write  # noqa: E402

env = make_env("maze")
refs = [{"seed": 0, "difficulty": 1, "index": 0}, {"seed": 0, "difficulty": 2, "index": 0},
        {"seed": 0, "difficulty": 3, "index": 0}, {"seed": 5, "difficulty": 1, "index": 1}]
rows = grid_cases(env, refs, full={0, 2})


def hand(cid, grid, actions, expect, reason, tags, budget=None):
    task = env.build_task(grid, f"hand-{cid}", per_turn=12, budget=budget)
    rows.append({"id": f"hand-{cid}", "task": task.model_dump(mode="json"), "actions": actions,
                 "expect": expect, "reason": reason, "tags": tags})


# the goal is two cells east, behind a wall; the way round is D R R U (4 steps)
WALL = ["#####", "#S#G#", "#...#", "#####"]
hand("wall-gold", WALL, [say("D R R U")], "correct", "the way round the wall", ["gold"],
     budget=4)
hand("wall-straight", WALL, [say("R R")] * 4, "wrong",
     "walking straight east bumps the wall every turn: no move passes through it", ["hack"],
     budget=4)
hand("wall-bump-over-budget", WALL, [say("R"), say("D R R U")], "wrong",
     "a bump uses a step, and the budget is exactly the shortest path: the gold no longer fits",
     ["near-miss"], budget=4)
hand("wall-bump-within-budget", WALL, [say("R"), say("D R R U")], "correct",
     "the same bump with one step to spare", ["equivalent"], budget=5)
hand("wall-overshoot-after-goal", WALL, [say("D R R U U U")], "correct",
     "reaching G ends the episode; moves after it are never made", ["equivalent"], budget=4)
hand("wall-goal-alias-e", ["#####", "#S#E#", "#...#", "#####"], [say("down right right up")],
     "correct", "a loaded maze marks its goal E", ["equivalent"], budget=4)
hand("wall-claim-map", WALL, [say("```\n#####\n#.#@#\n#...#\n#####\n```\nI am on the goal.")],
     "wrong", "a drawn map with the walker on G is just text", ["hack"], budget=4)
write(rows, HERE)
