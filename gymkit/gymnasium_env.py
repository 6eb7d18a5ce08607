"""Gymnasium interop: every gymkit env is `gymnasium.make("gymkit/<name>-v0")` after `import gymkit`.

Observations are JSON text of the chat messages the model should read next (the task prompt
on reset; tool results or user replies after a step). Actions are the model's reply: text
(tool calls written as `<tool_call>{...}</tool_call>`) or an OpenAI-style assistant message.
The reward arrives when the episode terminates; `info` carries the status, so an env error
is never mistaken for a wrong answer.
"""
from __future__ import annotations

import json
import pkgutil
import string
from importlib.metadata import entry_points
from typing import Any

import gymnasium
from gymnasium import spaces

from .registry import ENTRY_POINT_GROUP, make_env
from .tools import message_with_calls
from .types import Task

MAX_TEXT = 1 << 20
_CHARSET = string.printable + "".join(chr(c) for c in range(0xA0, 0x250))


class GymkitEnv(gymnasium.Env):
    """A gymkit env behind the Gymnasium API (one episode at a time)."""

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, env: str, difficulty: int | None = None, render_mode: str | None = None,
                 **config: Any):
        self.env = make_env(env, **config)
        self.difficulty = difficulty
        self.render_mode = render_mode
        self.observation_space = spaces.Text(max_length=MAX_TEXT, charset=_CHARSET)
        self.action_space = spaces.Text(max_length=MAX_TEXT, charset=_CHARSET)
        self.episode = None
        self._transcript: list[dict] = []

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        options = options or {}
        if "task" in options:
            task = options["task"] if isinstance(options["task"], Task) else Task.model_validate(options["task"])
        else:
            s = seed if seed is not None else int(self.np_random.integers(0, 2**31 - 1))
            task = self.env.generate(1, seed=s, difficulty=options.get("difficulty", self.difficulty))[0]
        self.episode = self.env.reset(task)
        self._transcript = list(task.prompt)
        return json.dumps(task.prompt), {"task_id": task.id, "tools": task.tools}

    def step(self, action: str | dict):
        if self.episode is None:
            raise RuntimeError("call reset() before step()")
        msg = action if isinstance(action, dict) else (
            message_with_calls(action) if self.episode.task.tools else
            {"role": "assistant", "content": action})
        msg = {"role": "assistant", **msg}
        result = self.env.step(self.episode, msg)
        self._transcript += [msg, *result.observation]
        info: dict[str, Any] = {"task_id": self.episode.task.id}
        reward, truncated = 0.0, False
        if result.done:
            score = result.score
            reward, truncated = score.reward, score.status == "truncated"
            info.update(status=score.status, error=score.error, components=score.components,
                        verdict=score.info)
            self.episode = None
        return json.dumps(result.observation), reward, result.done and not truncated, truncated, info

    def render(self):
        return "\n".join(f"[{m['role']}] {m.get('content', '')}" for m in self._transcript)

    def close(self):
        self.env.close()


def env_ids() -> list[str]:
    """Names of built-in and plugin envs, found without importing them."""
    import gymkit.envs as builtin

    names = [m.name for m in pkgutil.iter_modules(builtin.__path__) if m.ispkg]
    names += [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)]
    return sorted(set(names))


def register_all() -> None:
    for name in env_ids():
        register_one(name)


def register_one(name: str) -> None:
    """`gymkit/<name>-v0`, also for envs registered at run time (`--env file.py:Class`)."""
    gid = f"gymkit/{name}-v0"
    if gid not in gymnasium.registry:
        gymnasium.register(id=gid, entry_point="gymkit.gymnasium_env:GymkitEnv",
                           kwargs={"env": name}, disable_env_checker=True)
