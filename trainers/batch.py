"""From scored rollouts to training sequences: rewards, advantages, filters, padding.

Nothing here re-tokenises: a sequence is the rollout's `prompt_ids + completion_ids`, its
targets are `completion_ids`, its loss mask is the rollout's `loss_mask` (1 on generated
tokens only; tool results and user turns in multi-turn episodes are 0).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import torch
from torch import Tensor

from ..types import Rollout
from .advantages import (grpo_advantages, reinforce_pp_advantages, rloo_advantages,
                         zero_variance_groups)
from .config import GRPO, RLOO, LossConfig, ReinforcePP
from .losses import episode_overlong_penalty


@dataclass
class Sequence:
    """One rollout ready for the loss."""

    ids: list[int]  # prompt + completion, exactly as sampled
    n_prompt: int
    # the ratio's denominator, one per completion token: the sampler's logprobs, or the
    # trainer's own after `update.recompute_old_logprobs` (loss.old_logprobs = recompute)
    old_logprobs: list[float]
    mask: list[int]  # one per completion token
    advantage: float
    env: str
    # the sampler's logprobs, kept beside recomputed old_logprobs (recompute only; else None):
    # the loss measures and corrects sampler/trainer mismatch against them
    sampler_logprobs: list[float] | None = None


@dataclass
class Prepared:
    sequences: list[Sequence]
    rewards: list[float]  # shaped reward per rollout (same order as the rollouts)
    zero_variance: dict[str, list[bool]]  # per env: one flag per group
    dropped: dict[str, int]  # why rollouts were left out of the gradient -> count


def group_rollouts(rollouts: list[Rollout]) -> list[list[Rollout]]:
    """Rollouts grouped by task, in first-seen order."""
    groups: dict[str, list[Rollout]] = defaultdict(list)
    for r in rollouts:
        groups[r.task_id].append(r)
    return list(groups.values())


def trainable(r: Rollout) -> bool:
    """Scored, with generated tokens and one logprob per completion token."""
    return (r.scored and sum(r.loss_mask) > 0 and len(r.loss_mask) == len(r.completion_ids)
            and len(r.logprobs) == len(r.completion_ids))


def truncated(r: Rollout) -> bool:
    return r.status == "truncated" or r.finish_reason == "length"


def shaped_reward(r: Rollout, loss: LossConfig, max_new_tokens: int) -> float:
    """The env reward, plus DAPO's soft overlong penalty when it is on."""
    reward = r.reward
    if loss.overlong == "soft" and r.scored:
        turns = r.turn_tokens or [sum(r.loss_mask)]  # stored rollouts may predate turn_tokens
        reward += episode_overlong_penalty(turns, max_new_tokens, loss.overlong_cache,
                                           loss.overlong_episode_budget)
    return reward


def advantages(rewards: Tensor, valid: Tensor, algo: GRPO | RLOO | ReinforcePP) -> Tensor:
    """Dispatch on the algorithm config; `(n_groups, G)` in and out."""
    if isinstance(algo, GRPO):
        return grpo_advantages(rewards, valid, scale_std=algo.scale_std)
    if isinstance(algo, RLOO):
        return rloo_advantages(rewards, valid)
    return reinforce_pp_advantages(rewards, valid, group_baseline=algo.group_baseline)


