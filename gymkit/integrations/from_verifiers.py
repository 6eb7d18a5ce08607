"""A `verifiers` (0.4, the `verifiers.v1` stack) taskset played as a gymkit env: `verifiers_env`.

The opposite direction of `gymkit.integrations.verifiers`: others' tasksets inside gymkit.

    gymkit eval --env gymkit.integrations.from_verifiers:VerifiersEnv \\
        --env-option verifiers_env.taskset=my_taskset_pkg --model smollm2-135m --n 20

Option `taskset` names the taskset: an installed taskset id, resolved by verifiers' own loader
(`vf.load_taskset`), or `pkg.module:Class` / `path/to/file.py:Class`, resolved the way
verifiers resolves plugged functions; `taskset_options` are its config's fields. Tasks are the
taskset's rows, drawn without replacement in a seeded order; a row's `answer` field (option
`answer_field`), when it has one, is the task's gold. Each task is played as verifiers' `null`
harness plays it: one chat turn, no tools. The reply becomes a finished `vf.Trace`, scored by
the task's own `Task.score` (its `@vf.reward` methods and plugged rewards), offline.

Status mapping (`verdict`): the weighted sum reaching the full reward (the sum of the
positive weights) is `correct`; 0 is `wrong`; anything between is partial credit, `wrong`
with that reward. The reward is the sum divided by the full reward (1 = full marks; the raw
sum is `info["verifiers_reward"]`). A reward that raises, returns what verifiers' `float()`
rejects, or returns NaN/inf is status `error` with the reason; the scoring timeout is `timeout`.

Refused with one line, since verifiers 0.4 plays them through a harness program and a model
server rather than turn by turn: tasks with toolsets (MCP servers), a user who opens the
conversation, judges (a model), rewards or hooks that need a runtime (sandbox), request
intercepts, containers, taskset packages that bring their own Env or harness, and infinite
tasksets.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import inspect
import logging
import math
import random
from dataclasses import dataclass
from types import ModuleType
from typing import Any, ClassVar

from pydantic import ValidationError

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.extras import missing_extra
from gymkit.types import Message, Score, Task

log = logging.getLogger(__name__)


def verifiers_v1() -> ModuleType:
    """`verifiers.v1` of the installed package (past the checkout's own `verifiers/`), or one
    line naming the extra that installs it."""
    try:
        from gymkit.integrations.verifiers import import_verifiers_v1

        return import_verifiers_v1()
    except ModuleNotFoundError as e:  # no verifiers, or one without the v1 stack (< 0.4)
        if (line := missing_extra(e)) is None:
            raise
        raise GymkitError(line) from None


# ---------------------------------------------------------------------------- the verdict
def verdict(rewards: dict[str, Any]) -> Score:
    """gymkit's verdict on the rewards verifiers recorded on a trace (`trace.rewards`: name ->
    `vf.Reward(score, weight)`, or None for a reward that did not run)."""
    if not rewards:
        return Score.failed("the task recorded no reward")
    missing = sorted(name for name, r in rewards.items() if r is None)
    if missing:
        return Score.failed(f"reward(s) {', '.join(missing)} recorded no value")
    bad = [f"{name}={r.score!r} (weight {r.weight!r})" for name, r in rewards.items()
           if not (math.isfinite(r.score) and math.isfinite(r.weight))]
    if bad:
        return Score.failed(f"non-finite reward: {', '.join(bad)}")
    total = sum(r.score * r.weight for r in rewards.values())  # = verifiers' `trace.reward`
    full = sum(max(r.weight, 0.0) for r in rewards.values())
    reward = total / full if full > 0 else total
    info = {"verifiers_reward": total, "full_reward": full}
    components = {name: r.score for name, r in rewards.items()}
    if full > 0 and total >= full:  # every reward at its best (scores are 0..1 by convention)
        score = Score.correct(reward, **info)
    elif total == 0:
        score = Score.wrong("verifiers reward 0", **info)
    else:
        score = Score.wrong(f"partial credit: {total:g} of {full:g}", reward=reward, **info)
    score.components = components
    return score


# ---------------------------------------------------------------------------- loading
@dataclass
class Loaded:
    """A taskset, loaded and checked: its tasks in `load()` order (a task's `idx`)."""

    ref: str
    taskset: Any  # vf.Taskset
    tasks: list[Any]  # vf.Task


def load(ref: str, options: dict[str, Any]) -> Loaded:
    """Load taskset `ref` with config fields `options`; refuse what gymkit cannot play."""
    vf = verifiers_v1()
    try:
        if ":" in ref:
            cls = _taskset_class(vf, ref)
            taskset = cls(_config_type(vf, cls).model_validate(options))
        else:
            config = vf.taskset_config_type(ref).model_validate({**options, "id": ref})
            _refuse_package_extras(vf, ref)
            taskset = vf.load_taskset(config)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        raise GymkitError(f"taskset {ref!r}: taskset_options.{'.'.join(map(str, err['loc']))}: "
                          f"{err['msg']}") from None
    except (ImportError, OSError, TypeError, ValueError, AttributeError) as e:
        raise GymkitError(f"taskset {ref!r}: {_first_line(e)}") from None
    if not taskset.bounded:
        raise GymkitError(f"taskset {ref!r} is infinite; verifiers_env draws from a finite one")
    try:
        tasks = list(taskset)
    except Exception as e:  # the taskset's own load() failed: one line, its traceback logged
        log.exception("taskset %s failed to load", ref)
        raise GymkitError(f"taskset {ref!r} failed to load its rows: {_first_line(e)}") from None
    if not tasks:
        raise GymkitError(f"taskset {ref!r} has no tasks")
    why = multi_turn_reason(vf, taskset, tasks)
    if why:
        raise GymkitError(f"taskset {ref!r} {why}; verifiers_env plays single-turn, offline "
                          "tasks only (see docs/interop.md)")
    return Loaded(ref, taskset, tasks)


def _taskset_class(vf: ModuleType, ref: str) -> type:
    """`pkg.module:Class` or `path/to/file.py:Class`, imported as verifiers imports plugged
    functions (`file_module` for a file)."""
    from verifiers.v1.utils.loaders import file_module

    target, _, attr = ref.rpartition(":")
    try:
        module = file_module(target) if target.endswith(".py") else importlib.import_module(target)
    except (ImportError, OSError):
        raise
    except Exception as e:  # the user's module raised while importing: its error, one line
        raise ImportError(f"{target} failed to import: {_first_line(e)}") from None
    cls = getattr(module, attr, None)
    if not (isinstance(cls, type) and issubclass(cls, vf.Taskset)):
        raise TypeError(f"{attr} in {target} is not a vf.Taskset subclass (got {cls!r})"[:300])
    return cls


def _config_type(vf: ModuleType, cls: type) -> type:
    from verifiers.v1.utils.generic import concrete_type

    return concrete_type(cls, vf.TasksetConfig, origin=vf.Taskset) or vf.TasksetConfig


def _refuse_package_extras(vf: ModuleType, taskset_id: str) -> None:
    """A taskset package may export its own Env (several agents, a simulated user) or harness
    (an agent program); gymkit plays the plain single-agent, one-turn case only."""
    if vf.environment_class(taskset_id) is not vf.SingleAgentEnv:
        raise TypeError("exports its own vf.Env (multi-agent or custom episode flow)")
    if vf.default_harness_id(taskset_id) != "bash":  # "bash" is the fallback: none exported
        raise TypeError("exports its own harness (an agent program)")


def _needs_runtime(fn: Any) -> bool:
    """verifiers' own rule: a hook whose `runtime` parameter has no default needs a sandbox."""
    param = inspect.signature(fn).parameters.get("runtime")
    return param is not None and param.default is inspect.Parameter.empty


def multi_turn_reason(vf: ModuleType, taskset: Any, tasks: list[Any]) -> str | None:
    """Why the taskset cannot be played as one offline chat turn, or None."""
    from verifiers.v1.utils.decorators import discover_decorated

    if type(taskset).toolsets(taskset.config):
        return "serves shared tools (taskset toolsets)"
    task = tasks[0]  # a taskset yields one task type; its class decides the rest
    cls = type(task)
    if cls.toolsets(task.config):
        return "serves tools (task toolsets, MCP servers)"
    if cls.NEEDS_CONTAINER:
        return "needs a container"
    hooks = [name for name in ("setup", "finalize", "stage_verifier")
             if getattr(cls, name) is not getattr(vf.Task, name)]
    if hooks:
        return f"runs {'/'.join(hooks)} hooks in a runtime"
    if discover_decorated(task, "intercept"):
        return "rewrites model requests (@vf.intercept)"
    rewards = task.hooks("reward")
    if not rewards:
        return "has no @vf.reward: nothing scores a reply"
    if any(_needs_runtime(fn) for fn in rewards):
        return "has rewards that need a runtime (sandbox)"
    for t in tasks:
        if t.data.prompt is None:
            return "has tasks whose user opens the conversation (a simulated user)"
        if t.config.judges:
            return "is judged by a model (task judges)"
    return None


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0] if text else ''}"


