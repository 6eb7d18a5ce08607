"""gymkit envs in TRL's `GRPOTrainer` (TRL 1.16).

    from gymkit.integrations.trl import dataset, environment_factory, reward_funcs
    GRPOTrainer(model, reward_funcs=reward_funcs(["math"]), train_dataset=dataset("math", 1000))
    GRPOTrainer(model, reward_funcs=reward_funcs(["tool_calc"]), train_dataset=dataset("tool_calc", 1000),
                environment_factory=environment_factory("tool_calc"))

Rows carry the task as JSON in the `gymkit_task` column; TRL hands every dataset column to
reward functions as a keyword list, and to an environment's `reset(**row)`.

Status mapping: a verdict of `error` or `timeout` returns reward None, which TRL 1.16 turns
into NaN; a completion for which every reward function returns None is "unscorable" there:
it is left out of its group's baseline and gets advantage 0. Every other status returns its
reward. Each reward function also logs the status as a completions-table column
(`gymkit_status/<env>`) and the fraction of unscored rows as a metric.
"""
from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any, get_type_hints

from datasets import Dataset

from gymkit.chat import as_text
from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.integrations.replay import (TASK_COLUMN, Envs, assistant_actions, refuse_task_tools,
                                        replay, replies_as_user, reward_or_none, task_json,
                                        task_of)
from gymkit.registry import check_env_options, make_env
from gymkit.tools import ToolSpec, make_call
from gymkit.types import Score, Task

log = logging.getLogger(__name__)


def dataset(env: str, n: int, seed: int = 0, difficulty: int | None = None,
            **options: Any) -> Dataset:
    """`n` tasks of `env` as the conversational dataset TRL wants: `prompt` (chat messages),
    `gymkit_task` (the Task as JSON) and `environment` (the env name, which routes rows when
    `environment_factory` is a dict of several envs)."""
    check_env_options(env, options)
    instance = make_env(env, **options)
    return rows_dataset(instance, instance.generate(n, seed=seed, difficulty=difficulty))


def rows_dataset(env: BaseEnv, tasks: list[Task]) -> Dataset:
    """Tasks of `env` as TRL rows (see `dataset`)."""
    refuse_task_tools(env, tasks, "TRL")
    return Dataset.from_list([{"prompt": [{"role": m["role"], "content": as_text(m.get("content"))}
                                          for m in t.prompt],
                               TASK_COLUMN: task_json(t), "environment": t.env} for t in tasks])


class GymkitReward:
    """A TRL reward function for the rows of one env (None for rows of other envs).

    Picklable: it holds the env's name and options and builds the env on first use."""

    def __init__(self, env: str, options: dict[str, Any] | None = None,
                 instance: BaseEnv | None = None):
        self.env_name, self.options = env, dict(options or {})
        self.__name__ = f"gymkit_{env}"  # TRL logs rewards/<__name__>/mean
        self._env = instance

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_env": None}

    @property
    def env(self) -> BaseEnv:
        if self._env is None:
            self._env = make_env(self.env_name, **self.options)
        return self._env

    def scores(self, completions: list[Any], tasks: list[Any]) -> list[Score | None]:
        """gymkit's verdict on each completion of this env's rows (None for other envs)."""
        out: list[Score | None] = []
        for completion, raw in zip(completions, tasks, strict=True):
            task = task_of(raw)
            out.append(replay(self.env, task, assistant_actions(completion))[1]
                       if task.env == self.env_name else None)
        return out

    def __call__(self, prompts: list[Any], completions: list[Any], gymkit_task: list[Any],
                 log_extra: Callable | None = None, log_metric: Callable | None = None,
                 **_: Any) -> list[float | None]:
        scores = self.scores(completions, gymkit_task)
        if log_extra is not None:
            log_extra(f"gymkit_status/{self.env_name}", [s.status if s else None for s in scores])
        mine = [s for s in scores if s is not None]
        if log_metric is not None and mine:
            unscored = sum(reward_or_none(s) is None for s in mine) / len(mine)
            log_metric(f"gymkit/{self.env_name}/unscored_frac", unscored)
        return [reward_or_none(s) if s is not None else None for s in scores]


