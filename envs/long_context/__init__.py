"""`long_context`: RULER-style retrieval and aggregation over long generated documents."""
from .env import LongContextEnv

__all__ = ["LongContextEnv"]
