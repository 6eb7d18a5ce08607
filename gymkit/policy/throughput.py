"""Generation throughput of a policy: `python -m gymkit.policy.throughput --model smollm2-135m --batch 8`.

Prints sampled tokens per second over a few timed rounds after one warm-up round, and for the
hf backend the same batch through plain `model.generate` with its ratio. The prompts are short
arithmetic questions, as in the `math` env; sampling is at temperature 1, as in RL.
"""
from __future__ import annotations

import argparse
import os
import time

import torch

from . import load_policy
from .base import GenRequest, SamplingParams


def measure(model: str, batch: int, new_tokens: int, rounds: int, backend: str = "hf", **opts) -> dict:
    """Tokens/s and seconds per round for `rounds` batches of `batch` requests."""
    pol = load_policy(model, backend=backend, **opts)
    reqs = [GenRequest(messages=[{"role": "user", "content": f"What is {17 + i} * {23 + 2 * i}? Explain."}])
            for i in range(batch)]
    params = SamplingParams(max_new_tokens=new_tokens, temperature=1.0, seed=0)
    pol.generate(reqs[:2], params.model_copy(update={"max_new_tokens": 8}))  # warm-up
    tokens, t0 = 0, time.perf_counter()
    for r in range(rounds):
        gens = pol.generate(reqs, params.model_copy(update={"seed": r}))
        errors = [g.error for g in gens if g.error]
        if errors:
            raise RuntimeError(f"generation failed: {errors[0]}")
        tokens += sum(len(g.token_ids) for g in gens)
    dt = time.perf_counter() - t0
    out = {"model": model, "batch": batch, "tokens": tokens, "seconds": round(dt, 2),
           "tok_per_s": round(tokens / dt, 1), "threads": torch.get_num_threads(), "cpus": os.cpu_count()}
    if backend == "hf":
        raw = _raw_generate_tok_per_s(pol, reqs, new_tokens, rounds)
        out.update(raw_generate_tok_per_s=raw, ratio_vs_raw=round(out["tok_per_s"] / raw, 2))
    return out


def _raw_generate_tok_per_s(pol, reqs: list[GenRequest], new_tokens: int, rounds: int) -> float:
    """The same batch through plain `model.generate(do_sample=True)`: the floor gymkit's sampler adds to."""
    ids = [pol.prompts.prompt_ids(r.messages) for r in reqs]
    width = max(map(len, ids))
    x = torch.full((len(ids), width), pol.pad_id, dtype=torch.long)
    mask = torch.zeros_like(x)
    for i, row in enumerate(ids):
        x[i, width - len(row):], mask[i, width - len(row):] = torch.tensor(row), 1
    tokens, t0 = 0, time.perf_counter()
    for _ in range(rounds):
        with torch.inference_mode():
            out = pol.model.generate(input_ids=x.to(pol.device), attention_mask=mask.to(pol.device),
                                     max_new_tokens=new_tokens, do_sample=True, temperature=1.0, top_k=0,
                                     pad_token_id=pol.pad_id, eos_token_id=sorted(pol.eos_ids))
        for row in out[:, width:].tolist():  # count up to and including the first eos, like Generation
            hit = next((k for k, t in enumerate(row) if t in pol.eos_ids), None)
            tokens += len(row) if hit is None else hit + 1
    return round(tokens / (time.perf_counter() - t0), 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2-135m")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dtype", default=None)
    ap.add_argument("--device", default=None)
    ap.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    a = ap.parse_args()
    print(measure(a.model, a.batch, a.new_tokens, a.rounds, dtype=a.dtype, device=a.device,
                  max_batch_size=a.batch, num_threads=a.threads))


if __name__ == "__main__":
    main()
