"""Advantage estimators: pure functions from per-rollout rewards to per-rollout advantages.

Shapes: a batch is laid out as groups of samples of the same prompt,
`rewards: (n_groups, G)` and `valid: (n_groups, G)` (bool). `valid` is False for rollouts that
must not steer the update: an `error` or `timeout` (its reward says nothing about the answer)
or padding where a group came back smaller. Invalid entries are ignored by every statistic and
get advantage 0. The trainer broadcasts a sequence's advantage to each of its tokens.

Pitfalls, next to the options they concern:
- `scale_std=True` (GRPO) divides by the group std. Groups that are nearly all right or all
  wrong have a small std, so their few informative samples get huge advantages: updates are
  biased towards very easy and very hard questions (Dr.GRPO, Liu et al. 2025). `scale_std=False`
  removes that bias; REINFORCE++ instead normalises by the *batch* std, which is stable.
- A group whose valid rewards are all equal has zero advantage under every group baseline. It
  still counts in token-mean denominators and dilutes the step; `zero_variance_groups` finds
  them so the trainer can drop them (and report their share, a key health metric).
"""
from __future__ import annotations

import torch
from torch import Tensor

EPS = 1e-6


def _check(rewards: Tensor, valid: Tensor | None) -> Tensor:
    if rewards.dim() != 2:
        raise ValueError(f"rewards must be (n_groups, G), got shape {tuple(rewards.shape)}")
    if valid is None:
        return torch.ones_like(rewards, dtype=torch.bool)
    if valid.shape != rewards.shape:
        raise ValueError(f"valid {tuple(valid.shape)} and rewards {tuple(rewards.shape)} differ")
    return valid.bool()


def _group_moments(rewards: Tensor, valid: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Per-group (count, mean, unbiased std) over valid entries; each `(n_groups, 1)`."""
    v = valid.to(rewards.dtype)
    n = v.sum(-1, keepdim=True)
    mean = (rewards * v).sum(-1, keepdim=True) / n.clamp(min=1)
    var = (((rewards - mean) * v) ** 2).sum(-1, keepdim=True) / (n - 1).clamp(min=1)
    return n, mean, var.sqrt()


def grpo_advantages(rewards: Tensor, valid: Tensor | None = None, *, scale_std: bool = True,
                    eps: float = EPS) -> Tensor:
    """GRPO: `A_i = (r_i - mean(group)) / (std(group) + eps)`, or `r_i - mean` with scale_std off.

    std is the unbiased (n-1) group std, as in DeepSeekMath. `rewards, valid: (n_groups, G)`;
    returns `(n_groups, G)`, 0 where invalid and in groups with fewer than 2 valid samples.
    """
    valid = _check(rewards, valid)
    n, mean, std = _group_moments(rewards, valid)
    adv = rewards - mean
    if scale_std:
        adv = adv / (std + eps)
    return torch.where(valid & (n >= 2), adv, torch.zeros_like(adv))


def rloo_advantages(rewards: Tensor, valid: Tensor | None = None) -> Tensor:
    """REINFORCE leave-one-out: `A_i = r_i - mean_{j != i} r_j` over the group's valid samples.

    An unbiased baseline (it excludes the sample itself), equal to `n/(n-1) * (r_i - mean)`.
    `rewards, valid: (n_groups, G)` -> `(n_groups, G)`; groups with < 2 valid samples get 0.
    """
    valid = _check(rewards, valid)
    v = valid.to(rewards.dtype)
    n = v.sum(-1, keepdim=True)
    total = (rewards * v).sum(-1, keepdim=True)
    baseline = (total - rewards) / (n - 1).clamp(min=1)
    adv = rewards - baseline
    return torch.where(valid & (n >= 2), adv, torch.zeros_like(adv))


def reinforce_pp_advantages(rewards: Tensor, valid: Tensor | None = None, *,
                            group_baseline: bool = True, eps: float = EPS) -> Tensor:
    """REINFORCE++: advantages whitened over the whole batch (mean 0, std 1 over valid entries).

    With `group_baseline` (the "REINFORCE++-baseline" variant for verifiable rewards), the group
    mean is subtracted first, then the batch std divides. Batch statistics are far less noisy
    than a G-sample group std. `rewards, valid: (n_groups, G)` -> `(n_groups, G)`.
    """
    valid = _check(rewards, valid)
    x = rewards
    if group_baseline:
        n, mean, _ = _group_moments(rewards, valid)
        x = torch.where(n >= 2, rewards - mean, torch.zeros_like(rewards))
    flat = x[valid]
    if flat.numel() < 2:
        return torch.zeros_like(rewards)
    adv = (x - flat.mean()) / (flat.std() + eps)
    return torch.where(valid, adv, torch.zeros_like(adv))


def zero_variance_groups(rewards: Tensor, valid: Tensor | None = None, tol: float = 1e-8) -> Tensor:
    """`(n_groups,)` bool: True where the group's valid rewards are all equal (no signal).

    A group with fewer than 2 valid samples has no signal either and is flagged too.
    """
    valid = _check(rewards, valid)
    big, small = torch.finfo(rewards.dtype).max, torch.finfo(rewards.dtype).min
    hi = torch.where(valid, rewards, torch.full_like(rewards, small)).amax(-1)
    lo = torch.where(valid, rewards, torch.full_like(rewards, big)).amin(-1)
    return ((hi - lo) <= tol) | (valid.sum(-1) < 2)


ESTIMATORS = {"grpo": grpo_advantages, "rloo": rloo_advantages,
              "reinforce_pp": reinforce_pp_advantages}
