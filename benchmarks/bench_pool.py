"""Verification throughput: Ray EnvPool (1 and 2 actors) against an in-process loop.

Same tasks and responses (half gold, half wrong) for every contestant, in one run; prints
verifications/s and the ratio to the in-process loop. Ray start-up is excluded (it is paid
once per process); actor start-up is included in a separate column.

    .venv/bin/python benchmarks/bench_pool.py --env math --n 400
"""
from __future__ import annotations

import argparse
import os
import platform
import time

from gymkit.pool import EnvPool, LocalPool, init_ray
from gymkit.registry import make_env
from gymkit.scoring import score_scripted


def items_for(env_name: str, n: int):
    env = make_env(env_name)
    tasks = env.generate(n, seed=123)
    items = []
    for i, t in enumerate(tasks):
        actions = env.gold_actions(t) if i % 2 == 0 else [{"role": "assistant", "content": "\\boxed{-1}"}]
        items.append((f"{t.id}#{i}", t, actions))
    env.close()
    return items


def timed(pool, items) -> tuple[float, dict]:
    t0 = time.perf_counter()
    out = score_scripted(pool, items)
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", default="math")
    ap.add_argument("--n", type=int, default=400)
    args = ap.parse_args()
    items = items_for(args.env, args.n)
    init_ray()
    rows = []
    local = LocalPool([args.env])
    timed(local, items[:8])  # warm-up: imports and verifier workers
    wall, out = timed(local, items)
    base = len(items) / wall
    rows.append(("in-process loop", 0.0, wall, base, out))
    for actors in (1, 2):
        t0 = time.perf_counter()
        pool = EnvPool([args.env], actors_per_env=actors)
        timed(pool, items[:8 * actors])
        start = time.perf_counter() - t0
        wall, out = timed(pool, items)
        rows.append((f"EnvPool, {actors} actor(s)", start, wall, len(items) / wall, out))
        pool.close()
    print(f"# {args.env}: {len(items)} verifications; {os.cpu_count()} cores; "
          f"{platform.processor() or platform.machine()}; {time.strftime('%Y-%m-%d')}")
    print(f"{'contestant':28} {'start_s':>8} {'wall_s':>8} {'verif/s':>9} {'ratio':>6} statuses")
    for name, start, wall, rate, out in rows:
        counts: dict[str, int] = {}
        for r in out.values():
            counts[r.status] = counts.get(r.status, 0) + 1
        print(f"{name:28} {start:8.2f} {wall:8.2f} {rate:9.1f} {rate / base:6.2f} {counts}")


if __name__ == "__main__":
    main()
