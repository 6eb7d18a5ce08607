"""Fidelity scorecards: every env against its own adversarial suite, with a verdict per case.

A suite is `tests/fidelity/<env>/*.jsonl`: hacks, hedges, degenerate text, pathological inputs
and correct answers in unusual forms, each with the verdict it must get and a one-line reason.
`run_suite(env)` plays each case through the env (`gymkit.env.play`, the same path a rollout
takes) and sorts it into one outcome:

- `fp`: expected wrong, but scored `correct` or above the case's `max_reward` (a farmable reward);
- `fn`: expected correct, not scored `correct` (a `known_limit` case is counted, not failed);
- `crash`: the env raised, or returned `error` / `timeout` (a response must not pick its status);
- `ok`.

Latency is per case, after one untimed warm-up case per env instance (worker processes,
sandboxes and reward models start on first use).

A case may pass env options; `{suite}` in a string option names the suite's own folder, so a
suite can ship a fixture (rm_chat's tiny reward model) and run from any working directory.

`gymkit scorecard` prints the table and writes `docs/scorecard.md`; `tests/test_fidelity.py`
fails `make test` on any false positive, crash, or false negative not marked as a known limit.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .env import play
from .errors import GymkitError
from .registry import make_env
from .tools import message_with_calls
from .types import Task

SUITES_DIR = Path(__file__).resolve().parent.parent / "tests" / "fidelity"
MAX_GENERATED_CHARS = 4_000_000  # a `response_gen` larger than this is a suite bug


class Generated(BaseModel):
    """A response too large to store: `prefix + repeat * times + suffix`."""

    model_config = ConfigDict(extra="forbid")
    prefix: str = ""
    repeat: str
    times: int = Field(ge=0)
    suffix: str = ""

    def text(self) -> str:
        if len(self.repeat) * self.times > MAX_GENERATED_CHARS:
            raise ValueError(f"response_gen longer than {MAX_GENERATED_CHARS} characters")
        return self.prefix + self.repeat * self.times + self.suffix


class TaskRef(BaseModel):
    """A generated task: `env.generate(index + 1, seed, difficulty)[index]`."""

    model_config = ConfigDict(extra="forbid")
    seed: int = 0
    difficulty: int | None = None
    index: int = Field(0, ge=0)


class Case(BaseModel):
    """One scorecard case: a task, a response (or a multi-turn script) and its verdict."""

    model_config = ConfigDict(extra="forbid")
    id: str
    expect: str = Field(pattern="^(correct|wrong)$")
    reason: str = Field(min_length=3)
    gen: TaskRef | None = None
    task: Task | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    response: str | None = None
    response_gen: Generated | None = None
    actions: list[dict[str, Any]] | None = None
    tags: list[str] = Field(default_factory=list)
    max_reward: float = 0.0
    known_limit: str | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> "Case":
        if (self.gen is None) == (self.task is None):
            raise ValueError("give exactly one of `gen` and `task`")
        given = [x for x in (self.response, self.response_gen, self.actions) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `response`, `response_gen` and `actions`")
        if self.known_limit and self.expect != "correct":
            raise ValueError("`known_limit` is only for expect=correct cases")
        return self

    def messages(self) -> list[dict[str, Any]]:
        if self.actions is not None:
            return self.actions
        text = self.response if self.response is not None else self.response_gen.text()
        return [{"role": "assistant", "content": text}]


@dataclass
class CaseResult:
    """How one case came out."""

    case: Case
    outcome: str  # ok | fp | fn | crash
    status: str
    reward: float
    latency_s: float
    detail: str = ""

    @property
    def failed(self) -> bool:
        """True when this case fails the suite (a known-limit false negative does not)."""
        return self.outcome in ("fp", "crash") or (self.outcome == "fn" and not self.case.known_limit)


@dataclass
class SuiteResult:
    """A whole env suite: the counts that go into the scorecard table."""

    env: str
    version: str
    results: list[CaseResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def known_limits(self) -> int:
        return sum(r.outcome == "fn" and bool(r.case.known_limit) for r in self.results)

    @property
    def worst_latency_s(self) -> float:
        return max((r.latency_s for r in self.results), default=0.0)

    @property
    def failures(self) -> list[CaseResult]:
        return [r for r in self.results if r.failed]


def suite_files(env: str, root: Path = SUITES_DIR) -> list[Path]:
    return sorted((root / env).glob("*.jsonl"))


def suite_envs(root: Path = SUITES_DIR) -> list[str]:
    """Env names that have a suite directory with at least one case file."""
    return sorted(p.name for p in root.iterdir() if p.is_dir() and suite_files(p.name, root)) \
        if root.is_dir() else []


def load_cases(env: str, root: Path = SUITES_DIR) -> tuple[list[Case], str]:
    """The env's cases and the suite's version (a hash of its case files)."""
    files = suite_files(env, root)
    if not files:
        raise GymkitError(f"env {env!r} has no fidelity suite in {root / env}")
    digest = hashlib.sha256()
    cases: list[Case] = []
    seen: set[str] = set()
    for path in files:
        data = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + data)
        for n, line in enumerate(data.decode().splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = Case.model_validate(json.loads(line))
            except (json.JSONDecodeError, ValueError) as e:
                first = str(e).splitlines()
                raise GymkitError(f"{path}:{n}: bad case: {' '.join(first[:3])}") from None
            if case.id in seen:
                raise GymkitError(f"{path}:{n}: duplicate case id {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    return cases, digest.hexdigest()[:12]


def _task(env, case: Case, cache: dict) -> Task:
    if case.task is not None:
        return case.task
    ref = case.gen
    key = (ref.seed, ref.difficulty, ref.index, json.dumps(case.options, sort_keys=True))
    if key not in cache:
        cache[key] = env.generate(ref.index + 1, seed=ref.seed, difficulty=ref.difficulty)[ref.index]
    return cache[key]


def judge(case: Case, status: str, reward: float) -> str:
    """The outcome of one case from the verdict it got."""
    if status in ("error", "timeout"):
        return "crash"
    if case.expect == "correct":
        return "ok" if status == "correct" else "fn"
    return "fp" if status == "correct" or reward > case.max_reward else "ok"


def run_case(env, case: Case, cache: dict) -> CaseResult:
    start = time.perf_counter()
    try:
        task = _task(env, case, cache)
        messages = case.messages()
        if task.tools:  # as the driver does for text backends: tool calls parsed from the text
            messages = [message_with_calls(m.get("content")) if m.get("role") == "assistant"
                        and "tool_calls" not in m else m for m in messages]
        _, score = play(env, task, messages)
    except Exception as e:  # an env that raises on a response is exactly what this hunts
        return CaseResult(case, "crash", "raised", 0.0, time.perf_counter() - start,
                          f"{type(e).__name__}: {str(e)[:200]}")
    took = time.perf_counter() - start
    detail = score.error or str(score.info.get("reason", ""))[:200]
    return CaseResult(case, judge(case, score.status, score.reward), score.status, score.reward,
                      took, detail)


def run_suite(env_name: str, root: Path = SUITES_DIR) -> SuiteResult:
    """Play every case of `env_name`'s suite and return the per-case outcomes."""
    cases, version = load_cases(env_name, root)
    suite = SuiteResult(env=env_name, version=version)
    envs: dict[str, Any] = {}
    caches: dict[str, dict] = {}
    here = str((root / env_name).resolve())
    try:
        for case in cases:
            key = json.dumps(case.options, sort_keys=True)
            if key not in envs:  # `{suite}` in an option names the suite's own folder
                opts = {k: v.replace("{suite}", here) if isinstance(v, str) else v
                        for k, v in case.options.items()}
                envs[key] = make_env(env_name, **opts)
                caches[key] = {}
                # warm-up, untimed: worker processes, sandboxes and models start on first use,
                # and the latency column is about scoring, not start-up
                run_case(envs[key], case, caches[key])
            suite.results.append(run_case(envs[key], case, caches[key]))
    finally:
        for env in envs.values():
            env.close()
    return suite


