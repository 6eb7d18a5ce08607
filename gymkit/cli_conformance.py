"""`gymkit conformance`: fixed transcripts through the native path and every installed adapter."""
from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.table import Table

from .errors import GymkitError

console = Console(width=None if sys.stdout.isatty() else 160)


def _cell(result) -> str:
    if isinstance(result, str):
        return result
    reward = "none" if result.reward is None else f"{result.reward:g}"
    return f"{result.status} {reward}"


def conformance(
    env: list[str] = typer.Option(..., "--env",
                                  help="Env(s) to check: repeat the flag, or comma-separate."),
    seed: int = typer.Option(0, "--seed", help="Seed of the task each case is built on."),
) -> None:
    """Replay gold, wrong, garbage and error transcripts through gymkit's native path and
    the TRL, verl and verifiers adapters; reward, status and observations must be identical."""
    from .integrations.conformance import ADAPTERS, check_env, installed
    from .registry import get_env_class, make_env

    names = [n.strip() for spec in env for n in spec.split(",") if n.strip()]
    for name in names:
        if get_env_class(name).learned_judge:
            raise GymkitError(f"env {name!r} is judged by a learned model; conformance replays "
                              "verifiable envs only")
    present = [a for a in ADAPTERS if installed(a)]
    table = Table()
    for col in ["env", "case", "native", *ADAPTERS]:
        table.add_column(col, no_wrap=col not in ADAPTERS)
    failed = 0
    notes: dict[str, str] = {}
    for name in names:
        with console.status(f"checking {name} ..."):
            checks = check_env(make_env(name), present, seed=seed)
        for check in checks:
            row = [name, check.case, _cell(check.native)]
            for adapter in ADAPTERS:
                if adapter not in present:
                    row.append("not installed")
                elif adapter in check.diffs:
                    failed += 1
                    row.append(f"[red]DIFF[/] {check.diffs[adapter]}")
                elif isinstance(check.results[adapter], str):
                    row.append("n/a")
                    notes.setdefault(f"{name} / {adapter}", check.results[adapter].removeprefix("n/a: "))
                else:
                    row.append("same")
            table.add_row(*row)
    console.print(table)
    for where, why in notes.items():
        console.print(f"n/a {where}: {why}", highlight=False)
    missing = [a for a in ADAPTERS if a not in present]
    if missing:
        console.print(f"not installed here, so not checked: {', '.join(missing)}")
    if failed:
        console.print(f"[red]{failed} disagreement(s)[/]")
        raise typer.Exit(1)
