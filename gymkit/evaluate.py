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
from .registry import check_env_options, make_env
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
    for env, opts in out.items():
        check_env_options(env, opts)  # names, then types: one line naming the option
    return out


def eval_tasks(envs: list[str], n: int | None, seed: int, difficulty: int | None = None,
               options: dict[str, dict] | None = None, sources: dict[str, str] | None = None,
               notes: dict[str, dict] | None = None) -> list[Task]:
    """`n` tasks per env: seeded ones (seed >= 10**6 by convention, held out from training),
    or from the env's task source in `sources` (gymkit.datasets; `n=None`: all its rows).
    `notes` receives, per sourced env, the source, its task count and the rows it skipped."""
    from .datasets import TaskSource

    tasks: list[Task] = []
    for name in envs:
        env = make_env(name, **(options or {}).get(name, {}))
        if sources and name in sources:
            src = TaskSource(env, sources[name], difficulty=difficulty)
            got = src.tasks(n, seed=seed)
            if notes is not None:
                notes[name] = {"source": sources[name], "tasks": len(got),
                               "skipped": src.skipped(), "summary": src.summary()}
            tasks += got
        else:
            tasks += env.generate(20 if n is None else n, seed=seed, difficulty=difficulty)
        env.close()
    seen: dict[str, int] = {}
    for t in tasks:  # two tasks sharing an id (digest ids) would merge into one pass@k group
        k = seen.get(t.id, 0)
        seen[t.id] = k + 1
        if k:
            t.id = f"{t.id}~{k}"
    return tasks


def _done_rollouts(path: Path, tasks: list[Task], samples: int) -> list[Rollout]:
    """Rollouts of `path` whose task has all its samples there (the rest is rerun).

    The file is rewritten with just those rows, so a task cut short is not counted twice."""
    if not path.exists():
        return []
    rows: dict[tuple[str, str], list[Rollout]] = {}
    for line in path.read_text().splitlines():
        try:
            r = Rollout.model_validate_json(line)
        except ValueError:  # a line cut by the kill: that rollout is redone
            continue
        rows.setdefault((r.env, r.task_id), []).append(r)
    wanted = {(t.env, t.id) for t in tasks}
    kept = [r for key, rs in rows.items() if key in wanted and len(rs) >= samples
            for r in rs[:samples]]
    path.write_text("".join(r.model_dump_json() + "\n" for r in kept))
    return kept


def evaluate(policy: Policy, tasks: list[Task], out: Path, samples: int = 1,
             params: SamplingParams | None = None, use_ray: bool = True,
             actors_per_env: int = 1, step_timeout_s: float = 60.0,
             gen_batch: int = 32, ray_address: str | None = None,
             header: dict | None = None, show_progress: bool = True,
             env_config: dict[str, dict] | None = None, resume: bool = False,
             env_server: str | None = None) -> dict:
    """Run every task `samples` times; write rollouts.jsonl, metrics.json, report.md/png.

    Rollouts are appended to rollouts.jsonl as they finish; with `resume`, tasks whose samples
    are all there already are not run again (an interrupted eval continues where it stopped).
    With `env_server`, a `gymkit serve-env` URL scores the episodes (its own env options apply).
    """
    from . import __version__

    params = params or SamplingParams(temperature=0.0 if samples == 1 else 1.0)
    out.mkdir(parents=True, exist_ok=True)
    sink_path = out / "rollouts.jsonl"
    done = _done_rollouts(sink_path, tasks, samples) if resume else []
    finished = {(r.env, r.task_id) for r in done}
    todo = [t for t in tasks if (t.env, t.id) not in finished]
    envs = sorted({t.env for t in tasks})
    if env_server:
        from .http_pool import HTTPPool

        pool = HTTPPool(env_server, envs, request_timeout_s=2 * step_timeout_s)
    else:
        pool = (EnvPool(envs, actors_per_env=actors_per_env, step_timeout_s=step_timeout_s,
                        ray_address=ray_address, env_config=env_config)
                if use_ray else LocalPool(envs, env_config=env_config))
    t0 = time.monotonic()
    with sink_path.open("a" if resume else "w") as sink, Progress(
            TextColumn("[bold]eval[/]"), BarColumn(), MofNCompleteColumn(),
            TextColumn("reward {task.fields[reward]:.3f}"), TimeElapsedColumn(),
            disable=not show_progress) as bar:
        job = bar.add_task("eval", total=len(tasks) * samples, completed=len(done), reward=0.0)
        total = [sum(r.reward for r in done), len(done)]

        def on_rollout(r: Rollout) -> None:
            sink.write(r.model_dump_json() + "\n")  # streamed: a crash loses nothing finished
            sink.flush()
            total[0] += r.reward
            total[1] += 1
            bar.update(job, advance=1, reward=total[0] / total[1])

        try:
            rollouts = done + run_episodes(todo, policy, pool, params, samples=samples,
                                           gen_batch=gen_batch, on_rollout=on_rollout)
        finally:
            pool.close()
    metrics = summarize(rollouts, k=samples)
    head = {**(header or {}), "samples": samples, "tasks": len(tasks),
            "resumed_rollouts": len(done), "wall_s": round(time.monotonic() - t0, 1),
            "sampling": params.model_dump(), "gen_batch": gen_batch,
            "actors_per_env": actors_per_env, "step_timeout_s": step_timeout_s,
            "pool": env_server or ("ray" if use_ray else "local"), "gymkit_version": __version__}
    (out / "metrics.json").write_text(json.dumps({"header": head, "envs": metrics}, indent=2))
    (out / "report.md").write_text(markdown(metrics, head))
    if metrics:
        chart(metrics, out / "report.png", f"gymkit eval: {head.get('model', '')}")
    return metrics


def checkpoint_step(model: str) -> int | None:
    """The training step of the checkpoint a `--model` path resolves to (None: not a checkpoint)."""
    import re

    from .policy.models import model_source

    src = Path(model_source(model))
    for part in reversed(src.parts):
        m = re.fullmatch(r"step-(\d+)", part)
        if m:
            return int(m.group(1))
    return None
