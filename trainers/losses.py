"""Policy-gradient losses: pure functions of token logprobs, advantages and masks.

Shapes: `B` sequences (a micro-batch), `T` completion positions (right-padded), `V` vocab.
`mask: (B, T)` is 1 on tokens the model generated (the rollout's `loss_mask`; tool results,
user turns and padding are 0). The trainer knows nothing of the algorithm: it calls
`policy_loss` per micro-batch and sums the results.

Normalisation pitfall: every aggregation divides by counts of the WHOLE batch being stepped
(`n_tokens`, `n_seqs`), passed in by the caller. Dividing by a micro-batch's own counts makes
the gradient depend on how the batch was split (gradient accumulation would change the result;
verl, open-instruct and prime-rl all shipped this bug). With global counts, the sum of the
micro-batch losses equals the full-batch loss exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor

AggMode = Literal["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"]
KLKind = Literal["k1", "k3"]


def token_logprobs(logits: Tensor, targets: Tensor) -> Tensor:
    """`logits: (B, T, V)`, `targets: (B, T)` -> `(B, T)` log p(target) in float32.

    Uses logsumexp on the gathered logit instead of a full log_softmax: one (B, T, V) float32
    copy instead of two, which is what fits a 150k-token vocabulary in memory.
    """
    logits = logits.float()
    picked = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return picked - torch.logsumexp(logits, dim=-1)


def kl_penalty(logprobs: Tensor, ref_logprobs: Tensor, kind: KLKind = "k3") -> Tensor:
    """Per-token estimate of KL(pi || ref) from samples of pi; `(B, T)` -> `(B, T)`.

    k1 = log pi - log ref: unbiased but high-variance and can be negative per token.
    k3 = exp(ref - pi) - (ref - pi) - 1: unbiased, always >= 0, lower variance (Schulman).
    """
    if kind == "k1":
        return logprobs - ref_logprobs
    if kind == "k3":
        d = (ref_logprobs - logprobs).clamp(-20.0, 20.0)  # exp overflow guard on rare tokens
        return torch.exp(d) - d - 1.0
    raise ValueError(f"unknown KL estimator {kind!r}; choose k1 or k3")


def aggregate(values: Tensor, mask: Tensor, mode: AggMode, *, n_tokens: int, n_seqs: int,
              norm_len: int | None = None) -> Tensor:
    """Reduce per-token `values: (B, T)` to a scalar with GLOBAL counts of the stepped batch.

    - token-mean: sum over all tokens / n_tokens. Every token weighs the same; long answers
      carry proportionally more weight (DAPO's choice).
    - seq-mean-token-mean: mean over each sequence's tokens, then sum / n_seqs (the original
      GRPO). Pitfall: a token in a short answer weighs more than one in a long answer, so wrong
      long answers are under-penalised and responses drift longer (Dr.GRPO's length bias).
    - seq-mean-token-sum-norm: token sum / (n_seqs * norm_len) with a constant norm_len
      (Dr.GRPO). Unbiased in length, but the loss scale depends on the chosen norm_len.
    """
    mask = mask.to(values.dtype)
    if mode == "token-mean":
        return (values * mask).sum() / max(n_tokens, 1)
    if mode == "seq-mean-token-mean":
        per_seq = (values * mask).sum(-1) / mask.sum(-1).clamp(min=1)
        return per_seq.sum() / max(n_seqs, 1)
    if mode == "seq-mean-token-sum-norm":
        if not norm_len:
            raise ValueError("seq-mean-token-sum-norm needs norm_len (e.g. max_new_tokens)")
        return (values * mask).sum() / (max(n_seqs, 1) * norm_len)
    raise ValueError(f"unknown loss aggregation {mode!r}; choose token-mean, "
                     "seq-mean-token-mean or seq-mean-token-sum-norm")


@dataclass
class LossStats:
    """Sums over a micro-batch (the trainer adds them up, then divides by global counts)."""

    clipped_tokens: float = 0.0
    ratio_sum: float = 0.0
    kl_sum: float = 0.0
    tokens: float = 0.0


def policy_loss(logprobs: Tensor, old_logprobs: Tensor, advantages: Tensor, mask: Tensor, *,
                n_tokens: int, n_seqs: int, agg: AggMode = "token-mean",
                clip_low: float = 0.2, clip_high: float = 0.28, norm_len: int | None = None,
                ref_logprobs: Tensor | None = None, kl_coef: float = 0.0,
                kl_kind: KLKind = "k3") -> tuple[Tensor, LossStats]:
    """Clipped-ratio policy-gradient loss for one micro-batch (PPO/GRPO/DAPO objective).

    `logprobs: (B, T)` from the model being trained (carries the graph), `old_logprobs: (B, T)`
    from the sampler, `advantages: (B,)` broadcast over tokens, `mask: (B, T)`.
    ratio r = exp(logprobs - old_logprobs); per token loss = -min(r*A, clip(r, 1-clip_low,
    1+clip_high)*A). clip_high > clip_low is DAPO's clip-higher: low-probability tokens with
    positive advantage can grow more before clipping, which keeps entropy from collapsing.
    With `kl_coef > 0`, `kl_coef * KL_kind(pi || ref)` is added per token.
    """
    mask = mask.to(logprobs.dtype)
    adv = advantages.to(logprobs.dtype).unsqueeze(-1)  # (B, 1)
    log_ratio = (logprobs - old_logprobs).clamp(-20.0, 20.0)
    ratio = torch.exp(log_ratio)
    clipped_ratio = ratio.clamp(1.0 - clip_low, 1.0 + clip_high)
    per_token = -torch.minimum(ratio * adv, clipped_ratio * adv)
    stats = LossStats(tokens=float(mask.sum()))
    with torch.no_grad():
        was_clipped = (ratio * adv > clipped_ratio * adv).to(mask.dtype)
        stats.clipped_tokens = float((was_clipped * mask).sum())
        stats.ratio_sum = float((ratio * mask).sum())
    if kl_coef > 0.0:
        if ref_logprobs is None:
            raise ValueError("kl_coef > 0 needs ref_logprobs from a reference model")
        kl = kl_penalty(logprobs, ref_logprobs, kl_kind)
        per_token = per_token + kl_coef * kl
        stats.kl_sum = float((kl.detach() * mask).sum())
    loss = aggregate(per_token, mask, agg, n_tokens=n_tokens, n_seqs=n_seqs, norm_len=norm_len)
    return loss, stats


def soft_overlong_penalty(lengths: Tensor, max_len: int, cache_len: int) -> Tensor:
    """DAPO's soft overlong punishment, added to the reward; `lengths: (B,)` -> `(B,)` <= 0.

    0 up to `max_len - cache_len` tokens, then falls linearly to -1 at `max_len`, and stays -1
    beyond. Graded, so the model learns "shorter" rather than a cliff at the limit.
    """
    if not 0 < cache_len <= max_len:
        raise ValueError(f"need 0 < cache_len <= max_len, got {cache_len=} {max_len=}")
    start = max_len - cache_len
    pen = (start - lengths.float()) / cache_len
    return pen.clamp(min=-1.0, max=0.0)


def overlong_keep_mask(truncated: Tensor) -> Tensor:
    """Overlong filtering: `(B,)` bool truncated -> `(B,)` float keep-weight (0 for truncated).

    A response cut at the token limit has no final answer, so its "wrong" reward is noise about
    length, not quality; masking it out of the loss (DAPO) avoids punishing good reasoning that
    merely ran long.
    """
    return (~truncated.bool()).float()
