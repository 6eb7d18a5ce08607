"""Sandbox throughput vs the usual harness, side by side in one run.

Baseline: what human-eval / LiveCodeBench-style runners do, `subprocess.run([python, "-c",
candidate + test])` per test, with no isolation at all. Against it: `gymkit.sandbox.run`
per test (fresh namespaces each), and `run_tests` with a list (one sandbox, one fork per
test), both with full isolation on. Short tests, sequential and 8-way concurrent.

    .venv/bin/python benchmarks/bench_sandbox.py [--n 200]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from gymkit.sandbox import isolation_report, run, run_tests

CANDIDATE = "def double(x):\n    return 2 * x\n"


def tests(n: int) -> list[str]:
    return [f"assert double({i}) == {2 * i}" for i in range(n)]


def baseline(test: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", CANDIDATE + test], capture_output=True,
                          timeout=10)
    return proc.returncode == 0


def sandbox_run(test: str) -> bool:
    return run(CANDIDATE + test, timeout_s=10).status == "ok"


def sandbox_batch(batch: list[str]) -> bool:
    return run_tests(CANDIDATE, batch, timeout_s=10).passed


def rate(fn, items: list, workers: int, per_item: int = 1) -> float:
    """Executions (tests) per second of `fn` over `items` with `workers` threads."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        ok = list(pool.map(fn, items))
    elapsed = time.perf_counter() - t0
    assert all(ok), f"{fn.__name__}: some test failed"
    return len(items) * per_item / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="tests per measurement")
    n = parser.parse_args().n
    rep = isolation_report()
    print(f"mode={rep['mode']} slots={rep['slots']} cores={os.cpu_count()} "
          f"python={sys.version.split()[0]}")
    run("pass")  # start the fork server outside the timings
    ts = tests(n)
    rows = []
    for workers in (1, 8):
        base = rate(baseline, ts, workers)
        per_run = rate(sandbox_run, ts, workers)
        chunk = max(1, n // (8 * workers))  # one run_tests call per chunk of tests
        batches = [ts[i:i + chunk] for i in range(0, n, chunk)]
        batch = rate(sandbox_batch, batches, workers, per_item=chunk)
        rows.append((workers, base, per_run, batch))
    print(f"{'load':>10} {'subprocess/s':>13} {'run()/s':>9} {'ratio':>6} "
          f"{'run_tests/s':>12} {'ratio':>6}")
    for workers, base, per_run, batch in rows:
        print(f"{workers:>4}-way    {base:13.1f} {per_run:9.1f} {per_run / base:5.1f}x "
              f"{batch:12.1f} {batch / base:5.1f}x")


if __name__ == "__main__":
    main()
