"""`gymkit scorecard`: run the fidelity suites and print (and write) the scorecard table."""
from __future__ import annotations

import datetime
import os
import platform
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import GymkitError

console = Console(width=None if sys.stdout.isatty() else 140)


def _machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"


def scorecard(
    env: Optional[str] = typer.Option(None, "--env", help="Comma-separated envs (default: every suite)."),
    suites: Optional[Path] = typer.Option(None, "--suites", help="Suite root (default: tests/fidelity)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Markdown file to write "
                                       "(default: docs/scorecard.md when every suite runs)."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Print every failing case."),
) -> None:
    """Fidelity scorecard per env: cases, false positives/negatives, crashes, worst latency."""
    from .scorecard import SUITES_DIR, COLUMNS, markdown, run_suite, suite_envs, table_rows

    root = suites or SUITES_DIR
    if not root.is_dir():
        raise GymkitError(f"no fidelity suites at {root} (they live in a gymkit checkout's "
                          "tests/fidelity; pass --suites DIR)")
    available = suite_envs(root)
    names = [n.strip() for n in env.split(",") if n.strip()] if env else available
    unknown = [n for n in names if n not in available]
    if unknown:
        raise GymkitError(f"no fidelity suite for {', '.join(unknown)}; suites: {', '.join(available)}")
    results = []
    for name in names:
        with console.status(f"scoring {name} ..."):
            s = run_suite(name, root)
        results.append(s)
        if verbose:
            for r in s.failures + [r for r in s.results if r.outcome == "fn" and r.case.known_limit]:
                tag = "known limit" if not r.failed else r.outcome.upper()
                console.print(f"  [{'yellow' if not r.failed else 'red'}]{tag}[/] {name}/{r.case.id}: "
                              f"{r.status} reward={r.reward:g} ({r.detail}) - expected "
                              f"{r.case.expect}: {r.case.reason}", highlight=False)
    table = Table()
    for col in COLUMNS:
        table.add_column(col, no_wrap=True)
    for row in table_rows(results):
        table.add_row(*row)
    console.print(table)
    target = out or (Path("docs/scorecard.md") if not env and suites is None else None)
    if target:
        when = datetime.date.today().isoformat()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown(results, when, _machine()))
        console.print(f"wrote {target}")
    if any(s.failures for s in results):
        raise typer.Exit(1)