def reward_funcs(envs: str | list[str],
                 options: dict[str, dict[str, Any]] | None = None) -> list[GymkitReward]:
    """One TRL reward function per env (`GRPOTrainer(reward_funcs=...)`); each scores its own
    env's rows and returns None for the others, so their rewards never mix."""
    served = Envs(envs, options)
    return [GymkitReward(name, (options or {}).get(name), served.get(name)) for name in served.names]


# ---------------------------------------------------------------- multi-turn tool envs
class GymkitToolEnv:
    """Base of the classes `environment_factory` builds: one per env, a method per tool."""

    env: BaseEnv

    def reset(self, gymkit_task: Any = None, **_: Any) -> None:
        """Start a live episode of the row's task; the prompt is already in the row."""
        if gymkit_task is None:
            raise GymkitError(f"a row for the TRL environment of {self.env.name!r} needs a "
                              f"{TASK_COLUMN!r} column (use gymkit.integrations.trl.dataset)")
        task = task_of(gymkit_task)
        self._episode, self._failure = None, None
        try:
            self._episode = self.env.reset(task)
        except Exception as e:  # an env bug must not stop training; the replay scores it `error`
            log.exception("env %s failed to reset task %s", self.env.name, task.id)
            self._failure = f"{type(e).__name__}: {e}"
        return None

    def _run(self, name: str, arguments: dict[str, Any]) -> str:
        """One tool call on the live episode, answered as gymkit answers it (errors as text)."""
        if getattr(self, "_failure", None):
            return f"error: the environment failed: {self._failure}"
        episode = getattr(self, "_episode", None)
        if episode is None:
            raise GymkitError("tool called before reset()")
        return self.env.run_calls(episode, [make_call(name, arguments)], [])[-1]["content"]


def environment_factory(env: str, **options: Any) -> Callable[[], GymkitToolEnv]:
    """TRL's `environment_factory` for a gymkit tool env: each instance is one live episode
    whose public methods are the env's tools (TRL renders their schemas into the prompt and
    calls them with the parsed arguments). The reward stays with `reward_funcs`, which replays
    the finished transcript through gymkit, so pass both to `GRPOTrainer`."""
    check_env_options(env, options)
    instance = make_env(env, **options)
    if not instance.multi_turn:
        raise GymkitError(f"env {env!r} is single-turn: TRL needs only reward_funcs({env!r})")
    specs = instance._tool_specs
    if not specs or replies_as_user(instance):
        raise GymkitError(f"env {env!r} replies as a simulated user; TRL 1.16's "
                          "environment_factory only answers tool calls, so it cannot host it")
    methods = {name: _tool_method(name, spec) for name, spec in specs.items()}
    cls = type(f"Gymkit_{env}", (GymkitToolEnv,), {"env": instance, **methods})
    return cls


_RESERVED = {"reset", "get_reward"}  # TRL treats these names as the environment's own hooks


def _tool_method(name: str, spec: ToolSpec) -> Callable:
    """A method with the tool's signature and a Google-style docstring, the form TRL (through
    transformers' get_json_schema) reads a tool's schema from."""
    if name in _RESERVED or name.startswith("_") or not name.isidentifier():
        raise GymkitError(f"tool name {name!r} cannot be a TRL environment method")
    params = list(inspect.signature(spec.fn).parameters.values())[2:]  # skip self, episode
    hints = get_type_hints(spec.fn)
    props = spec.schema["function"]["parameters"].get("properties", {})

    def call(self: GymkitToolEnv, **arguments: Any) -> str:
        return self._run(name, arguments)

    call.__name__ = call.__qualname__ = name
    call.__signature__ = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in params],
        return_annotation=str)
    call.__annotations__ = {p.name: hints.get(p.name, Any) for p in params} | {"return": str}
    args = "\n".join(f"    {p.name}: {_one_line(props.get(p.name, {}).get('description') or p.name)}"
                     for p in params)
    call.__doc__ = f"{spec.description or name}\n\nArgs:\n{args}\n" if params else spec.description
    return call


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
