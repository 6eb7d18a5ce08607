"""Weight-sync time against model size, per strategy, side by side in one run (CPU, gloo).

A 2-rank TrainGroup (FSDP2) pushes its weights into one hf rollout engine (a Ray actor):
- `object_store`: full state gathered on rank 0, moved through the driver and `ray.put`,
  loaded by the engine (what `weight_sync: object_store` does);
- `broadcast`: tensor-by-tensor gather on the ranks, rank 0 broadcasts bucket by bucket over
  a gloo group of its own with the engine, which loads each bucket as it arrives.
Models are random Llamas of growing width built locally (no hub). Each figure is the median
of `--reps` syncs after one warm-up, printed with MB moved and the load average.

    .venv/bin/python benchmarks/bench_weight_sync.py [--reps 3] [--bucket-mb 64]
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import torch


def build(out: Path, hidden: int, layers: int) -> int:
    from transformers import AutoModelForCausalLM, LlamaConfig

    from gymkit.policy.models import resolve_checkpoint

    src = resolve_checkpoint("tiny-random-llama")  # its tokenizer
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src)
    cfg = LlamaConfig(vocab_size=len(tok), hidden_size=hidden, intermediate_size=hidden * 3,
                      num_hidden_layers=layers, num_attention_heads=max(2, hidden // 64),
                      num_key_value_heads=max(1, hidden // 128), tie_word_embeddings=True,
                      max_position_embeddings=512)
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return sum(p.numel() for p in model.parameters())


def time_sync(group, pool, strategy: str, reps: int) -> float:
    def once() -> float:
        t0 = time.perf_counter()
        if strategy == "broadcast":
            group.broadcast_weights(pool)
        else:
            pool.sync_weights(group.sampler_state())
        return time.perf_counter() - t0

    once()  # warm-up (the broadcast group is built here)
    return statistics.median(once() for _ in range(reps))


def main() -> None:
    from gymkit.policy.engines import EnginePool
    from gymkit.pool import init_ray
    from gymkit.trainers.config import load_config
    from gymkit.trainers.distributed import TrainGroup

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--bucket-mb", type=float, default=64.0)
    ap.add_argument("--sizes", default="128x2,256x4,512x8", help="hidden x layers, comma-separated")
    args = ap.parse_args()
    init_ray(num_cpus=6)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  cores={os.cpu_count()} "
          f"torch={torch.__version__}  2 train ranks (FSDP2, gloo) -> 1 hf engine actor, "
          f"bucket {args.bucket_mb:g} MB, median of {args.reps}")
    print(f"{'params':>10} {'fp32 MB':>8} {'object_store s':>15} {'broadcast s':>12} "
          f"{'ratio':>6}  load")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.sizes.split(","):
            hidden, layers = (int(x) for x in spec.split("x"))
            path = Path(tmp) / spec
            n = build(path, hidden, layers)
            cfg = load_config(None, [f"model={path}", "trainer.distributed.world_size=2",
                                     "trainer.distributed.engines.count=1",
                                     f"trainer.distributed.engines.bucket_mb={args.bucket_mb}",
                                     "logging.progress=false"])
            group = TrainGroup(cfg)
            pool = EnginePool(str(path), "hf", {"dtype": "float32"},
                              cfg.trainer.distributed.engines)
            try:
                obj = time_sync(group, pool, "object_store", args.reps)
                bc = time_sync(group, pool, "broadcast", args.reps)
            finally:
                pool.close()
                group.close()
            load = "/".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"{n:>10,} {n * 4 / 2 ** 20:>8.1f} {obj:>15.3f} {bc:>12.3f} "
                  f"{obj / bc:>5.2f}x  {load}")


if __name__ == "__main__":
    main()
