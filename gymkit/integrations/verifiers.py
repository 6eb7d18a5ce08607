"""gymkit envs as a `verifiers` (0.4, the `verifiers.v1` stack) taskset, the format prime-rl
and the other verifiers consumers load.

verifiers 0.4 has no SingleTurnEnv or Rubric any more: an environment is a `Taskset` (rows
in, typed `Task`s out) whose tasks score a finished `Trace` with `@vf.reward` methods,
played by an `Env` (`SingleAgentEnv` for a plain taskset) through a harness. Here:

* `GymkitTaskset`: config `env`, `n`, `seed`, `difficulty`, `options`; each task carries the
  gymkit Task as JSON (`TaskData.gymkit_task`) and its prompt.
* `GymkitTask.gymkit`: the reward, gymkit's verdict on the trace's assistant turns replayed
  through gymkit's own episode loop.
* `load_environment(env_name, **options)`: the `vf.Env` verifiers' own loader builds for it.

Status mapping: `correct`, `wrong` and `truncated` record their reward; `error` and `timeout`
raise from the reward, which verifiers records as a failed trace (`trace.ok` False, a
`TaskError`, the reward left None), the way it keeps any scoring failure out of training.
Every scored trace also gets `trace.info["gymkit"] = {"status", "error"}`.

Multi-turn (tool) envs go through verifiers' own NeMo Gym taskset (`verifiers.v1.tasksets.
nemo_gym`) pointed at a `gymkit serve-env` server: `load_environment("tool_calc",
resources_url="http://127.0.0.1:8000")`. The tasks are exported as NeMo Gym rows (`task_to_row`),
verifiers' `NeMoGymToolset` serves the row's tools to the harness over MCP and forwards each call
to the server's tool route, and the reward is the server's `/verify` on verifiers' transcript:
gymkit's own episode loop, with its status in the verify response (`trace.info["nemo_gym"]`).
Without `resources_url` a multi-turn env is refused with one line saying how to serve it.
"""
from __future__ import annotations

import asyncio
import importlib
import importlib.machinery
import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import gymkit.verifiers as _gymkit_verifiers
from gymkit.errors import GymkitError
from gymkit.integrations.replay import (TASK_COLUMN, assistant_actions, refuse_task_tools, replay,
                                        task_json, task_of)
from gymkit.registry import check_env_options, make_env
from gymkit.types import UNSCORED, Score

TASKSET_ID = "gymkit_verifiers"  # the module name verifiers' loader resolves (see below)


def import_verifiers_v1() -> ModuleType:
    """`verifiers.v1` of the installed package. In a gymkit checkout the repo's own
    `verifiers/` folder (installed as `gymkit.verifiers`) shadows it as a top-level name
    whenever the checkout root is on sys.path (`python -m`, pytest run from the root)."""
    shadow = Path(_gymkit_verifiers.__file__).resolve().parent
    loaded = sys.modules.get("verifiers")
    if loaded is not None and Path(getattr(loaded, "__file__", "") or ".").resolve().parent == shadow:
        del sys.modules["verifiers"]  # the checkout's folder under the PyPI package's name
        loaded = None
    if loaded is None:
        path = [p for p in sys.path if (Path(p or ".").resolve() / "verifiers") != shadow]
        spec = importlib.machinery.PathFinder.find_spec("verifiers", path)
        if spec is None or spec.loader is None:
            raise ModuleNotFoundError("No module named 'verifiers'", name="verifiers")
        module = importlib.util.module_from_spec(spec)
        sys.modules["verifiers"] = module
        spec.loader.exec_module(module)
    return importlib.import_module("verifiers.v1")


vf = import_verifiers_v1()


class GymkitTasksetConfig(vf.TasksetConfig):
    """Which gymkit tasks the taskset yields (`--env.taskset.*`)."""

    env: str = "math"
    n: int = 1000
    seed: int = 0
    difficulty: int | None = None
    options: dict[str, Any] = {}


class GymkitTaskData(vf.TaskData):
    gymkit_task: str  # the gymkit Task as JSON: gold and verifier data ride with the row
    env_options: dict[str, Any] = {}  # the env's constructor options, for scoring


class GymkitTask(vf.Task[GymkitTaskData, vf.State, vf.TaskConfig]):
    """One gymkit task; its reward is gymkit's verdict on the trace."""

    @vf.reward
    async def gymkit(self, task: GymkitTaskData, trace: vf.Trace) -> float:
        score = await asyncio.to_thread(score_trace, task, trace)
        trace.info["gymkit"] = {"status": score.status, "error": score.error}
        if score.status in UNSCORED:
            why = (score.error or "").strip().splitlines()
            raise GymkitUnscored(f"gymkit status {score.status}: {why[0] if why else 'no detail'}")
        return score.reward


