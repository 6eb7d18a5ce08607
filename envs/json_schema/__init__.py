from .env import JsonSchemaEnv

__all__ = ["JsonSchemaEnv"]
