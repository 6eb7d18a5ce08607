"""gymkit: verifiable RL environments for language models, and an RLVR trainer."""
from .env import BaseEnv, Episode
from .registry import env_names, get_env_class, make_env, register_env
from .tools import tool
from .types import Rollout, Score, Step, Task

__all__ = ["BaseEnv", "Episode", "Rollout", "Score", "Step", "Task", "env_names",
           "get_env_class", "make_env", "register_env", "tool"]
__version__ = "0.1.0"


def _register_gymnasium() -> None:
    from .gymnasium_env import register_all

    register_all()


_register_gymnasium()