class GymkitUnscored(RuntimeError):
    """The env could not judge (status error or timeout): no reward, a failed trace."""


class GymkitTaskset(vf.Taskset[GymkitTask, GymkitTasksetConfig]):
    """`config.n` procedural tasks of the gymkit env `config.env`."""

    def load(self):
        name, options = self.config.env, dict(self.config.options)
        check_env_options(name, options)
        env = make_env(name, **options)
        if env.multi_turn:
            raise GymkitError(f"env {name!r} is multi-turn; the verifiers adapter serves "
                              "single-turn envs only (gymkit ships no vf.Toolset yet)")
        tasks = env.generate(self.config.n, seed=self.config.seed, difficulty=self.config.difficulty)
        refuse_task_tools(env, tasks, "verifiers")
        for t in tasks:
            yield GymkitTask(GymkitTaskData(id=t.id, prompt=list(t.prompt), gymkit_task=task_json(t),
                                            env_options=options), self.config.task)


def score_trace(data: GymkitTaskData, trace: Any) -> Score:
    """gymkit's verdict on a trace: its sampled assistant turns replayed on the task."""
    task = task_of(data.gymkit_task)
    actions = assistant_actions([m.model_dump() for m in trace.assistant_messages])
    return replay(env_for(task.env, data.env_options), task, actions)[1]


_envs: dict[str, Any] = {}


def env_for(name: str, options: dict[str, Any]):
    """One env object per (name, options) for scoring."""
    key = json.dumps([name, options], sort_keys=True, default=str)
    if key not in _envs:
        check_env_options(name, options)
        _envs[key] = make_env(name, **options)
    return _envs[key]


def load_environment(env_name: str, n: int = 1000, seed: int = 0, difficulty: int | None = None,
                     agent: dict[str, Any] | None = None, resources_url: str | None = None,
                     **options: Any):
    """A `vf.Env` for gymkit env `env_name`, built by verifiers' own loader.

    `agent` is the env's agent config (harness, runtime, model); the default plays each task
    as one plain chat turn (`null` harness) in a local subprocess runtime. A multi-turn env
    needs `resources_url`, a `gymkit serve-env` server that serves it (`nemo_gym_environment`)."""
    check_env_options(env_name, options)
    env = make_env(env_name, **options)
    if env.multi_turn:
        if not resources_url:
            raise GymkitError(
                f"env {env_name!r} is multi-turn: serve it with `gymkit serve-env --env "
                f"{env_name}` and pass resources_url=http://HOST:PORT (verifiers then plays it "
                "through its own NeMo Gym taskset)")
        return nemo_gym_environment(env, n, seed, difficulty, resources_url, agent)
    taskset = GymkitTasksetConfig(id=TASKSET_ID, env=env_name, n=n, seed=seed,
                                  difficulty=difficulty, options=options)
    seat = agent or {"harness": {"id": "null"}, "runtime": {"type": "subprocess"}}
    config = vf.SingleAgentEnvConfig(taskset=taskset, agent=seat)
    return vf.load_environment(config)


def nemo_gym_environment(env, n: int, seed: int, difficulty: int | None, resources_url: str,
                         agent: dict[str, Any] | None = None, rows_path: str | None = None):
    """verifiers' own NeMo Gym env over `n` tasks of gymkit env `env`, played against the
    `gymkit serve-env` server at `resources_url`. The tasks are written as NeMo Gym rows to
    `rows_path` (default: a new temporary file), which is the taskset's dataset."""
    from gymkit.serve_env.nemo_gym import task_to_row

    tasks = env.generate(n, seed=seed, difficulty=difficulty)
    with (open(rows_path, "w", encoding="utf-8") if rows_path else tempfile.NamedTemporaryFile(
            "w", prefix=f"gymkit-{env.name}-", suffix=".jsonl", delete=False)) as f:
        f.writelines(json.dumps(task_to_row(t)) + "\n" for t in tasks)
        rows_path = f.name
    seat = agent or {"runtime": {"type": "subprocess"}}
    config = vf.resolve_env_config({
        "taskset": {"id": "nemo_gym", "dataset": rows_path,
                    "task": {"resources_url": resources_url.rstrip("/")}},
        "agent": seat})
    return vf.load_environment(config)


# verifiers resolves a taskset id as an importable module name, and a dotted id
# ("gymkit.integrations.verifiers") fails inside its loader; this alias makes the id resolve
# in any process that imported this module. Another process needs a module of its own (docs).
sys.modules.setdefault(TASKSET_ID, sys.modules[__name__])
__all__ = ["GymkitTaskset", "GymkitTask", "GymkitTasksetConfig", "GymkitTaskData",
           "load_environment", "nemo_gym_environment", "TASK_COLUMN"]
