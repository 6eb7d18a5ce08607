"""Training prompts: a weighted mix of the envs' seeded generators, with a restorable position.

Tasks are a pure function of (env, seed, index): chunk `c` of an env is
`env.generate(CHUNK, seed=base_seed * 1000 + c)`, so the stream is reproduced from the per-env
positions and the mixing RNG state alone. Training seeds stay below 10**6; held-out
evaluation uses seeds from 10**6 up (gymkit.evaluate's convention), so they never overlap.
"""
from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from ..datasets import TaskSource
from ..env import BaseEnv
from ..errors import GymkitError
from ..registry import make_env
from ..types import Task

CHUNK = 256
HELDOUT_SEED = 10**6


class TaskStream:
    """Draws prompts env by env with probability proportional to the env's weight."""

    def __init__(self, envs: dict[str, float], seed: int = 0,
                 difficulty: dict[str, int | None] | None = None,
                 options: dict[str, dict[str, Any]] | None = None,
                 sources: dict[str, str | None] | None = None, heldout: int = 0):
        if not envs:
            raise GymkitError("no env to draw training prompts from")
        if not 0 <= seed < 1000:
            raise GymkitError(f"seed must be in [0, 1000) to keep training and held-out "
                              f"tasks apart, got {seed}")
        self.names = sorted(envs)
        self.weights = [envs[n] for n in self.names]
        self.seed = seed
        self.difficulty = difficulty or {}
        self.options = options or {}
        self.positions = {n: 0 for n in self.names}
        self.rng = random.Random(f"mix/{seed}")
        self._envs: dict[str, BaseEnv] = {}
        self._chunks: dict[tuple[str, int], list[Task]] = {}
        # envs whose prompts come from a dataset or a mix (gymkit.datasets; `envs.NAME.tasks`);
        # `heldout` rows of each dataset are set aside for held-out evaluation
        self._sources = {n: TaskSource(self._env(n), spec, seed, self.difficulty.get(n), heldout)
                         for n, spec in (sources or {}).items() if spec and n in envs}

    def _env(self, name: str) -> BaseEnv:
        if name not in self._envs:
            self._envs[name] = make_env(name, **self.options.get(name, {}))
        return self._envs[name]

    def _task(self, name: str, index: int) -> Task:
        c, i = divmod(index, CHUNK)
        if name in self._sources:
            task = self._sources[name].task(index)
        elif (name, c) not in self._chunks:
            self._chunks = {k: v for k, v in self._chunks.items() if k[0] != name}  # keep one
            self._chunks[(name, c)] = self._env(name).generate(
                CHUNK, seed=self.seed * 1000 + c, difficulty=self.difficulty.get(name))
        if name not in self._sources:
            task = self._chunks[(name, c)][i].model_copy(deep=True)
        # an env's ids repeat across chunks (and digest ids may repeat within one): the stream
        # position makes every training id unique within the run
        task.meta["source_id"] = task.id
        task.id = f"{task.id}@{name}:{index}"
        return task

    def next(self, n: int) -> list[Task]:
        """The next `n` prompts of the mix."""
        out = []
        for _ in range(n):
            name = self.rng.choices(self.names, weights=self.weights)[0]
            out.append(self._task(name, self.positions[name]))
            self.positions[name] += 1
        return out

    def state_dict(self) -> dict[str, Any]:
        return {"positions": dict(self.positions), "rng": self.rng.getstate()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.positions = {n: int(state["positions"].get(n, 0)) for n in self.names}
        version, internal, gauss = state["rng"]
        self.rng.setstate((version, tuple(internal), gauss))

    def close(self) -> None:
        for env in self._envs.values():
            env.close()


def heldout_tasks(envs: list[str], n_per_env: int, seed: int = 0,
                  difficulty: dict[str, int | None] | None = None,
                  exclude: set[str] | None = None,
                  options: dict[str, dict[str, Any]] | None = None,
                  sources: dict[str, str | None] | None = None) -> list[Task]:
    """`n_per_env` evaluation tasks per env from seeds >= 10**6, minus any prompt in `exclude`.
    An env with a task source (`sources`) takes its datasets' held-out rows instead.

    Small procedural envs can produce the same problem under two seeds; `exclude` (the training
    prompts' texts) keeps a held-out score honest.
    """
    out: list[Task] = []
    for name in envs:
        env = make_env(name, **(options or {}).get(name, {}))
        spec = (sources or {}).get(name)
        pool = TaskSource(env, spec, seed, (difficulty or {}).get(name), n_per_env).heldout(
            n_per_env, seed) if spec else env.generate(n_per_env * 2, seed=HELDOUT_SEED + seed,
                                                       difficulty=(difficulty or {}).get(name))
        env.close()
        keep = [t for t in pool if prompt_text(t) not in (exclude or set())]
        out += keep[:n_per_env]
    return out


HELDOUT_FILE = "heldout.jsonl"


def heldout_for_run(out: Path, envs: dict[str, float], n_per_env: int, seed: int,
                    difficulty: dict[str, int | None], options: dict[str, dict[str, Any]],
                    n_train_prompts: int, sources: dict[str, str | None] | None = None) -> list[Task]:
    """The run's held-out tasks: made once, stored in `out/heldout.jsonl`, reloaded on resume.

    They exclude the run's first `n_train_prompts` training prompts, a number that depends on
    `steps`; storing the set keeps a resumed run (even with another `--steps`) evaluating the
    very same tasks, so its held-out curve stays one curve.
    """
    path = out / HELDOUT_FILE
    if path.exists():
        return [Task.model_validate_json(ln) for ln in path.read_text().splitlines() if ln.strip()]
    stream = TaskStream(envs, seed, difficulty, options, sources, n_per_env)
    try:
        seen = {prompt_text(t) for t in stream.next(n_train_prompts)}
    finally:
        stream.close()
    tasks = heldout_tasks(sorted(envs), n_per_env, seed, difficulty, exclude=seen, options=options,
                          sources=sources)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(t.model_dump_json() + "\n" for t in tasks))
    tmp.replace(path)
    return tasks


def prompt_text(task: Task) -> str:
    """The problem itself: the last user message (few-shot examples before it do not count)."""
    users = [m for m in task.prompt if m.get("role") == "user"]
    return str((users[-1] if users else task.prompt[-1]).get("content") or "")
