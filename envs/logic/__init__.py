from .env import LogicEnv

__all__ = ["LogicEnv"]
