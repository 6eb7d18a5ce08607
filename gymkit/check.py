"""`check_env`: the conformance test every env passes (gymkit's `gymnasium.utils.check_env`).

- seeded generation is deterministic, and different seeds give different tasks;
- tasks survive a JSON round trip (they are stored and sent between processes);
- every gold solution scores 1 with status `correct`;
- empty, garbage, huge and binary responses score 0 with a status and never raise;
- tool schemas are valid JSON Schema in OpenAI function format.

Envs judged by a learned model (`learned_judge = True`, e.g. rm_chat) get the determinism and
schema checks only: they have no gold, and a reward model may like garbage.
"""
from __future__ import annotations

import random
import string

import jsonschema

from .env import BaseEnv, play
from .types import Score, Task

N_TASKS = 6


def _adversarial_responses() -> dict[str, str]:
    rng = random.Random(0)
    garbage = "".join(rng.choice(string.printable) for _ in range(400))
    return {
        "empty": "",
        "whitespace": " \n\t ",
        "garbage": garbage,
        "huge": ("the answer is " + "9" * 64 + " ") * (1_000_000 // 80),
        "binary": bytes(range(256)).decode("latin-1") * 8,
        "unclosed_think": "<think>the answer is obviously",
    }


def _check_tools(env: BaseEnv, problems: list[str]) -> None:
    schemas = env.tool_schemas() or []
    names = set()
    for s in schemas:
        fn = s.get("function", {})
        name = fn.get("name")
        if s.get("type") != "function" or not name:
            problems.append(f"tool schema is not in OpenAI function format: {s}")
            continue
        if name in names:
            problems.append(f"tool {name!r} is declared twice")
        names.add(name)
        try:
            jsonschema.Draft202012Validator.check_schema(fn.get("parameters", {}))
        except jsonschema.SchemaError as e:
            problems.append(f"tool {name!r} has an invalid parameter schema: {e.message}")


def check_env(env: BaseEnv, n: int = N_TASKS, seed: int = 0) -> list[str]:
    """Problems found with `env` (an empty list means it passes)."""
    problems: list[str] = []
    a = env.generate(n, seed=seed)
    b = env.generate(n, seed=seed)
    if [t.model_dump() for t in a] != [t.model_dump() for t in b]:
        problems.append("generate() is not deterministic for a fixed seed")
    c = env.generate(n, seed=seed + 1)
    if [t.model_dump() for t in a] == [t.model_dump() for t in c]:
        problems.append("different seeds produce identical tasks")
    if len({t.id for t in a}) != len(a):
        problems.append("task ids are not unique")
    for t in a:
        if Task.model_validate_json(t.model_dump_json()) != t:
            problems.append(f"task {t.id} does not survive a JSON round trip")
        if t.env != env.name:
            problems.append(f"task {t.id} names env {t.env!r}, not {env.name!r}")
    if env.learned_judge:
        _check_tools(env, problems)
        return problems
    for level in env.difficulties:
        for t in env.generate(2, seed=seed, difficulty=level):
            try:
                _, score = play(env, t, env.gold_actions(t))
            except Exception as e:
                problems.append(f"gold of task {t.id} raised {type(e).__name__}: {e}")
                continue
            if score.status != "correct" or score.reward != 1.0:
                problems.append(f"gold of task {t.id} scored {score.reward} ({score.status}: "
                                f"{score.error or score.info})")
    for label, text in _adversarial_responses().items():
        for t in a[:2]:
            try:
                _, score = play(env, t, [{"role": "assistant", "content": text}])
            except Exception as e:
                problems.append(f"{label} response raised {type(e).__name__}: {e}")
                continue
            if not isinstance(score, Score) or score.reward != 0.0 or score.status not in (
                    "wrong", "truncated"):
                problems.append(f"{label} response on {t.id} scored {score.reward} "
                                f"with status {score.status} ({score.error or score.info})")
    _check_tools(env, problems)
    return problems
