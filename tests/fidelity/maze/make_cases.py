"""Writes cases.jsonl: the maze fidelity suite (run from the repo root with the venv)."""
import sys
from pathlib import Path

from gymkit.registry import make_env

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from grid_cases import grid_cases, write  # noqa: E402

env = make_env("maze")
refs = [{"seed": 0, "difficulty": 1, "index": 0}, {"seed": 0, "difficulty": 2, "index": 0},
        {"seed": 0, "difficulty": 3, "index": 0}, {"seed": 5, "difficulty": 1, "index": 1}]
rows = grid_cases(env, refs, full={0, 2})
write(rows, HERE)
