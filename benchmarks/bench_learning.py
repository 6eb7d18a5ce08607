"""Does GRPO really learn? SmolLM2-135M-Instruct on `math` on CPU: held-out reward before/after.

Held-out tasks come from seeds >= 10**6 and any prompt text that also appears in the training
draw is removed, so the gain is on problems the model never trained on. Prints the figures and
writes OUT/summary.json and OUT/reward_curve.png.

    .venv/bin/python benchmarks/bench_learning.py --steps 20 --out runs/bench_learning
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from datetime import date
from pathlib import Path

import torch

from gymkit.trainers.config import load_config
from gymkit.trainers.trainer import train


def recheck(cfg, n: int) -> dict:
    """Greedy reward of the base model and of the run's last checkpoint on `n` held-out
    prompts (seeds >= 10**6, minus every training prompt): a larger sample than in-run evals."""
    from gymkit.policy.hf import HFPolicy
    from gymkit.pool import LocalPool
    from gymkit.trainers.data import TaskStream, heldout_tasks, prompt_text
    from gymkit.trainers.trainer import evaluate_heldout

    levels = {k: e.difficulty for k, e in cfg.envs.items()}
    options = {k: dict(e.options) for k, e in cfg.envs.items()}
    seen = {prompt_text(t) for t in TaskStream({k: e.weight for k, e in cfg.envs.items()},
                                               cfg.seed, levels, options).next(
        cfg.steps * cfg.rollout.prompts_per_step)}
    held = heldout_tasks(sorted(cfg.envs), n, cfg.seed, levels, exclude=seen, options=options)
    pool = LocalPool(sorted(cfg.envs), env_config=options)
    out = {"recheck_prompts": len(held)}
    for label, model in (("base", cfg.model), ("trained", str(cfg.out))):
        policy = HFPolicy(model)
        out[f"recheck_{label}"] = evaluate_heldout(policy, pool, held, cfg)["heldout/reward"]
        policy.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--heldout", type=int, default=48, help="held-out prompts")
    ap.add_argument("--out", type=Path, default=Path("runs/bench_learning"))
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--recheck", type=int, default=0,
                    help="also score base and trained models on this many more held-out prompts")
    ap.add_argument("--recheck-only", action="store_true",
                    help="skip training; recheck the run already in --out")
    args = ap.parse_args()
    if args.recheck_only:
        cfg = load_config("smollm2-cpu", [f"steps={args.steps}", f"out={args.out}", *args.overrides])
        print(json.dumps(recheck(cfg, args.recheck or 200), indent=2))
        return
    cfg = load_config("smollm2-cpu", [
        f"steps={args.steps}", f"out={args.out}", f"rollout.heldout_prompts={args.heldout}",
        "rollout.eval_every=0", "checkpoint.every=0", *args.overrides])
    t0 = time.monotonic()
    rows = train(cfg)
    held = [r for r in rows if "heldout/reward" in r]
    steps = [r for r in rows if "reward/all" in r]  # every sampled step, updated or not
    summary = {
        "date": date.today().isoformat(), "machine": f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads", "model": cfg.model, "env": sorted(cfg.envs),
        "steps": cfg.steps, "prompts_per_step": cfg.rollout.prompts_per_step,
        "G": cfg.rollout.samples_per_prompt, "lr": cfg.trainer.lr, "algorithm": cfg.algorithm.type,
        "heldout_prompts": args.heldout,
        "heldout_reward_before": held[0]["heldout/reward"], "heldout_reward_after": held[-1]["heldout/reward"],
        "heldout_pass_before": held[0]["heldout/pass_rate"], "heldout_pass_after": held[-1]["heldout/pass_rate"],
        "train_reward_first5": sum(r["reward/all"] for r in steps[:5]) / max(len(steps[:5]), 1),
        "train_reward_last5": sum(r["reward/all"] for r in steps[-5:]) / max(len(steps[-5:]), 1),
        "mean_step_s": sum(r["time/step_s"] for r in steps) / max(len(steps), 1),
        "wall_s": round(time.monotonic() - t0, 1),
    }
    if args.recheck:
        summary.update(recheck(cfg, args.recheck))
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(f"held-out reward {summary['heldout_reward_before']:.3f} -> "
          f"{summary['heldout_reward_after']:.3f} after {cfg.steps} steps "
          f"(curve: {args.out / 'reward_curve.png'})")


if __name__ == "__main__":
    main()
