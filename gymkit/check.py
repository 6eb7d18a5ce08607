"""`check_env`: the conformance test every env passes (gymkit's `gymnasium.utils.check_env`).

- seeded generation is deterministic, and different seeds give different tasks;
- tasks survive a JSON round trip (they are stored and sent between processes);
- every gold solution scores 1 with status `correct`;
- empty, garbage, huge and binary responses score 0 with a status and never raise;
- probes a reward-seeking policy tries, which need no gold: infinity and NaN forms, the prompt
  echoed back (plain and boxed), a 1 MB response, nesting 10,000 deep (brackets, braces,
  JSON, a tool call), binary junk. Each must come back `wrong` (or `truncated`) within the
  env's `score_budget_s`, never `error` or `timeout`;
- two answers at once: the task's gold and another task's gold in one response, in both
  orders. A verifier that reads one designated answer (the only one, the last, the boxed
  one) rejects at least one order; one that accepts both pays for "any of these" and can be
  farmed by listing candidates. Both orders must also score without raising or `error`;
- tool schemas are valid JSON Schema in OpenAI function format.

Envs judged by a learned model (`learned_judge = True`, e.g. rm_chat) get the determinism and
schema checks only: they have no gold, and a reward model may like garbage.
"""
from __future__ import annotations

import random
import string
import time

import jsonschema

from .env import BaseEnv, play
from .tools import message_with_calls
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
        **{f"infinity_{i}": t for i, t in enumerate([
            "\\boxed{\\infty}", "\\boxed{-\\infty}", "\\boxed{oo}", "\\boxed{1/0}",
            "\\boxed{\\text{NaN}}", "\\boxed{nan}", "Answer: inf", "Answer: NaN",
            '{"answer": Infinity, "result": NaN}', "\\boxed{\\infty, -\\infty, 1/0}"])},
        "nested_parens": "\\boxed{" + "(" * 10_000 + "1" + ")" * 10_000 + "}",
        "nested_braces": "\\boxed{" + "{" * 10_000 + "1" + "}" * 10_000 + "}",
        "nested_json": '{"answer": ' + "[" * 10_000 + "1" + "]" * 10_000 + "}",
        "nested_tool_call": "<tool_call>" + "[" * 10_000 + "</tool_call>",
        "power_tower": "\\boxed{" + "e^{" * 60 + "e" + "}" * 60 + "}",
        "megabyte_box": "\\boxed{" + "1" * 1_000_000 + "}",
    }


def _task_probes(task: Task, other: Task | None) -> dict[str, str]:
    """Probes built from the task itself: its prompt echoed, and two golds at once."""
    question = next((m.get("content") or "" for m in reversed(task.prompt)
                     if m.get("role") == "user"), "")
    probes = {"echo": question, "echo_boxed": f"\\boxed{{{question}}}"}
    mine, theirs = task.gold_text, other.gold_text if other else None
    return probes


def _two_answers(env: BaseEnv, task: Task, other: Task | None, problems: list[str]) -> None:
    """The gold beside a different answer, both orders: at most one order may score."""
    mine, theirs = task.gold_text, other.gold_text if other else None
    if not (task.gold and len(task.gold) == 1 and mine and theirs and theirs.strip() != mine.strip()):
        return
    paid = []
    for label, text in (("gold first", f"{mine}\n\nOr, to be safe:\n\n{theirs}"),
                        ("gold last", f"{theirs}\n\nActually:\n\n{mine}")):
        score = _play_probe(env, task, f"two answers ({label})", text, problems)
        if score is not None and score.status in ("error", "timeout"):
            problems.append(f"two answers ({label}) on {task.id} got status {score.status}")
        elif score is not None and score.reward > 0:
            paid.append(label)
    if len(paid) == 2:
        problems.append(f"two different answers on {task.id} score in both orders: the "
                        "verifier pays for any of several answers (a hedge)")


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


def _play_probe(env: BaseEnv, task: Task, label: str, text: str,
                problems: list[str]) -> Score | None:
    """Play one response as the driver would; a raise or a budget overrun is a problem."""
    start = time.perf_counter()
    try:  # tool envs get the driver's parsing of text tool calls, which hostile text also hits
        msg = message_with_calls(text) if env.tool_schemas() else {"role": "assistant", "content": text}
        _, score = play(env, task, [msg])
    except Exception as e:
        problems.append(f"{label} response raised {type(e).__name__}: {e}")
        return None
    took = time.perf_counter() - start
    if took > env.score_budget_s:
        problems.append(f"{label} response on {task.id} took {took:.1f} s, over the env's "
                        f"budget of {env.score_budget_s:g} s")
    return score


def _probe(env: BaseEnv, task: Task, label: str, text: str, problems: list[str]) -> None:
    """One hostile response: it must score 0 as `wrong`/`truncated`, in time, without raising."""
    score = _play_probe(env, task, label, text, problems)
    if score is None:
        return
    if not isinstance(score, Score) or score.reward != 0.0 or score.status not in (
            "wrong", "truncated"):
        problems.append(f"{label} response on {task.id} scored {score.reward} "
                        f"with status {score.status} ({score.error or score.info})"[:400])


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
    probes = _adversarial_responses()
    for i, t in enumerate(a[:2]):
        other = a[(i + 1) % len(a)] if len(a) > 1 else None
        for label, text in {**probes, **_task_probes(t, other)}.items():
            _probe(env, t, label, text, problems)
        _two_answers(env, t, other, problems)
    _check_tools(env, problems)
    return problems
