from .env import IfevalEnv

__all__ = ["IfevalEnv"]
