"""`tool_calc`: calculator and unit-conversion tools for word problems."""
from .env import ToolCalcEnv

__all__ = ["ToolCalcEnv"]
