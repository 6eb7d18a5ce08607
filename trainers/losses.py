"""Policy-gradient losses: pure functions of token logprobs, advantages and masks.

Shapes: `B` sequences (a micro-batch), `T` completion positions (right-padded), `V` vocab.
`mask: (B, T)` is 1 on tokens the model generated (the rollout's `loss_mask`; tool results,
user turns and padding are 0). The trainer knows nothing of the algorithm: it calls
`policy_loss` per micro-batch and sums the results. Three policy terms: ppo (clipped token
ratio), gspo (clipped sequence ratio), cispo (clipped, detached token weight); any of them can
be re-weighted against the sampler's own logprobs (`mismatch_weights`: tis / mis).

Normalisation pitfall: every aggregation divides by counts of the WHOLE batch being stepped
(`n_tokens`, `n_seqs`), passed in by the caller. Dividing by a micro-batch's own counts makes
the gradient depend on how the batch was split (gradient accumulation would change the result;
verl, open-instruct and prime-rl all shipped this bug). With global counts, the sum of the
micro-batch losses equals the full-batch loss exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar, Literal

import torch
from torch import Tensor

AggMode = Literal["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"]
KLKind = Literal["k1", "k3", "low_var_kl", "k1_reward"]
PolicyKind = Literal["ppo", "gspo", "cispo"]
Correction = Literal["none", "tis", "mis"]


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
    """Sums over a micro-batch (the trainer adds them up, then divides by global counts).

    The fields named in `MAX_FIELDS` are maxima: `merge` (and the all-reduce across ranks)
    combines them with max, every other field with +.
    """

    MAX_FIELDS: ClassVar[tuple[str, ...]] = ("ratio_max", "mismatch_ratio_max")

    clipped_tokens: float = 0.0
    dual_clipped_tokens: float = 0.0  # negative-advantage tokens capped at -clip_ratio_c * A
    ratio_sum: float = 0.0
    ratio_max: float = 0.0  # a max, not a sum
    kl_sum: float = 0.0
    tokens: float = 0.0
    # sampler vs trainer old logprobs (only when both exist: loss.old_logprobs = recompute)
    mismatch_tokens: float = 0.0  # tokens that had both sets: the denominator of the below
    mismatch_kl_sum: float = 0.0  # k3 estimate of KL(sampler || trainer), summed over tokens
    mismatch_ratio_max: float = 0.0  # a max: largest weight exp(trainer_old - sampler)
    mismatch_truncated_tokens: float = 0.0  # weight > is_cap (what tis caps)
    mismatch_masked_tokens: float = 0.0  # weight outside [1/is_cap, is_cap] (what mis drops)

    def merge(self, other: "LossStats") -> "LossStats":
        """Add `other` into this one in place (max for the maxima); returns self."""
        for f in fields(self):
            a, b = float(getattr(self, f.name)), float(getattr(other, f.name))
            setattr(self, f.name, max(a, b) if f.name in self.MAX_FIELDS else a + b)
        return self


def ppo_token_loss(ratio: Tensor, adv: Tensor, clip_low: float, clip_high: float,
                   clip_ratio_c: float | None) -> tuple[Tensor, Tensor, Tensor]:
    """`-min(r*A, clip(r, 1-clip_low, 1+clip_high)*A)` per token, dual-clipped.

    `ratio: (B, T)`, `adv: (B, 1)` -> (per-token loss, clipped (bool), dual-clipped (bool)).
    """
    clipped_ratio = ratio.clamp(1.0 - clip_low, 1.0 + clip_high)
    per_token = -torch.minimum(ratio * adv, clipped_ratio * adv)
    dual = torch.zeros_like(per_token, dtype=torch.bool)
    if clip_ratio_c is not None:
        if clip_ratio_c <= 1.0:
            raise ValueError(f"clip_ratio_c must be > 1, got {clip_ratio_c}")
        cap = -clip_ratio_c * adv  # > 0 where A < 0
        dual = (adv < 0) & (per_token > cap)
        per_token = torch.where(dual, cap.expand_as(per_token), per_token)
    return per_token, (ratio * adv > clipped_ratio * adv).detach(), dual


def gspo_token_loss(log_ratio: Tensor, adv: Tensor, mask: Tensor, clip_low: float,
                    clip_high: float) -> tuple[Tensor, Tensor, Tensor]:
    """GSPO-token (Zheng et al. 2025): one importance ratio per sequence, gradient per token.

    s_i = exp(mean over the sequence's masked tokens of log_ratio): a geometric mean, so its
    size does not grow with length and one stale token cannot blow it up. Each token carries
    s_i,t = sg[s_i] * pi_t / sg[pi_t], whose value is s_i and whose gradient is s_i * grad log
    pi_t; loss -min(s_i,t * A, clip(s_i,t, 1-clip_low, 1+clip_high) * A). Clipping is therefore
    decided per sequence. Averaged per sequence (seq-mean-token-mean), the gradient is exactly
    sequence-level GSPO's. Returns (per-token loss, clipped (bool), s_i broadcast to (B, T)).
    """
    seq_log = (log_ratio * mask).sum(-1, keepdim=True) / mask.sum(-1, keepdim=True).clamp(min=1)
    s = torch.exp(seq_log.detach() + log_ratio - log_ratio.detach())
    clipped_s = s.clamp(1.0 - clip_low, 1.0 + clip_high)
    per_token = -torch.minimum(s * adv, clipped_s * adv)
    return per_token, (s * adv > clipped_s * adv).detach(), s.detach()


def cispo_token_loss(log_ratio: Tensor, logprobs: Tensor, adv: Tensor, clip_low: float | None,
                     clip_high: float) -> tuple[Tensor, Tensor]:
    """CISPO (MiniMax-M1): `-sg(clip(r, clip_low, clip_high)) * A * log pi` per token.

    The bounds are on the weight itself (5.0 caps r at 5), not epsilons. Unlike PPO's clip,
    which zeroes the gradient of a clipped token, a clipped token here keeps a gradient of
    -clip(r) * A * grad log pi: rare tokens that move fast ("wait", "however") still learn.
    Returns (per-token loss, clipped (bool)).
    """
    ratio = torch.exp(log_ratio.detach())
    weight = ratio.clamp(min=clip_low, max=clip_high)
    clipped = ratio > clip_high
    if clip_low is not None:
        clipped = clipped | (ratio < clip_low)
    return -weight * adv * logprobs, clipped


def mismatch_weights(old_logprobs: Tensor, sampler_logprobs: Tensor, mask: Tensor,
                     kind: Correction, cap: float) -> tuple[Tensor | None, LossStats]:
    """Sampler/trainer mismatch: the detached per-token weight w = exp(old - sampler).

    `old_logprobs` are the trainer's own (recomputed) logprobs of the sampled tokens, the ones
    the ratio is taken against; `sampler_logprobs` those of the engine that sampled them.
    - tis (truncated IS): weight min(w, cap).
    - mis (masked IS): weight w where 1/cap <= w <= cap, else 0: such a token leaves the loss.
    - none: no weight (None); the statistics are still measured.
    The mismatch_* fields of the returned stats (sums over masked tokens) are filled in.
    """
    if cap <= 1.0:
        raise ValueError(f"is_cap must be > 1, got {cap}")
    with torch.no_grad():
        w = torch.exp((old_logprobs - sampler_logprobs).clamp(-20.0, 20.0))
        over = w > cap
        outside = over | (w < 1.0 / cap)
        kl = kl_penalty(sampler_logprobs, old_logprobs, "k3")  # samples came from the sampler
        stats = LossStats(mismatch_tokens=float(mask.sum()),
                          mismatch_kl_sum=float((kl * mask).sum()),
                          mismatch_ratio_max=float((w * mask).max()) if mask.numel() else 0.0,
                          mismatch_truncated_tokens=float((over * mask).sum()),
                          mismatch_masked_tokens=float((outside * mask).sum()))
        if kind == "none":
            return None, stats
        if kind == "tis":
            return w.clamp(max=cap), stats
        if kind == "mis":
            return torch.where(outside, torch.zeros_like(w), w), stats
    raise ValueError(f"unknown is_correction {kind!r}; choose none, tis or mis")


def policy_loss(logprobs: Tensor, old_logprobs: Tensor, advantages: Tensor, mask: Tensor, *,
                n_tokens: int, n_seqs: int, agg: AggMode = "token-mean",
                clip_low: float = 0.2, clip_high: float = 0.28, norm_len: int | None = None,
                ref_logprobs: Tensor | None = None, kl_coef: float = 0.0,
                kl_kind: KLKind = "k3", clip_ratio_c: float | None = 3.0,
                policy: PolicyKind = "ppo", gspo_clip_low: float = 3e-4,
                gspo_clip_high: float = 4e-4, cispo_clip_low: float | None = None,
                cispo_clip_high: float = 5.0, sampler_logprobs: Tensor | None = None,
                is_correction: Correction = "none", is_cap: float = 2.0
                ) -> tuple[Tensor, LossStats]:
    """The policy-gradient loss for one micro-batch: ppo, gspo or cispo, then `agg`.

    `logprobs: (B, T)` from the model being trained (carries the graph), `old_logprobs: (B, T)`
    the ratio's denominator (the sampler's, or the trainer's recomputed ones), `advantages:
    (B,)` broadcast over tokens, `mask: (B, T)`.

    - ppo: ratio r = exp(logprobs - old_logprobs); per token -min(r*A, clip(r, 1-clip_low,
      1+clip_high)*A). clip_high > clip_low is DAPO's clip-higher: low-probability tokens
      with positive advantage can grow more before clipping, which keeps entropy up.
      Dual-clip (Ye et al. 2020): with A < 0 the clipped loss -r*A still grows without bound
      in r (a stale token can have r in the hundreds); `clip_ratio_c` (> 1) caps it at
      -clip_ratio_c * A. None turns it off.
    - gspo: `gspo_token_loss` with `gspo_clip_low/high`. Its paper objective is
      agg=seq-mean-token-mean (the trainer always uses that for gspo).
    - cispo: `cispo_token_loss` with `cispo_clip_low/high`; the loss value is -w*A*log pi,
      not on the scale of ppo's.
    `clip_ratio_c` applies to ppo only: gspo's ratio is a geometric mean over the sequence,
    and cispo's weight is already capped and carries no gradient.

    With `sampler_logprobs`, `mismatch_weights` measures sampler/trainer mismatch and, with
    `is_correction` tis or mis, multiplies the policy term of each token by its weight.

    With `kl_coef > 0` a KL term is added per token (see `kl_penalty` for what each kind's
    gradient optimises): k3 / low_var_kl as a loss term, or `k1_reward`, the sequence's
    reward-to-go of k1 as a score-function term (an unbiased gradient of KL(pi || ref)).
    k1 as a plain loss term has zero expected gradient and is refused.
    """
    mask = mask.to(logprobs.dtype)
    adv = advantages.to(logprobs.dtype).unsqueeze(-1)  # (B, 1)
    log_ratio = (logprobs - old_logprobs).clamp(-20.0, 20.0)
    ratio = torch.exp(log_ratio)
    shown_ratio = ratio  # the ratio the policy term uses, for the statistics
    dual = torch.zeros_like(ratio, dtype=torch.bool)
    if policy == "ppo":
        per_token, clipped, dual = ppo_token_loss(ratio, adv, clip_low, clip_high, clip_ratio_c)
    elif policy == "gspo":
        per_token, clipped, shown_ratio = gspo_token_loss(log_ratio, adv, mask, gspo_clip_low,
                                                          gspo_clip_high)
    elif policy == "cispo":
        per_token, clipped = cispo_token_loss(log_ratio, logprobs, adv, cispo_clip_low,
                                              cispo_clip_high)
    else:
        raise ValueError(f"unknown policy loss {policy!r}; choose ppo, gspo or cispo")
    stats = LossStats(tokens=float(mask.sum()))
    if sampler_logprobs is not None:
        weight, mismatch = mismatch_weights(old_logprobs, sampler_logprobs.to(logprobs.dtype),
                                            mask, is_correction, is_cap)
        stats.merge(mismatch)
        if weight is not None:
            per_token = per_token * weight
    elif is_correction != "none":
        raise ValueError(f"is_correction {is_correction!r} needs sampler_logprobs "
                         "(loss.old_logprobs: recompute keeps them)")
    with torch.no_grad():
        stats.clipped_tokens = float((clipped.to(mask.dtype) * mask).sum())
        stats.dual_clipped_tokens = float((dual.to(mask.dtype) * mask).sum())
        stats.ratio_sum = float((shown_ratio * mask).sum())
        stats.ratio_max = float((shown_ratio * mask).max()) if mask.numel() else 0.0
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
