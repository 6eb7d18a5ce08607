"""`python_tool`: math and data questions solved with a sandboxed Python tool."""
from .env import PythonToolEnv

__all__ = ["PythonToolEnv"]
