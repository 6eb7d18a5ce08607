"""The `maze` env: step-by-step moves through a BFS-verified generated maze."""
from .env import MazeEnv

__all__ = ["MazeEnv"]
