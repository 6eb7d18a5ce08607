"""`function_call`: emit function calls for a request against JSON schemas (BFCL-style)."""
from .env import FunctionCallEnv

__all__ = ["FunctionCallEnv"]