# ---------------------------------------------------------------------------- scoring
def run_coroutine(coro: Any) -> Any:
    """Run `coro` to its end from sync code, also when called inside a running event loop
    (an async server's handler): then it gets a loop of its own on another thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def finished_trace(vf: ModuleType, task: Any, answer: str) -> Any:
    """The trace a one-turn rollout of `task` leaves before scoring: its prompt, the reply as
    the sampled assistant turn, stopped as `agent_completed`."""
    from verifiers.v1.graph import MessageNode
    from verifiers.v1.state import state_cls

    prompt = prompt_messages(vf, task.data)
    nodes = [MessageNode(parent=i - 1 if i else None, message=m) for i, m in enumerate(prompt)]
    nodes.append(MessageNode(parent=len(nodes) - 1 if nodes else None, sampled=True,
                             message=vf.AssistantMessage(content=answer)))
    trace = vf.Trace(task=vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key,
                                       hash=task.hash),
                     agent=vf.AgentInfo(config=vf.AgentConfig()), nodes=nodes,
                     state=state_cls(type(task))())
    trace.stop("agent_completed")
    return trace


def prompt_messages(vf: ModuleType, data: Any) -> list[Any]:
    """The messages a rollout opens with: the system prompt, then the prompt (text or messages)."""
    head = [vf.SystemMessage(content=data.system_prompt)] if data.system_prompt is not None else []
    body = [vf.UserMessage(content=data.prompt)] if isinstance(data.prompt, str) else \
        list(data.prompt or [])
    return head + body


async def _score(task: Any, trace: Any, timeout_s: float | None) -> None:
    async with asyncio.timeout(timeout_s):
        await task.score(trace)


def score_reply(vf: ModuleType, task: Any, answer: str, timeout_s: float | None) -> Score:
    """verifiers' own scoring of `answer` to `task`, as a gymkit verdict."""
    trace = finished_trace(vf, task, answer)
    limit = task.data.timeout.scoring or timeout_s
    try:
        run_coroutine(_score(task, trace, limit))
    except TimeoutError:
        return Score.failed(f"verifiers scoring ran past {limit:g} s", status="timeout")
    except vf.RolloutError as e:  # a reward raised (TaskError), or its float() failed
        log.warning("verifiers scoring of task %s failed", task.key, exc_info=True)
        return Score.failed(f"verifiers reward failed: {_first_line(e)}")
    score = verdict(trace.rewards)
    if trace.metrics:
        score.info["metrics"] = dict(trace.metrics)
    return score


