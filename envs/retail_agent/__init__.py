"""The `retail_agent` env: tau-bench-style store tools, a scripted customer, database-state reward."""
from .env import RetailAgentEnv

__all__ = ["RetailAgentEnv"]
