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
KLKind = Literal["k1", "k3", "low_var_kl", "k1_reward"]


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

    The *value* of each estimate is a KL(pi || ref) estimate; their *gradients* differ, and
    what a loss term optimises is its gradient:
    - k1 = log pi - log ref: unbiased value, but as a loss term its expected gradient is
      E_pi[grad log pi] = 0, so it regularises nothing. Use it as a reward (`k1_reward`).
    - k3 = exp(ref - pi) - (ref - pi) - 1: >= 0, low variance (Schulman). As a loss term its
      expected gradient is that of KL(ref || pi), the reverse direction (mass-covering).
    - low_var_kl: k3 clamped to [-10, 10] (verl's name), for rare tokens far from the reference.
    - k1_reward: the value is k1; `policy_loss` turns it into a reward-to-go term instead.
    """
    if kind in ("k1", "k1_reward"):
        return logprobs - ref_logprobs
    if kind in ("k3", "low_var_kl"):
        d = (ref_logprobs - logprobs).clamp(-20.0, 20.0)  # exp overflow guard on rare tokens
        k3 = torch.exp(d) - d - 1.0
        return k3.clamp(-10.0, 10.0) if kind == "low_var_kl" else k3
    raise ValueError(f"unknown KL estimator {kind!r}; choose k1, k3, low_var_kl or k1_reward")


def kl_reward_to_go(kl: Tensor, mask: Tensor) -> Tensor:
    """`(B, T)` -> `(B, T)`: the sum of per-token KL from each token to the end of its sequence.

    With the sequence's log-ratio as a (negative) reward, the score-function gradient of
    KL(pi || ref) is E[sum_t grad log pi_t * sum_{t' >= t} k1_t']: this is that return.
    """
    masked = kl * mask
    return masked.flip(-1).cumsum(-1).flip(-1)


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
    dual_clipped_tokens: float = 0.0  # negative-advantage tokens capped at -clip_ratio_c * A
    ratio_sum: float = 0.0
    ratio_max: float = 0.0  # a max, not a sum: combine micro-batches with max()
    kl_sum: float = 0.0
    tokens: float = 0.0


def policy_loss(logprobs: Tensor, old_logprobs: Tensor, advantages: Tensor, mask: Tensor, *,
                n_tokens: int, n_seqs: int, agg: AggMode = "token-mean",
                clip_low: float = 0.2, clip_high: float = 0.28, norm_len: int | None = None,
                ref_logprobs: Tensor | None = None, kl_coef: float = 0.0,
                kl_kind: KLKind = "k3", clip_ratio_c: float | None = 3.0
                ) -> tuple[Tensor, LossStats]:
    """Clipped-ratio policy-gradient loss for one micro-batch (PPO/GRPO/DAPO objective).

    `logprobs: (B, T)` from the model being trained (carries the graph), `old_logprobs: (B, T)`
    from the sampler, `advantages: (B,)` broadcast over tokens, `mask: (B, T)`.
    ratio r = exp(logprobs - old_logprobs); per token loss = -min(r*A, clip(r, 1-clip_low,
    1+clip_high)*A). clip_high > clip_low is DAPO's clip-higher: low-probability tokens with
    positive advantage can grow more before clipping, which keeps entropy from collapsing.

    Dual-clip (Ye et al. 2020): with A < 0 the clipped loss -r*A still grows without bound in
    r (a stale or off-policy token can have r in the hundreds); `clip_ratio_c` (> 1) caps it at
    -clip_ratio_c * A, so such a token stops pushing. None turns it off.

    With `kl_coef > 0` a KL term is added per token (see `kl_penalty` for what each kind's
    gradient optimises): k3 / low_var_kl as a loss term, or `k1_reward`, the sequence's
    reward-to-go of k1 as a score-function term (an unbiased gradient of KL(pi || ref)).
    k1 as a plain loss term has zero expected gradient and is refused.
    """
    mask = mask.to(logprobs.dtype)
    adv = advantages.to(logprobs.dtype).unsqueeze(-1)  # (B, 1)
    log_ratio = (logprobs - old_logprobs).clamp(-20.0, 20.0)
    ratio = torch.exp(log_ratio)
    clipped_ratio = ratio.clamp(1.0 - clip_low, 1.0 + clip_high)
    per_token = -torch.minimum(ratio * adv, clipped_ratio * adv)
    dual = torch.zeros_like(per_token, dtype=torch.bool)
    if clip_ratio_c is not None:
        if clip_ratio_c <= 1.0:
            raise ValueError(f"clip_ratio_c must be > 1, got {clip_ratio_c}")
        cap = -clip_ratio_c * adv  # > 0 where A < 0
        dual = (adv < 0) & (per_token > cap)
        per_token = torch.where(dual, cap.expand_as(per_token), per_token)
    stats = LossStats(tokens=float(mask.sum()))
    with torch.no_grad():
        was_clipped = (ratio * adv > clipped_ratio * adv).to(mask.dtype)
        stats.clipped_tokens = float((was_clipped * mask).sum())
        stats.dual_clipped_tokens = float((dual.to(mask.dtype) * mask).sum())
        stats.ratio_sum = float((ratio * mask).sum())
        stats.ratio_max = float((ratio * mask).max()) if mask.numel() else 0.0
    if kl_coef > 0.0:
        if ref_logprobs is None:
            raise ValueError("kl_coef > 0 needs ref_logprobs from a reference model")
        if kl_kind == "k1":
            raise ValueError("kl_kind k1 as a loss term has zero expected gradient; use k3, "
                             "low_var_kl or k1_reward")
        kl = kl_penalty(logprobs, ref_logprobs, kl_kind)
        if kl_kind == "k1_reward":
            togo = kl_reward_to_go(kl.detach(), mask)
            per_token = per_token + kl_coef * togo * ratio  # grad of ratio = ratio * grad log pi
        else:
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


def episode_overlong_penalty(turn_tokens: list[int], max_new_tokens: int, cache_len: int,
                             episode_budget: int | None = None) -> float:
    """The soft overlong penalty of one episode, in [-1, 0].

    Each turn is generated under its own `max_new_tokens` limit, so by default every turn is
    measured against it and the worst turn counts: a 3-turn tool episode whose turns all fit is
    not penalised for their sum. With `episode_budget`, the episode's total sampled tokens are
    measured against that budget instead (the ramp is `cache_len` tokens below it).
    """
    if not turn_tokens:
        return 0.0
    if episode_budget is not None:
        cache = min(cache_len, episode_budget)
        lengths, limit = torch.tensor([float(sum(turn_tokens))]), episode_budget
    else:
        cache = min(cache_len, max_new_tokens)
        lengths, limit = torch.tensor([float(n) for n in turn_tokens]), max_new_tokens
    return float(soft_overlong_penalty(lengths, limit, cache).min())


def overlong_keep_mask(truncated: Tensor) -> Tensor:
    """Overlong filtering: `(B,)` bool truncated -> `(B,)` float keep-weight (0 for truncated).

    A response cut at the token limit has no final answer, so its "wrong" reward is noise about
    length, not quality; masking it out of the loss (DAPO) avoids punishing good reasoning that
    merely ran long.
    """
    return (~truncated.bool()).float()
