"""The `mcq` env: offline multiple-choice questions with strict letter extraction."""
from .env import MCQEnv

__all__ = ["MCQEnv"]
