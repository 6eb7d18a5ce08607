"""gymkit envs in verl (0.9.1): a custom reward function, and the rows it reads.

    python -c "from gymkit.integrations.verl import dataset; dataset('math', 1000).to_parquet('math.parquet')"
    python -m verl.trainer.main_ppo data.train_files=math.parquet \\
        reward.custom_reward_function.path=pkg://gymkit.integrations.verl \\
        reward.custom_reward_function.name=compute_score ...

A row's `reward_model.ground_truth` is the whole gymkit Task as JSON (what verl calls the
ground truth is gymkit's verifier data); `data_source` is `gymkit/<env>`. Rows of any other
`data_source` go to verl's own `default_compute_score`, so one run can mix both.

Status mapping: verl's reward path has no per-sample "no reward" (a NaN would reach the
advantages), so `error` and `timeout` score 0.0, like `wrong`; they stay apart in the
returned dict: `gymkit_status` (the status), `gymkit_scored` (0.0 for error/timeout, else
1.0) and `acc` (1.0 only for correct). verl keeps these per sample (`reward_extra_info`,
validation metrics, dumped generations), but its trainer does not drop rows by them.

Multi-turn tool envs: `gymkit.integrations.verl_tool` (tool config for verl's tool agent loop).
"""
from __future__ import annotations

import json
import threading
from typing import Any

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.integrations.replay import (TASK_COLUMN, assistant_actions, refuse_task_tools, replay,
                                        task_json, task_of)
from gymkit.registry import check_env_options, make_env
from gymkit.types import UNSCORED, Score, Task

SOURCE_PREFIX = "gymkit/"
MESSAGES_KEY = "gymkit_messages"  # extra_info key: the episode's chat messages (multi-turn)
_envs: dict[tuple[str, str], BaseEnv] = {}
_envs_lock = threading.Lock()  # verl's reward managers call compute_score from a thread pool


def dataset(env: str, n: int, seed: int = 0, difficulty: int | None = None, **options: Any):
    """`n` tasks of `env` as verl's RL rows (a `datasets.Dataset`; `.to_parquet(path)` it)."""
    from datasets import Dataset

    check_env_options(env, options)
    instance = make_env(env, **options)
    tasks = instance.generate(n, seed=seed, difficulty=difficulty)
    refuse_task_tools(instance, tasks, "verl")
    return Dataset.from_list([row(t, i, instance) for i, t in enumerate(tasks)])


def row(task: Task, index: int, env: BaseEnv) -> dict[str, Any]:
    """One verl row: `prompt` (chat), `data_source`, `ability`, `reward_model`, `extra_info`;
    tool envs also get `extra_info.tools_kwargs`, which hands the task to each tool, and
    `agent_name: tool_agent`, which routes the row to verl's tool agent loop."""
    text = task_json(task)
    extra: dict[str, Any] = {"index": index, "task_id": task.id}
    out: dict[str, Any] = {
        "data_source": f"{SOURCE_PREFIX}{task.env}",
        "prompt": [{"role": m["role"], "content": m.get("content") or ""} for m in task.prompt],
        "ability": env.family, "reward_model": {"style": "rule", "ground_truth": text},
        "extra_info": extra}
    if env.multi_turn and env.tool_schemas():
        extra["tools_kwargs"] = {name: {"create_kwargs": {TASK_COLUMN: text}}
                                 for name in env._tool_specs}
        out["agent_name"] = "tool_agent"
    return out


def env_for(name: str, options: dict[str, Any] | None = None) -> BaseEnv:
    """The process-wide env object for (name, options), built once."""
    options = options or {}
    key = (name, json.dumps(options, sort_keys=True, default=str))
    with _envs_lock:
        if key not in _envs:
            check_env_options(name, options)
            _envs[key] = make_env(name, **options)
        return _envs[key]


def gymkit_score(task: Task, solution_str: str, extra_info: dict | None = None,
                 env_options: dict[str, dict] | None = None) -> Score:
    """gymkit's verdict on a verl sample: the transcript the tool loop recorded when there
    is one (multi-turn), else the decoded response as the one assistant turn."""
    env = env_for(task.env, (env_options or {}).get(task.env))
    messages = (extra_info or {}).get(MESSAGES_KEY)
    if messages:
        actions = assistant_actions(list(messages)[len(task.prompt):])
    else:
        actions = [{"role": "assistant", "content": solution_str}]
    return replay(env, task, actions)[1]


def compute_score(data_source: str, solution_str: str, ground_truth: Any,
                  extra_info: dict | None = None, env_options: dict[str, dict] | None = None,
                  **kwargs: Any) -> dict[str, Any] | float:
    """verl's custom reward function. `env_options` (per env, from the config's
    `custom_reward_function.reward_kwargs`) are passed to the envs' constructors."""
    if not str(data_source).startswith(SOURCE_PREFIX):
        from verl.utils.reward_score import default_compute_score

        return default_compute_score(data_source, solution_str, ground_truth, extra_info, **kwargs)
    task = task_of((extra_info or {}).get(TASK_COLUMN, ground_truth))
    if data_source != f"{SOURCE_PREFIX}{task.env}":
        raise GymkitError(f"a row's data_source {data_source!r} disagrees with its task's env "
                          f"{task.env!r}")
    return verl_result(gymkit_score(task, solution_str, extra_info, env_options))


def verl_result(score: Score) -> dict[str, Any]:
    """The dict verl's reward managers read: `score` is the reward, the rest per-sample info."""
    scored = score.status not in UNSCORED
    return {"score": score.reward if scored else 0.0, "acc": float(score.status == "correct"),
            "gymkit_status": score.status, "gymkit_scored": float(scored)}
