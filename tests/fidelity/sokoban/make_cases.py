"""Writes cases.jsonl: the sokoban fidelity suite (run from the repo root with the venv).

The generic grid cases (shared with maze, see ../maze/grid_cases.py) on generated levels, plus
hand-made levels for the push rules: boxes cannot be pulled, a box cannot push a box, and
standing on a goal is not a box on it.
"""
import sys
from pathlib import Path

from gymkit.registry import make_env

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "maze"))
from grid_cases import grid_cases, say, write  # noqa: E402

env = make_env("sokoban")
refs = [{"seed": 0, "difficulty": 1, "index": 1}, {"seed": 0, "difficulty": 2, "index": 0},
        {"seed": 0, "difficulty": 3, "index": 0}, {"seed": 4, "difficulty": 1, "index": 0}]
rows = grid_cases(env, refs, full={0, 2})


def hand(cid, grid, actions, expect, reason, tags, budget=None):
    task = env.build_task(grid, f"hand-{cid}", per_turn=10, budget=budget)
    rows.append({"id": f"hand-{cid}", "task": task.model_dump(mode="json"), "actions": actions,
                 "expect": expect, "reason": reason, "tags": tags})


# player right of the box, goal further right: the box must be pushed from its left side
ROOM = ["#######", "#     #", "# $@ .#", "#     #", "#######"]
hand("room-gold", ROOM, [say("U L L D R R R")], "correct", "around the box, then three pushes",
     ["gold"])
hand("room-gold-words", ROOM, [say("Moves: up, left, left, down"), say("right right right")],
     "correct", "the same path as words over two turns", ["equivalent"])
hand("room-pull", ROOM, [say("R R"), say("I pulled the box onto the goal.")], "wrong",
     "walking away from a box does not pull it; the player on the goal is not the box",
     ["hack"])
hand("room-stand-on-goal", ROOM, [say("R R")], "wrong",
     "the player standing on the goal solves nothing", ["hack"])
hand("room-push-wrong-way", ROOM, [say("L L L L")] * 3, "wrong",
     "pushing the box into the west wall strands it", ["near-miss"])
# two boxes in a row: a push moves one box only
LINE = ["#########", "#       #", "# @$ $..#", "#       #", "#########"]
line_gold = env.build_task(LINE, "line").gold
hand("line-gold", LINE, line_gold, "correct", "the BFS gold for two boxes", ["gold"])
hand("line-double-push", LINE, [say("R R R R R R")] * 4, "wrong",
     "a box cannot push another box: the push into the pair is blocked every turn", ["hack"])
hand("line-claim-board", LINE, [say("```\n#########\n#       #\n#      **\n#       #\n"
                                    "#########\n```\nBoth boxes are on goals.")], "wrong",
     "a drawn board with boxes on goals is just text", ["hack"])
write(rows, HERE)
