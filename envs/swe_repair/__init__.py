"""The `swe_repair` env: fix an issue in a small Python repository; hidden tests are the reward."""
from .env import SweRepairEnv

__all__ = ["SweRepairEnv"]
