"""1 process vs a 2-rank TrainGroup (FSDP2, gloo) on CPU, side by side in one run.

Prints, per model: update tokens/s of one process and of 2 ranks (the same 2 shared cores:
the ratio is what FSDP's all-gathers, reduce-scatters and count all-reduces cost, since
no compute is gained), the largest weight difference after the steps (agreement), and the
weight-sync time: the sampler state in one process vs the full-state gather of 2 ranks
through the Ray object store, against model size.

    .venv/bin/python benchmarks/bench_distributed.py [--steps 3] [--model tiny-random-llama]
"""
from __future__ import annotations

import argparse
import random
import time

import torch

from gymkit.trainers.batch import Sequence
from gymkit.trainers.config import load_config
from gymkit.trainers.distributed import TrainGroup
from gymkit.trainers.model import load_hf, make_optimizer, pad_token, sampler_state
from gymkit.trainers.update import policy_update


def batch(n: int, seed: int, length: int = 96) -> list[Sequence]:
    rng = random.Random(seed)
    return [Sequence(ids=[rng.randrange(5, 400) for _ in range(length)], n_prompt=length // 3,
                     old_logprobs=[-5.0] * (length - length // 3), mask=[1] * (length - length // 3),
                     advantage=rng.uniform(-1, 1), env="b") for _ in range(n)]


def tokens(seqs) -> int:
    return sum(len(s.ids) for s in seqs)


def one_process(cfg, steps, n):
    model, tok = load_hf(cfg, dtype=torch.float32)
    opt, sched = make_optimizer(model, cfg)
    times = []
    for s in range(steps):
        seqs = batch(n, s)
        t0 = time.perf_counter()
        policy_update(model, opt, sched, seqs, cfg, pad_token(tok))
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    state = sampler_state(model).state_dict()
    sync = time.perf_counter() - t0
    n_params = sum(p.numel() for p in model.parameters())  # tied weights once
    return times, {k: v.clone() for k, v in state.items()}, sync, n_params


def group(cfg, steps, n):
    g = TrainGroup(cfg)
    try:
        times = []
        for s in range(steps):
            seqs = batch(n, s)
            t0 = time.perf_counter()
            g.update(seqs)
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        state = g.sampler_state()
        return times, state, time.perf_counter() - t0
    finally:
        g.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--seqs", type=int, default=16)
    ap.add_argument("--models", default="tiny-random-llama,tiny-random-nemotronh,smollm2-135m")
    a = ap.parse_args()
    from gymkit.pool import init_ray

    init_ray(num_cpus=4)
    print(f"{'model':<24}{'params':>9}{'1 proc tok/s':>14}{'2 ranks tok/s':>15}{'ratio':>7}"
          f"{'max |dw|':>10}{'sync 1p s':>11}{'gather 2r s':>13}")
    for name in a.models.split(","):
        cfg = load_config(None, [f"model={name}", "trainer.lr=1e-4", "trainer.micro_batch_size=4",
                                 "trainer.distributed.world_size=2", "trainer.distributed.cpus_per_rank=1"])
        t1, w1, s1, params = one_process(cfg, a.steps, a.seqs)
        t2, w2, s2 = group(cfg, a.steps, a.seqs)
        n_tok = tokens(batch(a.seqs, 0))
        # the first step includes lazy initialisation on both sides: report the rest
        tps1, tps2 = n_tok / (sum(t1[1:]) / len(t1[1:])), n_tok / (sum(t2[1:]) / len(t2[1:]))
        diff = max(float((w1[k].float() - w2[k].float()).abs().max()) for k in w1)
        print(f"{name:<24}{params / 1e6:>8.1f}M{tps1:>14.0f}{tps2:>15.0f}{tps2 / tps1:>7.2f}"
              f"{diff:>10.1e}{s1:>11.3f}{s2:>13.3f}", flush=True)


if __name__ == "__main__":
    main()
