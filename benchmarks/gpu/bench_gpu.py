"""GRPO update throughput on GPUs: tokens/s/GPU of a TrainGroup (FSDP2, NCCL) on the real
NemotronH architecture (configs/arch/*.json), randomly initialised: the update's speed does
not depend on the weights' values, and the hub is not needed.

    python benchmarks/gpu/bench_gpu.py --arch nano-4b --ranks 1 --layers 0
    python benchmarks/gpu/bench_gpu.py --arch nano-30b --ranks 8 --layers 8   # a truncated stack

`--layers N` keeps the first N decoder layers (0: all) so a model fits the lent machine's disk
and host memory; tokens/s then scale by roughly N / 52 for the full model (printed too).
Prints one JSON line per run.
"""
from __future__ import annotations

import argparse
import json
import random
import tempfile
import time

import torch

from gymkit.trainers.batch import Sequence
from gymkit.trainers.config import load_config
from gymkit.trainers.distributed import TrainGroup
from gymkit.trainers.memory_plan import arch_config


def random_checkpoint(arch: str, layers: int, out: str) -> int:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from gymkit.policy.builtin import smollm2_tokenizer_dir

    config, _ = arch_config(arch)
    full = len(config.layers_block_type)
    if layers:
        config.layers_block_type = config.layers_block_type[:layers]
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(smollm2_tokenizer_dir()).save_pretrained(out)
    return full


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--arch", default="nano-4b")
    ap.add_argument("--ranks", type=int, default=torch.cuda.device_count())
    ap.add_argument("--layers", type=int, default=0)
    ap.add_argument("--seqs", type=int, default=64)
    ap.add_argument("--len", type=int, default=4096)
    ap.add_argument("--micro", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--lora", action="store_true")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        full = random_checkpoint(a.arch, a.layers, d)
        sets = [f"model={d}", "trainer.bf16=true", "trainer.gradient_checkpointing=true",
                f"trainer.micro_batch_size={a.micro}", f"trainer.distributed.world_size={a.ranks}",
                "trainer.distributed.device=cuda", "trainer.distributed.timeout_s=1800",
                f"rollout.sampling.max_new_tokens={a.len}"]
        if a.lora:
            sets += ["trainer.lora.enabled=true", "trainer.lora.r=64",
                     "trainer.lora.target_modules=[q_proj,k_proj,v_proj,o_proj,in_proj,up_proj,down_proj]",
                     "trainer.lora.target_parameters=[experts.up_proj,experts.down_proj]"]
        cfg = load_config(None, sets)
        group = TrainGroup(cfg)
        rng = random.Random(0)
        try:
            times = []
            for _ in range(a.steps):
                seqs = [Sequence(ids=[rng.randrange(5, 30000) for _ in range(a.len)],
                                 n_prompt=a.len // 4, old_logprobs=[-5.0] * (a.len - a.len // 4),
                                 mask=[1] * (a.len - a.len // 4), advantage=rng.uniform(-1, 1),
                                 env="b") for _ in range(a.seqs)]
                t0 = time.perf_counter()
                group.update(seqs)
                times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            group.sampler_state()
            sync = time.perf_counter() - t0
        finally:
            group.close()
    step = min(times[1:] or times)
    tps = a.seqs * a.len / step / a.ranks
    kept = a.layers or full
    print(json.dumps({"arch": a.arch, "ranks": a.ranks, "layers": kept, "full_layers": full,
                      "lora": a.lora, "update_s": round(step, 2), "sync_s": round(sync, 2),
                      "update_tokens_per_s_per_gpu": round(tps),
                      "full_model_estimate": round(tps * kept / full)}))


if __name__ == "__main__":
    main()
