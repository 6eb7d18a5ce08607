"""One policy update: micro-batched forward/backward on exact sampler tokens, then a step.

The update does not know the algorithm: advantages arrive on the sequences, the loss is
`losses.policy_loss`. Counts for normalisation are those of the whole mini-batch, so the
gradient is the same for any `micro_batch_size` (tests/test_losses.py checks it).

The same functions run in the driver (world size 0) and on every rank of a `TrainGroup`:
a rank holds only its share of each mini-batch, so token and sequence counts, the number of
micro-batches and the logged statistics are all-reduced (`_reduce` is the identity when
torch.distributed is not initialised). N ranks thus take the step one process takes on the
whole batch.
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor
from torch.utils.checkpoint import checkpoint

from gymkit.trainers.batch import MicroBatch, Sequence, collate
from gymkit.trainers.config import TrainConfig
from gymkit.trainers.losses import LossStats, policy_loss, token_logprobs
from gymkit.trainers.metrics import loss_metrics


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
    return chunked_token_logprobs(logits.gather(1, idx), mb.targets)


LOGPROB_CHUNK = 512  # completion positions per fp32 log-softmax chunk


def chunked_token_logprobs(logits: Tensor, targets: Tensor, chunk: int = LOGPROB_CHUNK) -> Tensor:
    """`token_logprobs` over `chunk` positions at a time, each recomputed in backward: the
    fp32 copy of a (B, C, V) logits tensor (10 GB at 2 x 9k x 131k) never exists whole."""
    if logits.shape[1] <= chunk:
        return token_logprobs(logits, targets)

    def run(lg: Tensor, tg: Tensor) -> Tensor:  # backward recomputes the chunk's fp32 copy
        if torch.is_grad_enabled():
            return checkpoint(token_logprobs, lg, tg, use_reentrant=False)
        return token_logprobs(lg, tg)

    return torch.cat([run(logits[:, i:i + chunk], targets[:, i:i + chunk])
                      for i in range(0, logits.shape[1], chunk)], dim=1)


# ---------------------------------------------------------------- counts across ranks
def world() -> int:
    return dist.get_world_size() if dist.is_initialized() else 1


def _reduce(values: list[float], op: str, device: torch.device) -> list[float]:
    """All-reduce a few numbers (identity in a single process). float64: counts stay exact."""
    if not dist.is_initialized():
        return values
    dev = device if dist.get_backend() == "nccl" else torch.device("cpu")
    t = torch.tensor(values, dtype=torch.float64, device=dev)
    dist.all_reduce(t, op=dist.ReduceOp.SUM if op == "sum" else dist.ReduceOp.MAX)
    return t.tolist()


def shard_mini_batches(seqs: list[Sequence], n_mini: int,
                       ranks: int) -> list[list[list[Sequence]]]:
    """`[rank][mini]` shares of the batch: mini-batch i is `seqs[i::n_mini]` (as in one process),
    dealt round-robin over the ranks. Every rank gets `n_mini` lists, some maybe empty."""
    n_mini = max(1, min(n_mini, len(seqs)))
    minis = [seqs[i::n_mini] for i in range(n_mini)]
    return [[m[r::ranks] for m in minis] for r in range(ranks)]


def _padding(pad_id: int) -> Sequence:
    # a zero-weight micro-batch: keeps a rank with fewer sequences in step with the others'
    # FSDP all-gathers and reduce-scatters, and adds exactly 0 to the gradient
    return Sequence(ids=[pad_id, pad_id], n_prompt=1, old_logprobs=[0.0], mask=[0],
                    advantage=0.0, env="", sampler_logprobs=[0.0])


def micro_batches(seqs: list[Sequence], size: int, tokens: int | None) -> list[list[Sequence]]:
    """Cut one rank's share of a mini-batch: `size` sequences at a time, or with a token
    budget, longest first, as many as keep `count x longest <= tokens` (length bucketing: short
    answers are not padded to the longest of the batch). The split never changes the
    gradient (the loss uses the mini-batch's global counts), only memory and speed."""
    if tokens is None:
        return [seqs[i:i + size] for i in range(0, len(seqs), size)]
    out: list[list[Sequence]] = []
    cur: list[Sequence] = []
    for s in sorted(seqs, key=lambda s: len(s.ids), reverse=True):
        longest = len(cur[0].ids) if cur else len(s.ids)
        if cur and (len(cur) + 1 > size or (len(cur) + 1) * longest > tokens):
            out.append(cur)
            cur = []
        cur.append(s)
    return out + [cur] if cur else out


def _padded(chunks: list[list[Sequence]], n: int, pad_id: int) -> Iterator[list[Sequence]]:
    """Exactly `n` micro-batches; the missing ones are zero-weight padding."""
    for i in range(n):
        yield chunks[i] if i < len(chunks) else [_padding(pad_id)]


def _device(model: torch.nn.Module) -> torch.device:
    return next(model.parameters()).device


def _to(mb: MicroBatch, device: torch.device) -> MicroBatch:
    return MicroBatch(*(getattr(mb, f).to(device) if isinstance(getattr(mb, f), Tensor)
                        else getattr(mb, f) for f in MicroBatch.__dataclass_fields__))


def _autocast(cfg: TrainConfig, device: torch.device):
    # bf16 compute with fp32 master weights: bf16 *weights* would round lr~1e-6 updates to 0
    if cfg.trainer.bf16:
        return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def loss_options(cfg: TrainConfig) -> dict[str, Any]:
    """The loss config as `policy_loss` keyword arguments (counts are added per mini-batch).

    gspo always averages per sequence (its paper's objective): `loss.agg` does not apply.
    """
    lc = cfg.loss
    return {"agg": "seq-mean-token-mean" if lc.policy == "gspo" else lc.agg,
            "clip_low": lc.clip_low, "clip_high": lc.clip_high,
            "norm_len": cfg.rollout.sampling.max_new_tokens, "kl_coef": lc.kl_coef,
            "kl_kind": lc.kl_kind, "clip_ratio_c": lc.clip_ratio_c, "policy": lc.policy,
            "gspo_clip_low": lc.gspo_clip_low, "gspo_clip_high": lc.gspo_clip_high,
            "cispo_clip_low": lc.cispo_clip_low, "cispo_clip_high": lc.cispo_clip_high,
            "is_correction": lc.is_correction, "is_cap": lc.is_cap}


@torch.no_grad()
def recompute_old_logprobs(model, seqs: list[Sequence], cfg: TrainConfig, pad_id: int) -> None:
    """Replace the ratio's denominator by the trainer's own logprobs (loss.old_logprobs =
    recompute). The sampler's stay in `sampler_logprobs` (set by `batch.prepare`, or here)
    for the mismatch metrics and the tis / mis correction."""
    device = _device(model)
    chunks = micro_batches(seqs, cfg.trainer.micro_batch_size, cfg.trainer.micro_batch_tokens)
    n = int(_reduce([len(chunks)], "max", device)[0])
    for chunk in _padded(chunks, n, pad_id):
        mb = _to(collate(chunk, pad_id), device)
        with _autocast(cfg, device):
            lp = sequence_logprobs(model, mb, cfg.rollout.sampling.temperature).float().cpu()
        for s, row in zip(chunk, lp):
            if s.sampler_logprobs is None:
                s.sampler_logprobs = s.old_logprobs
            s.old_logprobs = row[:len(s.mask)].tolist()


def policy_update(model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                  seqs: list[Sequence], cfg: TrainConfig, pad_id: int = 0,
                  ref_model: torch.nn.Module | None = None) -> dict[str, float]:
    """`trainer.mini_batches` optimizer steps over `seqs` (the whole batch, one process)."""
    minis = shard_mini_batches(seqs, cfg.trainer.mini_batches, 1)[0]
    return rank_update(model, optimizer, scheduler, minis, cfg, pad_id, ref_model)


def rank_update(model: torch.nn.Module, optimizer: torch.optim.Optimizer, scheduler: Any,
                minis: list[list[Sequence]], cfg: TrainConfig, pad_id: int = 0,
                ref_model: torch.nn.Module | None = None) -> dict[str, float]:
    """One rank's part of the update: `minis[i]` is this rank's share of mini-batch i.

    Counts are global (all-reduced), every rank runs the same number of micro-batches, and
    the loss is scaled by the world size because FSDP averages gradients over ranks while the
    loss is already normalised by the global counts. Returns loss/grad/clip metrics.
    """
    device = _device(model)
    temp, size, ranks = cfg.rollout.sampling.temperature, cfg.trainer.micro_batch_size, world()
    options = loss_options(cfg)
    model.train()
    totals = {"loss": 0.0, "grad_norm": 0.0}
    stats = LossStats()
    n_mini = int(_reduce([len(minis)], "max", device)[0])
    for i in range(n_mini):
        mini = minis[i] if i < len(minis) else []
        n_tokens, n_seqs = _reduce([sum(sum(s.mask) for s in mini), len(mini)], "sum", device)
        chunks = micro_batches(mini, size, cfg.trainer.micro_batch_tokens)
        n_chunks = int(_reduce([len(chunks)], "max", device)[0])
        optimizer.zero_grad(set_to_none=True)
        for chunk in _padded(chunks, n_chunks, pad_id):
            mb = _to(collate(chunk, pad_id), device)
            with _autocast(cfg, device):
                lp = sequence_logprobs(model, mb, temp)
                ref = None
                if cfg.loss.kl_coef > 0 and ref_model is not None:
                    with torch.no_grad(), _reference(model, ref_model) as rm:
                        ref = sequence_logprobs(rm, mb, temp)
            loss, st = policy_loss(lp, mb.old_logprobs, mb.advantages, mb.mask,
                                   n_tokens=int(n_tokens), n_seqs=int(n_seqs),
                                   ref_logprobs=ref, sampler_logprobs=mb.sampler_logprobs,
                                   **options)
            (loss * ranks).backward()
            totals["loss"] += float(loss.detach()) / n_mini
            stats.merge(st)
        params = [p for p in model.parameters() if p.requires_grad]
        norm = torch.nn.utils.clip_grad_norm_(params, cfg.trainer.max_grad_norm)
        if hasattr(norm, "full_tensor"):  # a DTensor under FSDP: the global norm
            norm = norm.full_tensor()
        totals["grad_norm"] += float(norm) / n_mini
        if math.isfinite(float(norm)):  # a non-finite gradient would poison the weights
            optimizer.step()
        scheduler.step()
    model.eval()
    names = [f.name for f in dataclasses.fields(LossStats) if f.name not in LossStats.MAX_FIELDS]
    summed = _reduce([totals["loss"]] + [getattr(stats, k) for k in names], "sum", device)
    totals["loss"] = summed[0]
    maxima = _reduce([getattr(stats, k) for k in LossStats.MAX_FIELDS], "max", device)
    stats = LossStats(**dict(zip(names, summed[1:])), **dict(zip(LossStats.MAX_FIELDS, maxima)))
    return {**totals, **loss_metrics(stats), "lr": scheduler.get_last_lr()[0]}


@contextlib.contextmanager
def _reference(model: torch.nn.Module, ref_model: torch.nn.Module):
    """The frozen reference: LoRA runs the base model with adapters off, else a frozen copy."""
    if ref_model is model and hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            yield model
    else:
        yield ref_model
