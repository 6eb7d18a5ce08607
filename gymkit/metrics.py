"""Evaluation metrics per env: reward, pass@k, maj@k, error and timeout rates, tokens, latency.

Rates are over all rollouts; reward and pass/maj figures are over *scored* rollouts only
(status error/timeout say nothing about the answer). A task with no scored sample is left
out of pass@k and counted in the error/timeout rates, which always sit next to them. When
no rollout of an env was scored, its reward and pass/maj figures are None (shown "n/a"), never
a 0 that would read as a model that answered everything wrong.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from math import comb
from statistics import mean

from .types import Rollout


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k from n samples with c correct (Chen et al., 2021)."""
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def answer_key(r: Rollout) -> str:
    """What two rollouts must share to count as the same answer for majority voting."""
    ans = r.info.get("answer")
    return str(ans).strip() if ans is not None else r.response.strip()


def env_metrics(rollouts: list[Rollout], k: int) -> dict[str, float | int | None]:
    groups: dict[str, list[Rollout]] = defaultdict(list)
    for r in rollouts:
        groups[r.task_id].append(r)
    scored = [r for r in rollouts if r.scored]
    p1, pk, maj = [], [], []
    for rs in groups.values():
        ok = [r for r in rs if r.scored]
        if not ok:
            continue
        c = sum(r.status == "correct" for r in ok)
        p1.append(c / len(ok))
        pk.append(pass_at_k(len(ok), c, min(k, len(ok))))
        votes = Counter(answer_key(r) for r in ok)
        top = votes.most_common(1)[0][0]
        maj.append(float(any(r.status == "correct" for r in ok if answer_key(r) == top)))
    n_all = max(1, len(rollouts))
    return {
        "n": len(groups),
        "rollouts": len(rollouts),
        "reward_mean": mean(r.reward for r in scored) if scored else None,
        "pass@1": mean(p1) if p1 else None,
        f"pass@{k}": mean(pk) if pk else None,
        f"maj@{k}": mean(maj) if maj else None,
        "error_rate": sum(r.status == "error" for r in rollouts) / n_all,
        "timeout_rate": sum(r.status == "timeout" for r in rollouts) / n_all,
        "truncated_rate": sum(r.status == "truncated" for r in rollouts) / n_all,
        "mean_tokens": mean(sum(r.loss_mask) for r in rollouts) if rollouts else 0.0,
        "mean_latency_s": mean(sum(r.timings.values()) for r in rollouts) if rollouts else 0.0,
    }


def unscored_envs(metrics: dict[str, dict]) -> list[str]:
    """The envs (from `summarize`) where nothing was scored: their pass@1 is None."""
    return [env for env, m in metrics.items() if m.get("pass@1") is None]


def summarize(rollouts: list[Rollout], k: int) -> dict[str, dict[str, float | int | None]]:
    """Metrics per env, plus `all` when there are several envs."""
    by_env: dict[str, list[Rollout]] = defaultdict(list)
    for r in rollouts:
        by_env[r.env].append(r)
    out = {env: env_metrics(rs, k) for env, rs in sorted(by_env.items())}
    if len(out) > 1:
        out["all"] = env_metrics(rollouts, k)
    return out
