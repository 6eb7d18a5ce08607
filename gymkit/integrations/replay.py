"""What every adapter shares: the gymkit task carried in a framework's row, and the
framework's transcript replayed through gymkit's native episode loop (`play`).

Replaying keeps one verdict for all paths: the adapters never score text themselves, so an
adapter's reward and status are what `gymkit eval` would give the same messages.
"""
from __future__ import annotations

import logging
import math
from typing import Any

from gymkit.chat import as_text
from gymkit.env import BaseEnv, play
from gymkit.errors import GymkitError
from gymkit.registry import check_env_options, make_env, parse_env_list
from gymkit.types import UNSCORED, Message, Score, Task

log = logging.getLogger(__name__)
TASK_COLUMN = "gymkit_task"  # the dataset column (or extra_info key) holding the Task as JSON


def task_json(task: Task) -> str:
    """The task as one JSON string: a column every framework's dataset can carry as is."""
    return task.model_dump_json()


def task_of(value: Any) -> Task:
    """The gymkit Task a row carries (JSON text, a dict, or a Task)."""
    if isinstance(value, Task):
        return value
    if isinstance(value, str):
        return Task.model_validate_json(value)
    if isinstance(value, dict):
        return Task.model_validate(value)
    raise GymkitError(f"a row's {TASK_COLUMN!r} must be a gymkit Task as JSON text or a dict, "
                      f"not {type(value).__name__}")


class Envs:
    """The env objects an adapter serves, built once by name, with per-env options."""

    def __init__(self, names: str | list[str], options: dict[str, dict[str, Any]] | None = None):
        self.names = parse_env_list(names) if isinstance(names, str) else \
            parse_env_list(",".join(names))
        options = options or {}
        stray = sorted(set(options) - set(self.names))
        if stray:
            raise GymkitError(f"options given for env(s) {', '.join(stray)} that are not served; "
                              f"served: {', '.join(self.names)}")
        for name, opts in options.items():
            check_env_options(name, opts)
        self._envs = {name: make_env(name, **options.get(name, {})) for name in self.names}

    def get(self, name: str) -> BaseEnv:
        if name not in self._envs:
            raise GymkitError(f"a row holds a task of env {name!r}; this adapter serves: "
                              f"{', '.join(self.names)}")
        return self._envs[name]


def assistant_actions(completion: Any) -> list[Message]:
    """The model's own turns in a framework's completion: a text, or chat messages of which
    the assistant ones are kept (tool results and user turns are the env's to recompute)."""
    if isinstance(completion, str):
        return [{"role": "assistant", "content": completion}]
    if not isinstance(completion, list):
        raise GymkitError(f"a completion must be text or a list of chat messages, "
                          f"not {type(completion).__name__}")
    actions = []
    for m in completion:
        if not isinstance(m, dict) or m.get("role") != "assistant":
            continue
        action: Message = {"role": "assistant", "content": as_text(m.get("content"))}
        if m.get("tool_calls"):
            action["tool_calls"] = [_openai_call(c) for c in m["tool_calls"]]
        actions.append(action)
    return actions


def _openai_call(call: Any) -> dict:
    """A framework's tool call in OpenAI form (some frameworks put name/arguments at the top)."""
    if not isinstance(call, dict):
        return {"type": "function", "function": {}}
    if isinstance(call.get("function"), dict):
        return call
    return {"id": call.get("id", "call"), "type": "function",
            "function": {"name": call.get("name"), "arguments": call.get("arguments")}}


def replay(env: BaseEnv, task: Task, actions: list[Message]) -> tuple[list[Message], Score]:
    """The native path: `play` the model's turns on a fresh episode of `task`. An env that
    raises gets status `error`, as in gymkit's env pools, never an exception in the trainer."""
    if task.env != env.name:
        raise GymkitError(f"task {task.id} is for env {task.env!r}, not {env.name!r}")
    try:
        return play(env, task, actions)
    except Exception as e:  # an env bug: status error with its traceback in the log
        log.exception("env %s failed replaying task %s", env.name, task.id)
        return list(task.prompt) + list(actions), Score.failed(f"{type(e).__name__}: {e}")


def refuse_task_tools(env: BaseEnv, tasks: list[Task], framework: str) -> None:
    """A single-turn env whose answer is a tool call (per-task `Task.tools`, as function_call)
    needs the schemas rendered into each row's prompt, which `framework`'s rows cannot carry."""
    if not env.multi_turn and any(t.tools for t in tasks):
        raise GymkitError(f"env {env.name!r} is answered with calls to per-task tools "
                          f"(Task.tools); {framework} has no per-row tools for a single-turn prompt")


def replies_as_user(env: BaseEnv) -> bool:
    """Whether `env` answers the model with user turns (a simulated user), judged on the gold
    transcript of its first task. Tool-call loops (TRL's, verl's) cannot carry such turns."""
    task = env.generate(1, seed=0)[0]
    messages, _ = replay(env, task, env.gold_actions(task))
    return any(m.get("role") == "user" for m in messages[len(task.prompt):])


def observations(messages: list[Message], after: int = 0) -> list[str]:
    """The env's replies (tool results, user turns) in `messages[after:]`, as text."""
    return [as_text(m.get("content")) for m in messages[after:] if m.get("role") in ("tool", "user")]


def reward_or_none(score: Score) -> float | None:
    """The reward, or None when the verdict says nothing about the answer (error, timeout)."""
    return None if score.status in UNSCORED else score.reward


def same_reward(a: float | None, b: float | None) -> bool:
    """Equal rewards, None and NaN both meaning 'no reward'."""
    missing_a = a is None or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or (isinstance(b, float) and math.isnan(b))
    if missing_a or missing_b:
        return missing_a and missing_b
    return float(a) == float(b)
