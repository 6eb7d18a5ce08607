"""The `countdown` env: reach a target from given numbers, checked over the expression's AST."""
from .env import CountdownEnv

__all__ = ["CountdownEnv"]
