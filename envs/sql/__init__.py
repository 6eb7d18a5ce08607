"""Text-to-SQL over seeded SQLite databases (see README.md)."""
from .env import SqlEnv

__all__ = ["SqlEnv"]
