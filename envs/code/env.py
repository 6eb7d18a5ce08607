"""`code`: write a function or a program; hidden tests run in `gymkit.sandbox`."""
from __future__ import annotations

import json
import random
from typing import Any, Literal

from pydantic import PositiveFloat, PositiveInt

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.code_tests import TestSpec, spec_from_row, verdict_kind, verify_code

from .problems import TEMPLATES, Problem

ANSWER = "Answer with the complete code in one ```python block."


def _reference(problem: Problem) -> list[Any]:
    """Expected outputs, computed by running our own (trusted) reference in-process."""
    scope: dict[str, Any] = {}
    exec(compile(problem.ref, f"<reference {problem.fn or 'main'}>", "exec"), scope)
    fn = scope[problem.fn or "main"]
    return [fn(*args) if problem.kind == "function" else fn(args) for args in problem.inputs]


def _call(fn: str, args: tuple) -> str:
    return f"{fn}({', '.join(map(repr, args))})"


@register_env
class CodeEnv(BaseEnv):
    """Function and program writing. Config: `reward` ("all" | "fraction"), `timeout_s` and
    `memory_mb` (per test; defaults 5 s and 512 MB), `total_s` (the candidate's time over
    all tests of one response; default 8 s, under `score_budget_s`)."""

    name = "code"
    family = "code"
    config_keys = ("reward", "timeout_s", "memory_mb", "total_s")
    config_types = {"reward": Literal["all", "fraction"], "timeout_s": PositiveFloat | None,
                    "memory_mb": PositiveInt | None, "total_s": PositiveFloat | None}
    verifier = ("hidden tests in the sandbox; results judged on the trusted side (asserts as "
                "values, stdin-stdout, call); all must pass")
    difficulties = (1, 2, 3)

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        if config.get("reward", "all") not in ("all", "fraction"):
            raise GymkitError(f"code: unknown reward {config['reward']!r}; choose one of: "
                              "all, fraction")

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        template = rng.choice(TEMPLATES[difficulty])
        problem = template(rng)
        outputs = _reference(problem)
        if problem.kind == "function":
            tests = [f"assert {_call(problem.fn, a)} == {o!r}" for a, o in zip(problem.inputs, outputs)]
            spec = TestSpec(kind="asserts", tests=tests, entry_point=problem.fn)
            example = f"Example: `{tests[0][len('assert '):]}`"
            gold = problem.ref
        else:
            spec = TestSpec(kind="stdio", cases=[{"input": i, "output": o}
                                                 for i, o in zip(problem.inputs, outputs)])
            example = f"Example input:\n```\n{problem.inputs[0]}```\nExpected output:\n```\n{outputs[0]}```"
            gold = problem.ref + "\n\nimport sys\n\nprint(main(sys.stdin.read()), end='')\n"
        return Task(id=f"code-{difficulty}-{index}-{template.__name__}", env=self.name,
                    prompt=[{"role": "user", "content": f"{problem.text}\n\n{example}\n\n{ANSWER}"}],
                    data={"tests": spec.model_dump(exclude_defaults=True)},
                    gold=[{"role": "assistant", "content": f"```python\n{gold}```"}],
                    meta=_verdict_meta(spec))

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """HumanEval, MBPP, APPS and LiveCodeBench rows (see `spec_from_row`)."""
        if "prompt" in row and "env" in row:
            return Task.model_validate(row)
        try:
            spec = spec_from_row(row)
        except ValueError as e:
            raise GymkitError(f"code row {index}: {e}") from None
        text, gold = _row_prompt(row, spec)
        rid = row.get("task_id") or row.get("problem_id") or row.get("question_id") or f"row-{index}"
        return Task(id=str(rid), env=self.name, data={"tests": spec.model_dump(exclude_defaults=True)},
                    prompt=[{"role": "user", "content": text}], meta=_verdict_meta(spec),
                    gold=[{"role": "assistant", "content": f"```python\n{gold}\n```"}] if gold else None)

    def score(self, task: Task, response: str) -> Score:
        return verify_code(task.data["tests"], response, reward=self.config.get("reward", "all"),
                           timeout_s=self.config.get("timeout_s"),
                           memory_mb=self.config.get("memory_mb"),
                           total_s=self.config.get("total_s"))


def _verdict_meta(spec: TestSpec) -> dict[str, str]:
    """How the task's verdict is reached: "values" (candidate results compared on the
    trusted side), "hardened" (asserts that could not be rewritten; with the reason) or
    "outputs" (stdio / call cases, compared on the trusted side)."""
    kind, why = verdict_kind(spec)
    return {"verdict": kind, "verdict_reason": why} if kind == "hardened" else {"verdict": kind}


def _row_prompt(row: dict[str, Any], spec: TestSpec) -> tuple[str, str | None]:
    """(prompt text, gold code or None) for a loaded row."""
    if spec.prompt:  # HumanEval: the model completes the function
        gold = spec.prompt + row["canonical_solution"] if row.get("canonical_solution") else None
        return (f"Complete the following Python function.\n```python\n{spec.prompt}```\n{ANSWER}",
                gold)
    if "test_list" in row:  # MBPP: the first assert shows the name and signature
        text = row.get("text") or row.get("prompt") or ""
        return f"{text}\nYour code should pass this test:\n{row['test_list'][0]}\n\n{ANSWER}", row.get("code")
    question = row.get("question") or row.get("question_content") or ""
    starter = row.get("starter_code") or ""
    if starter:
        question += f"\n\nStart from:\n```python\n{starter}\n```"
    kind = "function" if spec.kind == "call" else "program (read standard input, print to standard output)"
    solutions = row.get("solutions")
    if isinstance(solutions, str) and solutions.strip():
        solutions = json.loads(solutions)
    gold = solutions[0] if isinstance(solutions, list) and solutions else None
    return f"{question}\n\nWrite a Python {kind}. {ANSWER}", gold
