"""One policy update: micro-batched forward/backward on exact sampler tokens, then a step.

The update does not know the algorithm: advantages arrive on the sequences, the loss is
`losses.policy_loss`. Counts for normalisation are those of the whole mini-batch, so the
gradient is the same for any `micro_batch_size` (tests/test_losses.py checks it).
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import torch
from torch import Tensor

from .batch import MicroBatch, Sequence, collate
from .config import TrainConfig
from .losses import LossStats, policy_loss, token_logprobs


def sequence_logprobs(model: torch.nn.Module, mb: MicroBatch, temperature: float) -> Tensor:
    """`(B, C)` log-probabilities of the completion tokens under `model`.

    Logits are divided by the sampling temperature: the sampler drew from softmax(z / T), so
    that is the distribution whose ratio to the sampler's logprobs the loss needs.
    """
    out = model(input_ids=mb.input_ids, attention_mask=mb.attention_mask,
                logits_to_keep=mb.keep, use_cache=False)
    logits = out.logits  # (B, keep, V)
    if temperature > 0 and temperature != 1.0:
        logits = logits / temperature
    idx = mb.positions.unsqueeze(-1).expand(-1, -1, logits.shape[-1])
    return token_logprobs(logits.gather(1, idx), mb.targets)


def _chunks(seqs: list[Sequence], size: int) -> Iterator[list[Sequence]]:
    for i in range(0, len(seqs), size):
        yield seqs[i:i + size]


def _to(mb: MicroBatch, device: torch.device) -> MicroBatch:
    return MicroBatch(*(getattr(mb, f).to(device) if isinstance(getattr(mb, f), Tensor)
                        else getattr(mb, f) for f in MicroBatch.__dataclass_fields__))


def _autocast(cfg: TrainConfig, device: torch.device):
    # bf16 compute with fp32 master weights: bf16 *weights* would round lr~1e-6 updates to 0
    if cfg.trainer.bf16:
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


@torch.no_grad()
def recompute_old_logprobs(model, seqs: list[Sequence], cfg: TrainConfig, pad_id: int) -> None:
    """Replace the sampler logprobs by the trainer's own (loss.old_logprobs = recompute)."""
    device = next(model.parameters()).device
    for chunk in _chunks(seqs, cfg.trainer.micro_batch_size):
        mb = _to(collate(chunk, pad_id), device)
        with _autocast(cfg, device):
            lp = sequence_logprobs(model, mb, cfg.rollout.sampling.temperature).float().cpu()
        for s, row in zip(chunk, lp):
            s.old_logprobs = row[:len(s.mask)].tolist()


def policy_update(model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                  seqs: list[Sequence], cfg: TrainConfig, pad_id: int = 0,
                  ref_model: torch.nn.Module | None = None) -> dict[str, float]:
    """`trainer.mini_batches` optimizer steps over `seqs`; returns loss/grad/clip metrics."""
    device = next(model.parameters()).device
    temp = cfg.rollout.sampling.temperature
    loss_cfg = cfg.loss
    model.train()
    totals = {"loss": 0.0, "grad_norm": 0.0}
    stats = LossStats()
    n_mini = min(cfg.trainer.mini_batches, len(seqs))
    for mini in (seqs[i::n_mini] for i in range(n_mini)):
        n_tokens = sum(sum(s.mask) for s in mini)
        optimizer.zero_grad(set_to_none=True)
        for chunk in _chunks(mini, cfg.trainer.micro_batch_size):
            mb = _to(collate(chunk, pad_id), device)
            with _autocast(cfg, device):
                lp = sequence_logprobs(model, mb, temp)
                ref = None
                if loss_cfg.kl_coef > 0 and ref_model is not None:
                    with torch.no_grad(), _reference(model, ref_model) as rm:
                        ref = sequence_logprobs(rm, mb, temp)
            loss, st = policy_loss(
                lp, mb.old_logprobs, mb.advantages, mb.mask, n_tokens=n_tokens,
                n_seqs=len(mini), agg=loss_cfg.agg, clip_low=loss_cfg.clip_low,
                clip_high=loss_cfg.clip_high, norm_len=cfg.rollout.sampling.max_new_tokens,
                ref_logprobs=ref, kl_coef=loss_cfg.kl_coef, kl_kind=loss_cfg.kl_kind)
            loss.backward()
            totals["loss"] += float(loss.detach()) / n_mini
            for f in ("clipped_tokens", "ratio_sum", "kl_sum", "tokens"):
                setattr(stats, f, getattr(stats, f) + getattr(st, f))
        params = [p for p in model.parameters() if p.requires_grad]
        norm = torch.nn.utils.clip_grad_norm_(params, cfg.trainer.max_grad_norm)
        totals["grad_norm"] += float(norm) / n_mini
        if math.isfinite(float(norm)):  # a non-finite gradient would poison the weights
            optimizer.step()
        scheduler.step()
    model.eval()
    n = max(stats.tokens, 1.0)
    return {**totals, "clip_frac": stats.clipped_tokens / n, "ratio_mean": stats.ratio_sum / n,
            "kl": stats.kl_sum / n, "lr": scheduler.get_last_lr()[0]}


@contextlib.contextmanager
def _reference(model: torch.nn.Module, ref_model: torch.nn.Module):
    """The frozen reference: LoRA runs the base model with adapters off, else a frozen copy."""
    if ref_model is model and hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            yield model
    else:
        yield ref_model
