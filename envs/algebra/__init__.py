"""The `algebra` env: sympy-generated symbolic tasks, verified by equivalence and sampling."""
from .env import AlgebraEnv

__all__ = ["AlgebraEnv"]
