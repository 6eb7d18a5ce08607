"""Open-ended chat prompts scored by a trained reward model (see README.md)."""
from .env import RMChatEnv

__all__ = ["RMChatEnv"]
