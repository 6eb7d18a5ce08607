"""`search_kb`: search and read tools over a generated knowledge base; the answer is verified."""
from .env import SearchKBEnv

__all__ = ["SearchKBEnv"]
