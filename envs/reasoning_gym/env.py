"""The `reasoning_gym` env: procedural tasks from the `reasoning-gym` package, scored strictly.

reasoning-gym (Apache-2.0, `pip install 'gymkit[reasoning]'`) makes each task and owns its
`score_answer`. gymkit adds what a reward for RL needs on top (see `answers.py`): one tagged
answer, a strict form per answer kind, the gold recomputed from each entry's metadata
(`generators.py`), and reward 1 only at the library's full score; its partial credit is kept in
`info["library_score"]` and pays 0. Only the vetted generators in `GENERATORS` are offered.
"""
from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.extras import missing_extra
from gymkit.registry import register_env
from gymkit.types import Score, Task

from .answers import READERS, exact_numbers, tagged_answer, unwrap
from .generators import GENERATORS, Generator

FORMAT = ("\n\nWork it out, then give only the final answer, once, between <answer> and "
          "</answer> tags, in the form the question asks for. Nothing else goes inside the tags.")
DRAW_SPACE = 100_000  # entries are drawn from a seed-0 dataset of this virtual size
MAX_REDRAWS = 50  # golds that fail their audit are redrawn; ~1-15% do, per generator


def library() -> Any:
    """`reasoning_gym.factory` (deferred: an optional extra, and a 2-3 s import)."""
    try:
        from reasoning_gym import factory
    except ModuleNotFoundError as e:
        raise GymkitError(missing_extra(e) or f"cannot import reasoning_gym: {e}") from None
    return factory


def parse_tasks(task: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """The `task` option: one generator, a comma-separated list, or None for all vetted ones."""
    if task is None:
        return tuple(GENERATORS)
    names = [t.strip() for t in (task.split(",") if isinstance(task, str) else task)]
    names = [n for n in names if n]
    if not names:
        raise GymkitError("reasoning_gym.task is empty; choose from: " + ", ".join(GENERATORS))
    for n in names:
        if n not in GENERATORS:
            raise GymkitError(f"reasoning_gym has no task {n!r} (gymkit vets only generators "
                              "with a strict answer checker); choose from: "
                              + ", ".join(GENERATORS))
    return tuple(names)


def audit_reason(gen: Generator, entry: dict) -> str | None:
    """Why an entry's gold fails gymkit's recomputation (unreadable metadata fails too)."""
    try:
        return gen.audit(entry)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        return f"metadata unreadable ({type(e).__name__}: {e})"


@register_env
class ReasoningGymEnv(BaseEnv):
    """Vetted reasoning-gym generators. Option `task`: one name, `a,b`, or all (default)."""

    name = "reasoning_gym"
    family = "math"
    verifier = ("one <answer> tag, a strict form per generator, reasoning-gym's own scorer; "
                "1 only at its full score, golds re-derived")
    difficulties = (1, 2, 3)

    def __init__(self, task: str | list[str] | None = None, **config: Any) -> None:
        self.tasks = parse_tasks(task)
        super().__init__(task=task, **config)
        self._datasets: dict[str, Any] = {}

    def _dataset(self, name: str, config: dict[str, Any]) -> Any:
        key = json.dumps([name, config], sort_keys=True)
        if key not in self._datasets:
            cls, config_cls = library().DATASETS[name]
            self._datasets[key] = cls(config_cls(seed=0, size=DRAW_SPACE, **config))
        return self._datasets[key]

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        name = rng.choice(self.tasks)
        gen = GENERATORS[name]
        config = gen.levels[difficulty]
        dataset = self._dataset(name, config)
        for _ in range(MAX_REDRAWS):
            entry = json.loads(json.dumps(dataset[rng.randrange(DRAW_SPACE)], default=str))
            if audit_reason(gen, entry) is None:
                return self._task(f"reasoning_gym-{name}-{difficulty}-{index}", name, config, entry)
        raise GymkitError(f"reasoning_gym: {MAX_REDRAWS} {name} entries in a row failed the "
                          "gold audit")

    def _task(self, task_id: str, name: str, config: dict[str, Any], entry: dict) -> Task:
        return Task(id=task_id, env=self.name,
                    prompt=[{"role": "user", "content": entry["question"] + FORMAT}],
                    data={"task": name, "config": config, "entry": entry},
                    gold=[{"role": "assistant", "content": f"<answer>{entry['answer']}</answer>"}],
                    meta={"task": name})

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """reasoning-gym entries `{question, answer, metadata: {source_dataset, ...}}`, as its
        datasets yield them (e.g. dumped to JSONL); the gold must pass gymkit's audit."""
        if "prompt" in row and "env" in row:
            return super().task_from_row(row, index)
        meta = row.get("metadata")
        name = meta.get("source_dataset") if isinstance(meta, dict) else None
        if not all(isinstance(v, str) and v for v in (row.get("question"), row.get("answer"),
                                                         name)):
            raise GymkitError(f"row {index}: a reasoning-gym row needs `question`, `answer` and "
                              f"`metadata.source_dataset`; it has keys {sorted(row)}")
        parse_tasks(name)
        entry = json.loads(json.dumps({k: row[k] for k in ("question", "answer", "metadata")}))
        if (why := audit_reason(GENERATORS[name], entry)) is not None:
            raise GymkitError(f"row {index}: its gold fails gymkit's check: {why}")
        return self._task(f"reasoning_gym-row-{index}", name, {}, entry)

    def score(self, task: Task, response: str) -> Score:
        name = task.data.get("task")
        if name not in GENERATORS:
            return Score.failed(f"task {task.id} names no vetted reasoning-gym generator "
                                f"({name!r})")
        entry = task.data["entry"]
        ex = tagged_answer(response)
        if not ex.ok:
            return Score.wrong(ex.reason or "no answer")
        raw = unwrap(ex.answers[0])
        gen = GENERATORS[name]
        answer, why = READERS[gen.kind](raw, entry)
        if answer is None:
            return Score.wrong(why, answer=raw[:200])
        dataset = self._dataset(name, task.data.get("config") or {})
        lib = float(dataset.score_answer(answer, copy.deepcopy(entry)))
        if not (math.isfinite(lib) and lib >= 1.0):
            return Score.wrong(f"reasoning-gym scores it {lib:g}; only its full score pays",
                               answer=answer, library_score=lib)
        if gen.kind == "number_list" and (why := exact_numbers(answer, entry)) is not None:
            return Score.wrong(why, answer=answer, library_score=lib)
        return Score.correct(answer=answer, library_score=lib)
