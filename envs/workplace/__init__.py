"""The `workplace` env: directory, calendar, mail and task tools; database-state reward."""
from .env import WorkplaceEnv

__all__ = ["WorkplaceEnv"]
