"""The `sokoban` env: BFS-verified small levels, step-by-step pushes."""
from .env import SokobanEnv

__all__ = ["SokobanEnv"]
