"""Offline evaluation of a model or checkpoint across envs (`gymkit eval`)."""
from __future__ import annotations

import json
import time
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .driver import run_episodes
from .errors import GymkitError
from .metrics import summarize
from .policy.base import Policy, SamplingParams
from .pool import EnvPool, LocalPool
from .registry import make_env
from .report import chart, markdown
from .types import Rollout, Task


def parse_env_options(items: list[str], envs: list[str]) -> dict[str, dict]:
    """`["math.fewshot=2"]` -> {"math": {"fewshot": 2}}; values are YAML scalars."""
    import yaml

    out: dict[str, dict] = {}
    for item in items:
        key, sep, value = item.partition("=")
        env, dot, opt = key.partition(".")
        if not sep or not dot or not opt:
            raise GymkitError(f"--env-option {item!r}: expected ENV.KEY=VALUE, e.g. math.fewshot=2")
        if env not in envs:
            raise GymkitError(f"--env-option {item!r}: env {env!r} is not among --env "
                              f"({', '.join(envs)})")
        out.setdefault(env, {})[opt] = yaml.safe_load(value)
    return out


def eval_tasks(envs: list[str], n: int, seed: int, difficulty: int | None = None,
               options: dict[str, dict] | None = None) -> list[Task]:
    """`n` seeded tasks per env, held out from training seeds by convention (seed >= 10**6)."""
    tasks: list[Task] = []
    for name in envs:
        env = make_env(name, **(options or {}).get(name, {}))
        tasks += env.generate(n, seed=seed, difficulty=difficulty)
        env.close()
    return tasks


def evaluate(policy: Policy, tasks: list[Task], out: Path, samples: int = 1,
             params: SamplingParams | None = None, use_ray: bool = True,
             actors_per_env: int = 1, step_timeout_s: float = 60.0,
             gen_batch: int = 32, ray_address: str | None = None,
             header: dict | None = None, show_progress: bool = True,
             env_config: dict[str, dict] | None = None) -> dict:
    """Run every task `samples` times; write rollouts.jsonl, metrics.json, report.md/png."""
    params = params or SamplingParams(temperature=0.0 if samples == 1 else 1.0)
    out.mkdir(parents=True, exist_ok=True)
    envs = sorted({t.env for t in tasks})
    pool = (EnvPool(envs, actors_per_env=actors_per_env, step_timeout_s=step_timeout_s,
                    ray_address=ray_address, env_config=env_config)
            if use_ray else LocalPool(envs, env_config=env_config))
    t0 = time.monotonic()
    with (out / "rollouts.jsonl").open("w") as sink, Progress(
            TextColumn("[bold]eval[/]"), BarColumn(), MofNCompleteColumn(),
            TextColumn("reward {task.fields[reward]:.3f}"), TimeElapsedColumn(),
            disable=not show_progress) as bar:
        job = bar.add_task("eval", total=len(tasks) * samples, reward=0.0)
        total = [0.0, 0]

        def on_rollout(r: Rollout) -> None:
            sink.write(r.model_dump_json() + "\n")  # streamed: a crash loses nothing finished
            sink.flush()
            total[0] += r.reward
            total[1] += 1
            bar.update(job, advance=1, reward=total[0] / total[1])

        try:
            rollouts = run_episodes(tasks, policy, pool, params, samples=samples,
                                    gen_batch=gen_batch, on_rollout=on_rollout)
        finally:
            pool.close()
    metrics = summarize(rollouts, k=samples)
    head = {**(header or {}), "samples": samples, "tasks": len(tasks),
            "wall_s": round(time.monotonic() - t0, 1),
            "sampling": params.model_dump(exclude_defaults=True)}
    (out / "metrics.json").write_text(json.dumps({"header": head, "envs": metrics}, indent=2))
    (out / "report.md").write_text(markdown(metrics, head))
    if metrics:
        chart(metrics, out / "report.png", f"gymkit eval: {head.get('model', '')}")
    return metrics