COLUMNS = ("env", "cases", "false pos", "false neg", "known limits", "crashes", "worst latency",
           "suite version")


def table_rows(suites: list[SuiteResult]) -> list[list[str]]:
    return [[s.env, str(len(s.results)), str(s.count("fp")), str(s.count("fn") - s.known_limits),
             str(s.known_limits), str(s.count("crash")), f"{s.worst_latency_s:.2f} s", s.version]
            for s in suites]


def markdown(suites: list[SuiteResult], when: str, machine: str) -> str:
    """`docs/scorecard.md`: the table plus every known limit with its reason."""
    lines = ["# Fidelity scorecard", "",
             "Every env is played against its adversarial suite in `tests/fidelity/<env>/`: reward",
             "hacks, hedges, degenerate text, pathological inputs and correct answers in unusual forms,",
             "each with its expected verdict. A false positive is a wrong answer that scored; a crash",
             "is a response that made the verifier raise or return `error`/`timeout`. `make test`",
             "fails on any false positive, any crash, and any false negative not listed below as a",
             "known limit.", "",
             f"Generated by `gymkit scorecard` on {when} ({machine}).", "",
             "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(suites)]
    total = sum(len(s.results) for s in suites)
    lines += ["", f"Total: {total} cases, {sum(s.count('fp') for s in suites)} false positives, "
              f"{sum(s.count('crash') for s in suites)} crashes.", "", "## Known limits", ""]
    limits = [(s.env, r) for s in suites for r in s.results if r.outcome == "fn" and r.case.known_limit]
    if not limits:
        lines.append("None.")
    lines += [f"- `{env}` `{r.case.id}`: {r.case.known_limit}" for env, r in limits]
    return "\n".join(lines) + "\n"
