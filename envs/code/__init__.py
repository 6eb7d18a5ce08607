"""Write a function or a program; hidden tests run in the sandbox (see README.md)."""
from .env import CodeEnv

__all__ = ["CodeEnv"]
