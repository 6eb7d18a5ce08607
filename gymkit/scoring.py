"""Scoring without a model: given responses (`gymkit verify`) and stored rollouts (`reverify`)."""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .driver import Pool
from .errors import GymkitError
from .types import Message, Rollout, Score, Task


def as_actions(response: Any) -> list[Message]:
    """A response row's value as assistant messages: a string, a message, or a list of them."""
    if isinstance(response, str):
        return [{"role": "assistant", "content": response}]
    if isinstance(response, dict):
        return [{"role": "assistant", **response}]
    if isinstance(response, list) and all(isinstance(m, (str, dict)) for m in response):
        return [a for m in response for a in as_actions(m)]
    raise GymkitError(f"a response must be text, a message or a list of messages, "
                      f"not {type(response).__name__}")


def score_scripted(pool: Pool, items: list[tuple[str, Task, list[Message]]],
                   on_done: Callable[[str, Rollout], None] | None = None) -> dict[str, Rollout]:
    """Play each (key, task, actions) episode through `pool`; every key gets a rollout.

    `on_done(key, rollout)` is called as each episode is scored (to stream results out)."""
    state = {key: (task, actions, list(task.prompt), time.monotonic()) for key, task, actions in items}
    turn = {key: 0 for key, _, _ in items}
    out: dict[str, Rollout] = {}

    def done(key: str, score: Score) -> None:
        task, actions, msgs, t0 = state.pop(key)
        out[key] = Rollout(task_id=task.id, env=task.env, messages=msgs, reward=score.reward,
                           components=score.components, status=score.status, error=score.error,
                           info=score.info, turns=turn[key], task=task,
                           timings={"env_s": time.monotonic() - t0})
        if on_done:
            on_done(key, out[key])

    def send(key: str) -> None:
        task, actions, msgs, _ = state[key]
        if turn[key] >= len(actions):
            done(key, Score(reward=0.0, status="truncated", info={"reason": "actions ran out"}))
            return
        msgs.append(actions[turn[key]])
        turn[key] += 1
        pool.submit(key, task, actions[turn[key] - 1])

    for key in list(state):
        send(key)
    while pool.pending():
        for key, step in pool.poll(timeout=None):
            state[key][2].extend(step.observation)
            if step.done:
                done(key, step.score or Score.failed("env ended without a score"))
            else:
                send(key)
    return out


def read_jsonl(path: Path, what: str) -> Iterator[tuple[int, dict[str, Any]]]:
    if not path.exists():
        raise GymkitError(f"{what} file not found: {path}")
    with path.open() as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise GymkitError(f"{path}:{n}: not valid JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise GymkitError(f"{path}:{n}: each line must be a JSON object")
            yield n, row
