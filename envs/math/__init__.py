"""The `math` env: procedural arithmetic and word problems, strict boxed-answer verification."""
from .env import MathEnv

__all__ = ["MathEnv"]
