"""The `wordle` env: six tries, per-letter feedback, a vendored word list."""
from .env import WordleEnv

__all__ = ["WordleEnv"]
