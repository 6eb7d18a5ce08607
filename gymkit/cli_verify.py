"""`gymkit verify` and `gymkit rollouts reverify`: score stored responses without a model.

Plain typer functions, mounted by `gymkit.cli`. Rows are written in input order as they are
scored, so a stopped run keeps what it did and `--resume` continues it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import GymkitError
from .registry import get_env_class, make_env, resolve_env_name

out = Console()
err = Console(stderr=True, soft_wrap=True)


def verify(env: str = typer.Option(..., help="Env name."),
           tasks_file: Path = typer.Option(..., "--tasks", help="Tasks: JSONL (env or standard "
                                           "format) or any source of docs/datasets.md."),
           responses: Path = typer.Option(..., help="JSONL rows {task_id, response}."),
           out_file: Optional[Path] = typer.Option(None, "--out"),
           no_ray: bool = typer.Option(False, "--no-ray", help="Score in-process."),
           actors: int = typer.Option(2, min=1), timeout_s: float = typer.Option(60.0),
           resume: bool = typer.Option(False, "--resume",
                                       help="Keep the rows already in --out; score the rest.")) -> None:
    """Score given responses without any model.

    Rows go to --out in input order as soon as they are scored, each with its input `line`.
    For tool-using envs, tool calls written in the text (`<tool_call>{...}</tool_call>`) are
    parsed as the driver parses them."""
    from .pool import EnvPool, LocalPool
    from .scoring import as_actions, read_jsonl, score_scripted

    if resume and out_file is None:
        raise GymkitError("--resume needs --out (the file to continue)")
    env = resolve_env_name(env)  # `file.py:Class`: the pool and the tasks use the registered name
    env_obj = make_env(env)
    from .datasets import load_tasks  # the sources of eval --tasks: files, humaneval, bfcl:*, HF ids

    by_id = {t.id: t for t in load_tasks(env_obj, str(tasks_file)).tasks}
    kept = _rows_done(out_file) if resume else []
    skip = {r["line"] for r in kept}
    order, items, unknown = [], [], []
    for n, row in read_jsonl(responses, "responses"):
        if "task_id" not in row or "response" not in row:
            raise GymkitError(f"{responses}:{n}: a row needs 'task_id' and 'response'")
        if n in skip:
            continue
        order.append(n)
        task = by_id.get(str(row["task_id"]))
        if task is None:
            unknown.append((n, str(row["task_id"])))
            continue
        actions = as_actions(row["response"])
        if task.tools:
            actions = [_with_text_calls(a) for a in actions]
        items.append((str(n), task, actions))
    sink = _InOrder(out_file, order, append=resume)
    try:
        for n, tid in unknown:
            sink.add(n, {"line": n, "task_id": tid, "reward": 0.0, "status": "error",
                         "error": "unknown task_id", "info": {}})
        pool = LocalPool([env]) if no_ray else EnvPool([env], actors_per_env=actors,
                                                       step_timeout_s=timeout_s)
        try:
            score_scripted(pool, items, on_done=lambda key, r: sink.add(int(key), {
                "line": int(key), "task_id": r.task_id, "reward": r.reward, "status": r.status,
                "error": r.error, "info": r.info}))
        finally:
            pool.close()
    finally:
        sink.close()
    if out_file is not None:
        more = f" ({len(kept)} kept from before)" if resume else ""
        err.print(f"wrote {len(sink.rows)} rows to {out_file}{more}")
    _print_status_summary(env, kept + sink.rows)


def _with_text_calls(msg: dict) -> dict:
    """An assistant message with tool calls parsed out of its text, as the driver does."""
    from .tools import message_with_calls

    if msg.get("tool_calls") or not isinstance(msg.get("content"), str):
        return msg
    return {**msg, **message_with_calls(msg["content"])}


def _rows_done(path: Path) -> list[dict]:
    """Rows an earlier `verify --out` wrote; a line cut by a kill is dropped (and redone)."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            break
        if not isinstance(row, dict) or "line" not in row:
            raise GymkitError(f"{path}: not written by `gymkit verify` (rows carry no 'line'); "
                              f"--resume cannot continue it")
        rows.append(row)
    path.write_text("".join(json.dumps(r, default=str) + "\n" for r in rows))
    return rows


class _InOrder:
    """Writes rows in input order as they come in: each waits only for the rows before it."""

    def __init__(self, path: Optional[Path], order: list[int], append: bool = False):
        self.order, self.next, self.waiting, self.rows = order, 0, {}, []
        self.f = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.f = path.open("a" if append else "w")

    def add(self, n: int, row: dict) -> None:
        self.waiting[n] = row
        while self.next < len(self.order) and self.order[self.next] in self.waiting:
            ready = self.waiting.pop(self.order[self.next])
            self.next += 1
            self.rows.append(ready)
            if self.f is not None:
                self.f.write(json.dumps(ready, default=str) + "\n")
                self.f.flush()

    def close(self) -> None:
        if self.f is not None:
            self.f.close()


def _write_rows(rows: list[dict], path: Optional[Path]) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for row in rows:
            f.write(json.dumps(row, default=str) + "\n")
    err.print(f"wrote {len(rows)} rows to {path}")


def _print_status_summary(env: str, rows: list[dict]) -> None:
    from collections import Counter

    counts = Counter(r["status"] for r in rows)
    mean = sum(r["reward"] for r in rows) / max(1, len(rows))
    table = Table("env", "rows", "reward_mean", *sorted(counts))
    table.add_row(env, str(len(rows)), f"{mean:.3f}", *[str(counts[s]) for s in sorted(counts)])
    out.print(table)


def reverify(file: Path = typer.Argument(..., help="rollouts.jsonl from eval or train."),
             out_file: Optional[Path] = typer.Option(None, "--out"),
             no_ray: bool = typer.Option(False, "--no-ray")) -> None:
    """Re-score stored rollouts with the current verifiers; report what changed."""
    from .pool import EnvPool, LocalPool
    from .scoring import read_jsonl, score_scripted
    from .types import Rollout

    stored: dict[str, Rollout] = {}
    for n, row in read_jsonl(file, "rollouts"):
        r = Rollout.model_validate(row)
        if r.task is None:
            raise GymkitError(f"{file}:{n}: rollout has no embedded task; cannot re-score")
        stored[f"{n}"] = r
    envs = sorted({r.env for r in stored.values()})
    for e in envs:
        get_env_class(e)
    items = [(k, r.task, [m for m in r.messages[len(r.task.prompt):] if m.get("role") == "assistant"])
             for k, r in stored.items()]
    pool = LocalPool(envs) if no_ray else EnvPool(envs)
    try:
        fresh = score_scripted(pool, items)
    finally:
        pool.close()
    from .driver import final_status

    changed, rows = 0, []
    for k, old in stored.items():
        new = fresh[k]
        # a length-cut wrong answer is `truncated` in the driver: the same rule applies here
        status = final_status(new.status, old.finish_reason)
        changed += (new.reward != old.reward) or (status != old.status)
        rows.append({**old.model_dump(exclude={"reward", "status", "error", "info", "components"}),
                     "reward": new.reward, "status": status, "error": new.error,
                     "info": new.info, "components": new.components,
                     "previous": {"reward": old.reward, "status": old.status}})
    _write_rows(rows, out_file or file.with_name(file.stem + ".reverified.jsonl"))
    out.print(f"{len(rows)} rollouts re-scored, {changed} changed")
