"""The vllm backend inside the training loop, side by side in one run (run it in .venv-vllm).

1. Generation tokens/s inside `gymkit train --backend vllm`, against standalone vLLM
   (`LLM.generate` on the very same token prompts and sampling settings, replayed after the
   run). Target: at least 90% of standalone.
2. The weight sync's time as a share of the training step.
3. A whole training step with `--backend vllm` against `--backend hf` (same config and seed).

    .venv-vllm/bin/python benchmarks/bench_vllm.py [--model smollm2-135m] [--steps 3]

Prints a table and one JSON line; the figures in docs/vllm.md come from this script.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import tempfile
import time
from pathlib import Path
from statistics import mean

import torch

from gymkit.policy import load_policy
from gymkit.trainers.config import load_config
from gymkit.trainers.trainer import train


class Recorder:
    """Wraps a policy: times every generate and sync_weights call and keeps the requests."""

    def __init__(self, policy) -> None:
        self.policy, self.calls, self.syncs = policy, [], []
        self.backend, self.model_id = policy.backend, policy.model_id

    def generate(self, requests, params):
        t0 = time.perf_counter()
        out = self.policy.generate(requests, params)
        self.calls.append((requests, params, out, time.perf_counter() - t0))
        return out

    def sync_weights(self, model) -> None:
        t0 = time.perf_counter()
        self.policy.sync_weights(model)
        self.syncs.append(time.perf_counter() - t0)

    def __getattr__(self, name):  # model / tokenizer for the hf backend's shared-weights path
        return getattr(self.policy, name)


def run_training(model: str, backend: str, steps: int, out: Path, sets: list[str]) -> tuple[Recorder, list[dict]]:
    cfg = load_config("smollm2-cpu", sets, model=model, steps=steps, out=out, backend=backend)
    rec = Recorder(load_policy(cfg.model, cfg.backend))
    rows = [r for r in train(cfg, policy=rec) if "time/step_s" in r]
    return rec, rows


def standalone_tokens_per_s(policy, calls) -> tuple[float, float]:
    """(in-loop tok/s, standalone tok/s) over the same prompts and sampling settings."""
    from vllm.inputs import TokensPrompt

    loop_tokens = sum(len(g.token_ids) for _, _, out, _ in calls for g in out)
    loop_time = sum(t for *_, t in calls)
    tokens, elapsed = 0, 0.0
    for _, params, out, _ in calls:
        prompts = [TokensPrompt(prompt_token_ids=g.prompt_ids) for g in out if g.prompt_ids]
        sps = [policy._sampling(params, i, len(p["prompt_token_ids"])) for i, p in enumerate(prompts)]
        t0 = time.perf_counter()
        res = policy.llm.generate(prompts, sps, use_tqdm=False)
        elapsed += time.perf_counter() - t0
        tokens += sum(len(r.outputs[0].token_ids) for r in res)
    return loop_tokens / loop_time, tokens / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--steps", type=int, default=3, help="training steps per backend (the first is warm-up)")
    ap.add_argument("--prompts", type=int, default=8)
    ap.add_argument("--group", type=int, default=4)
    ap.add_argument("--tokens", type=int, default=64)
    args = ap.parse_args()
    # Every sampled sequence goes into the update (zero-variance groups are kept), so both
    # backends do the same gradient work whatever the rewards are.
    sets = [f"rollout.prompts_per_step={args.prompts}", f"rollout.samples_per_prompt={args.group}",
            f"rollout.sampling.max_new_tokens={args.tokens}", "loss.filter_zero_variance=false", "loss.overlong=none",
            "rollout.heldout_prompts=0", "checkpoint.every=0", "logging.progress=false",
            "logging.plot=false", "logging.tensorboard=false"]
    res: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("vllm", "hf"):
            rec, rows = run_training(args.model, backend, args.steps, Path(tmp) / backend, sets)
            warm = rows[1:] or rows
            res[backend] = {"step_s": mean(r["time/step_s"] for r in warm),
                            "generate_s": mean(r["time/generate_s"] for r in warm),
                            "sync_s": mean(rec.syncs[1:] or rec.syncs) if rec.syncs else 0.0}
            if backend == "vllm":
                loop, alone = standalone_tokens_per_s(rec.policy, rec.calls[len(rec.calls) // args.steps:])
                res[backend].update(loop_tok_s=loop, standalone_tok_s=alone)
            rec.policy.close()
    v, h = res["vllm"], res["hf"]
    summary = {
        "date": dt.date.today().isoformat(), "machine": f"{platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads", "model": args.model,
        "batch": f"{args.prompts}x{args.group} x {args.tokens} tokens",
        "vllm_loop_tok_s": round(v["loop_tok_s"], 1), "vllm_standalone_tok_s": round(v["standalone_tok_s"], 1),
        "loop_vs_standalone": round(v["loop_tok_s"] / v["standalone_tok_s"], 3),
        "sync_s": round(v["sync_s"], 3), "sync_share_of_step": round(v["sync_s"] / v["step_s"], 4),
        "step_s_vllm": round(v["step_s"], 2), "step_s_hf": round(h["step_s"], 2),
        "generate_s_vllm": round(v["generate_s"], 2), "generate_s_hf": round(h["generate_s"], 2),
        "step_speedup_vllm_over_hf": round(h["step_s"] / v["step_s"], 2),
    }
    for k, val in summary.items():
        print(f"{k:28s} {val}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