def prepare(rollouts: list[Rollout], algo: GRPO | RLOO | ReinforcePP, loss: LossConfig,
            max_new_tokens: int) -> Prepared:
    """Shape rewards, compute advantages per group, and keep what may enter the gradient."""
    groups = group_rollouts(rollouts)
    g = max(len(grp) for grp in groups)
    rewards = torch.zeros(len(groups), g)
    valid = torch.zeros(len(groups), g, dtype=torch.bool)
    shaped: dict[int, float] = {}
    for i, grp in enumerate(groups):
        for j, r in enumerate(grp):
            shaped[id(r)] = rewards[i, j] = shaped_reward(r, loss, max_new_tokens)
            valid[i, j] = trainable(r)
            if loss.overlong == "filter" and truncated(r):
                valid[i, j] = False  # no answer: its reward is noise about length
    adv = advantages(rewards, valid, algo)
    zero = zero_variance_groups(rewards, valid)
    keep_sampler = loss.old_logprobs == "recompute"  # old_logprobs will be the trainer's
    out = Prepared([], [shaped[id(r)] for r in rollouts], defaultdict(list),
                   defaultdict(int))
    for i, grp in enumerate(groups):
        out.zero_variance[grp[0].env].append(bool(zero[i]))
        for j, r in enumerate(grp):
            if not r.scored:
                out.dropped[r.status] += 1
            elif not valid[i, j]:
                out.dropped["overlong" if truncated(r) else "no_tokens"] += 1
            elif loss.filter_zero_variance and zero[i]:
                out.dropped["zero_variance"] += 1
            else:
                out.sequences.append(Sequence(
                    ids=r.prompt_ids + r.completion_ids, n_prompt=len(r.prompt_ids),
                    old_logprobs=list(r.logprobs), mask=list(r.loss_mask),
                    advantage=float(adv[i, j]), env=r.env,
                    sampler_logprobs=list(r.logprobs) if keep_sampler else None))
    return out


@dataclass
class MicroBatch:
    input_ids: Tensor  # (B, L) right-padded
    attention_mask: Tensor  # (B, L)
    positions: Tensor  # (B, C) index into the kept logits that predicts each completion token
    targets: Tensor  # (B, C) completion token ids
    old_logprobs: Tensor  # (B, C)
    mask: Tensor  # (B, C) float
    advantages: Tensor  # (B,)
    keep: int  # logits_to_keep: the last `keep` positions cover every completion
    sampler_logprobs: Tensor | None = None  # (B, C) when the sequences carry them


def collate(seqs: list[Sequence], pad_id: int = 0) -> MicroBatch:
    """Right-pad a micro-batch (causal models ignore what comes after a token)."""
    B = len(seqs)
    L = max(len(s.ids) for s in seqs)
    C = max(len(s.ids) - s.n_prompt for s in seqs)
    keep = L - (min(s.n_prompt for s in seqs) - 1)
    ids = torch.full((B, L), pad_id, dtype=torch.long)
    attn = torch.zeros(B, L, dtype=torch.long)
    pos = torch.zeros(B, C, dtype=torch.long)
    tgt = torch.zeros(B, C, dtype=torch.long)
    old = torch.zeros(B, C)
    mask = torch.zeros(B, C)
    for i, s in enumerate(seqs):
        n, c = len(s.ids), len(s.ids) - s.n_prompt
        ids[i, :n] = torch.tensor(s.ids)
        attn[i, :n] = 1
        # logit at sequence position p predicts token p+1; kept logits start at L - keep
        pos[i, :c] = torch.arange(s.n_prompt - 1, n - 1) - (L - keep)
        tgt[i, :c] = torch.tensor(s.ids[s.n_prompt:])
        old[i, :c] = torch.tensor(s.old_logprobs, dtype=torch.float)
        mask[i, :c] = torch.tensor(s.mask, dtype=torch.float)
    adv = torch.tensor([s.advantage for s in seqs])
    return MicroBatch(ids, attn, pos, tgt, old, mask, adv, keep, _sampler_logprobs(seqs, C))


def _sampler_logprobs(seqs: list[Sequence], C: int) -> Tensor | None:
    """`(B, C)` sampler logprobs when every sequence carries them, None when none does."""
    kept = [s.sampler_logprobs for s in seqs]
    if all(k is None for k in kept):
        return None
    if any(k is None for k in kept):
        raise ValueError("some sequences carry sampler_logprobs and some do not; "
                         "a micro-batch needs all or none")
    out = torch.zeros(len(seqs), C)
    for i, k in enumerate(kept):
        out[i, :len(k)] = torch.tensor(k, dtype=torch.float)
    return out