# ---------------------------------------------------------------------------- the env
class VerifiersEnv(BaseEnv):
    """A verifiers taskset's rows as tasks, scored by the taskset's own rewards.

    Options: `taskset` (installed taskset id, `pkg.module:Class` or `path/to/file.py:Class`;
    a subclass may set `taskset_ref` instead), `taskset_options` (the taskset config's
    fields), `answer_field` (the row field holding a reference answer, used as gold),
    `scoring_timeout_s` (when the task sets no `timeout.scoring` of its own).
    """

    name = "verifiers_env"
    family = "misc"
    verifier = "the verifiers taskset's own @vf.reward methods, on a one-turn trace"
    difficulties = (1,)
    taskset_ref: ClassVar[str | None] = None

    def __init__(self, taskset: str | None = None, taskset_options: dict[str, Any] | None = None,
                 answer_field: str | None = "answer", scoring_timeout_s: float | None = 60.0,
                 **config: Any) -> None:
        super().__init__(**config)
        self.taskset = taskset or self.taskset_ref
        self.taskset_options = dict(taskset_options or {})
        self.answer_field = answer_field
        self.scoring_timeout_s = scoring_timeout_s
        # loaded now when named, so a bad taskset fails at make_env; a bare `VerifiersEnv()`
        # (as `gymkit envs list` builds) loads nothing
        self._loaded = load(self.taskset, self.taskset_options) if self.taskset else None

    def loaded(self) -> Loaded:
        if self._loaded is None:
            raise GymkitError(f"env {self.name!r} needs option taskset: an installed taskset "
                              "id, pkg.module:Class or path/to/file.py:Class "
                              f"(--env-option {self.name}.taskset=...)")
        return self._loaded

    def generate(self, n: int, seed: int = 0, difficulty: int | None = None) -> list[Task]:
        """`n` tasks: the taskset's rows in an order shuffled by `seed` (rows repeat, with
        their ids, once all are drawn)."""
        if difficulty not in (None, *self.difficulties):
            raise GymkitError(f"env {self.name!r} has no difficulty {difficulty}; choose one "
                              f"of: {', '.join(map(str, self.difficulties))}")
        rows = self.loaded().tasks
        order = list(range(len(rows)))
        random.Random(f"{self.name}/{self.taskset}/{seed}").shuffle(order)
        tasks = []
        for i in range(n):
            t = self.task_of(rows[order[i % len(order)]])
            t.seed, t.difficulty = seed, 1
            tasks.append(t)
        return tasks

    def task_of(self, vtask: Any) -> Task:
        """The gymkit Task for one verifiers task; its row rides in `data` for re-scoring."""
        vf = verifiers_v1()
        data = vtask.data
        prompt: list[Message] = [m.model_dump(exclude_none=True)
                                 for m in prompt_messages(vf, data)]
        gold = self.gold_text(data)
        return Task(id=f"vf-{data.idx}", env=self.name, prompt=prompt,
                    data={"taskset": self.taskset, "row": data.model_dump(mode="json")},
                    gold=[{"role": "assistant", "content": gold}] if gold is not None else None,
                    meta={"verifiers_key": vtask.key, "verifiers_id": data.id,
                          "verifiers_name": data.name})

    def gold_text(self, data: Any) -> str | None:
        """The row's reference answer (`answer_field`) as text; the first of a list."""
        answer = getattr(data, self.answer_field, None) if self.answer_field else None
        if isinstance(answer, (list, tuple)):
            answer = answer[0] if answer else None
        return None if answer is None or isinstance(answer, (dict, bool)) else str(answer)

    def verifiers_task(self, task: Task) -> Any:
        """The verifiers task a gymkit task came from, rebuilt from its row (as verifiers
        replays a trace: the taskset's task type over the recorded data)."""
        loaded = self.loaded()
        if task.data.get("taskset") != loaded.ref:
            raise GymkitError(f"task {task.id} comes from taskset {task.data.get('taskset')!r}; "
                              f"this env serves {loaded.ref!r}")
        row, idx = task.data["row"], task.data["row"].get("idx")
        if isinstance(idx, int) and 0 <= idx < len(loaded.tasks):
            same = loaded.tasks[idx]
            if same.data.model_dump(mode="json") == row:
                return same  # the very task the taskset yields
        cls = type(loaded.tasks[0])
        return cls(cls.data_type().model_validate(row), loaded.taskset.config.task)

    def score(self, task: Task, response: str) -> Score:
        vf = verifiers_v1()
        return score_reply(vf, self.verifiers_task(task), response, self.scoring_timeout_s)
