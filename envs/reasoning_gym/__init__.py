"""The `reasoning_gym` env: vetted generators of the reasoning-gym package, scored strictly."""
from .env import ReasoningGymEnv

__all__ = ["ReasoningGymEnv"]
