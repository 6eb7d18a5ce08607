"""File-system tasks through a sandboxed bash tool, verified by final state (see README.md)."""
from .env import ShellAgentEnv

__all__ = ["ShellAgentEnv"]
