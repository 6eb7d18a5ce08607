"""Synchronous vs asynchronous RL on CPU, side by side in one run.

The sampler (one hf rollout engine) and the trainer (a one-rank TrainGroup) are separate Ray
actors in both modes; only `rollout.mode` and `rollout.max_staleness` change. For each of
sync, async k=1 and async k=2 (in that order, the same seed and data), it trains `--steps`
steps of the `smollm2-cpu` preset (SmolLM2-135M on math level 0) and prints:
- wall time per step (mean over steps 2..N: step 1 has nothing to overlap with), and the
  ratio to sync;
- held-out greedy reward on the run's held-out prompts after the last step (same prompts
  for all three);
- the staleness actually trained on, from the versions the engine stamped on each rollout.

On 2 cores the sampler and the trainer compete for the same CPUs, so the overlap buys little
here; the printed load average says how busy the machine was.

    .venv/bin/python benchmarks/bench_async.py [--steps 8] [--heldout 32] [--out runs/bench_async]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from gymkit.trainers.config import load_config
from gymkit.trainers.trainer import train

MODES = [("sync", ["rollout.mode=sync"]),
         ("async k=1", ["rollout.mode=async", "rollout.max_staleness=1"]),
         ("async k=2", ["rollout.mode=async", "rollout.max_staleness=2"])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default="smollm2-cpu")
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--heldout", type=int, default=32)
    ap.add_argument("--out", type=Path, default=Path("runs/bench_async"))
    ap.add_argument("--set", action="append", default=[], help="extra config overrides")
    args = ap.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  cores={os.cpu_count()}  "
          f"config={args.config} steps={args.steps} heldout={args.heldout}  "
          f"1 hf engine + 1 train rank (Ray actors)")
    results = []
    for label, extra in MODES:
        out = args.out / label.replace(" ", "_").replace("=", "")
        before = os.getloadavg()[0]
        cfg = load_config(args.config, [
            f"steps={args.steps}", f"out={out}", f"rollout.heldout_prompts={args.heldout}",
            "rollout.eval_every=0", "checkpoint.every=0", "logging.progress=false",
            "logging.plot=false", "trainer.distributed.world_size=1",
            "trainer.distributed.engines.count=1", *extra, *args.set])
        t0 = time.perf_counter()
        rows = train(cfg)
        wall = time.perf_counter() - t0
        steps = [r for r in rows if r["step"] > 1]
        per_step = statistics.mean(r["time/step_s"] for r in steps)
        last = [r for r in rows if "heldout/reward" in r][-1]
        lag = max((r.get("async/staleness_max", 0.0) for r in rows if r["step"] > 0), default=0.0)
        dropped = sum(r.get("async/stale_dropped", 0.0) for r in rows)
        results.append({"mode": label, "per_step_s": per_step, "wall_s": wall,
                        "heldout_reward": last["heldout/reward"], "staleness_max": lag,
                        "stale_dropped": dropped, "load_before": before,
                        "load_after": os.getloadavg()[0]})
    base = results[0]["per_step_s"]
    print(f"{'mode':<10} {'s/step':>8} {'vs sync':>8} {'heldout':>8} {'max lag':>8} "
          f"{'dropped':>8}  load before/after")
    for r in results:
        print(f"{r['mode']:<10} {r['per_step_s']:>8.2f} {base / r['per_step_s']:>7.2f}x "
              f"{r['heldout_reward']:>8.3f} {r['staleness_max']:>8.0f} {r['stale_dropped']:>8.0f}"
              f"  {r['load_before']:.1f}/{r['load_after']:.1f}")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
