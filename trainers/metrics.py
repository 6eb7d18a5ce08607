"""Training metrics: per-env figures for each step, written to metrics.jsonl, TensorBoard and
(optionally) W&B, and a reward-curve PNG at the end.

Reward and pass rate are over *scored* rollouts only; error, timeout and truncation rates are
over all rollouts and always sit next to them, so a broken verifier never reads as a bad model.
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from pathlib import Path
from statistics import mean
from typing import Any

from ..errors import GymkitError
from ..types import Rollout
from .batch import Prepared
from .losses import LossStats

log = logging.getLogger(__name__)
WANDB_ID_FILE = "wandb_run_id"


def env_step_metrics(rollouts: list[Rollout], shaped: list[float],
                     zero_variance: dict[str, list[bool]]) -> dict[str, float]:
    """`{"reward/math": ..., "pass_rate/math": ..., ...}` for every env, plus `/all`."""
    by_env: dict[str, list[tuple[Rollout, float]]] = defaultdict(list)
    for r, s in zip(rollouts, shaped):
        by_env[r.env].append((r, s))
        by_env["all"].append((r, s))
    zero_all = [z for flags in zero_variance.values() for z in flags]
    out: dict[str, float] = {}
    for env, pairs in by_env.items():
        rs = [r for r, _ in pairs]
        scored = [(r, s) for r, s in pairs if r.scored]
        n = len(rs)
        zv = zero_all if env == "all" else zero_variance.get(env, [])
        out.update({
            f"reward/{env}": mean(r.reward for r, _ in scored) if scored else 0.0,
            f"shaped_reward/{env}": mean(s for _, s in scored) if scored else 0.0,
            f"pass_rate/{env}": mean(float(r.status == "correct") for r, _ in scored) if scored else 0.0,
            f"error_rate/{env}": sum(r.status == "error" for r in rs) / n,
            f"timeout_rate/{env}": sum(r.status == "timeout" for r in rs) / n,
            f"truncated_rate/{env}": sum(r.status == "truncated" for r in rs) / n,
            f"response_len/{env}": float(mean(sum(r.loss_mask) for r in rs)),
            f"zero_var_share/{env}": mean(map(float, zv)) if zv else 0.0,
        })
    return out


def loss_metrics(stats: LossStats) -> dict[str, float]:
    """The update's loss figures from the stats of every micro-batch (and rank) combined.

    Shares are over the step's loss tokens. The mismatch_* figures appear when the sampler's
    logprobs were kept beside the trainer's (loss.old_logprobs = recompute):
    - mismatch_kl: mean k3 estimate of KL(sampler || trainer) per token (>= 0; k3, not k1,
      because k1's per-token values cancel in sign and its mean is noisy on few tokens);
    - mismatch_ratio_max: the largest per-token weight exp(trainer_old - sampler);
    - mismatch_truncated_frac: share of tokens with weight > is_cap (tis caps these);
    - mismatch_masked_frac: share outside [1/is_cap, is_cap] (mis drops these).
    """
    n = max(stats.tokens, 1.0)
    out = {"clip_frac": stats.clipped_tokens / n, "ratio_mean": stats.ratio_sum / n,
           "dual_clip_frac": stats.dual_clipped_tokens / n, "ratio_max": stats.ratio_max,
           "kl": stats.kl_sum / n}
    if stats.mismatch_tokens > 0:
        m = stats.mismatch_tokens
        out.update({"mismatch_kl": stats.mismatch_kl_sum / m,
                    "mismatch_ratio_max": stats.mismatch_ratio_max,
                    "mismatch_truncated_frac": stats.mismatch_truncated_tokens / m,
                    "mismatch_masked_frac": stats.mismatch_masked_tokens / m})
    return out


def step_record(step: int, rollouts: list[Rollout], prep: Prepared, update: dict[str, float],
                timings: dict[str, float]) -> dict[str, Any]:
    """The full metrics.jsonl row for one step."""
    gen_tokens = sum(sum(r.loss_mask) for r in rollouts)
    rec: dict[str, Any] = {"step": step}
    rec.update(env_step_metrics(rollouts, prep.rewards, prep.zero_variance))
    rec.update({f"train/{k}": v for k, v in update.items()})
    rec["train/sequences"] = len(prep.sequences)
    rec.update({f"dropped/{k}": v for k, v in sorted(prep.dropped.items())})
    rec["tokens/generated"] = gen_tokens
    rec["tokens_per_s"] = gen_tokens / max(timings.get("generate_s", 0.0), 1e-9)
    rec.update({f"time/{k}": v for k, v in timings.items()})
    return rec


def check_sampler_tokens(rollouts: list[Rollout]) -> bool:
    """Raise when the sampler's tokens cannot be trained on; False while nothing was sampled.

    A backend that returns no token ids or no logprobs would make every rollout untrainable
    (a run with zero updates) or bias the ratio; that is an error at the first step.
    """
    sampled = [r for r in rollouts if r.scored and r.turns > 0]
    if not sampled:
        return False
    if any(not r.completion_ids for r in sampled):
        raise GymkitError("the sampler returned no token ids; training needs the sampler's exact "
                          "tokens (for a server: vLLM with return_token_ids)")
    if any(len(r.logprobs) != len(r.completion_ids) for r in sampled):
        raise GymkitError("the sampler returned no logprobs for its tokens; training needs them "
                          "(for a server: logprobs=true)")
    return True


class RunHealth:
    """Stops a run that does nothing but would look healthy (GymkitError, one line).

    - more than `max_error_share` of the rollouts are `error` for `patience` steps in a row
      (a persistent generation OOM, a broken verifier);
    - no sequence entered the gradient for `patience` steps in a row (every group filtered:
      zero variance, overlong, no tokens).
    The first step also checks that the sampler returns token ids and logprobs.
    """

    def __init__(self, max_error_share: float = 0.5, patience: int = 3):
        self.max_error_share, self.patience = max_error_share, patience
        self.error_steps = self.idle_steps = 0
        self.tokens_checked = False

    def check(self, rollouts: list[Rollout], prep: Prepared) -> None:
        if not self.tokens_checked:
            self.tokens_checked = check_sampler_tokens(rollouts)
        errors = [r for r in rollouts if r.status == "error"]
        share = len(errors) / max(len(rollouts), 1)
        self.error_steps = self.error_steps + 1 if share > self.max_error_share else 0
        self.idle_steps = 0 if prep.sequences else self.idle_steps + 1
        if not self.patience:
            return
        if self.error_steps >= self.patience:
            first = (errors[0].error or "").splitlines()[0][:200] if errors else ""
            raise GymkitError(f"stopping: over {self.max_error_share:.0%} of rollouts were errors "
                              f"for {self.error_steps} steps in a row ({share:.0%} last step; "
                              f"first: {first})")
        if self.idle_steps >= self.patience:
            why = ", ".join(f"{k} {v}" for k, v in sorted(prep.dropped.items())) or "none sampled"
            raise GymkitError(f"stopping: no sequence entered the gradient for {self.idle_steps} "
                              f"steps in a row (dropped last step: {why}); see health.patience")


class MetricsWriter:
    """Appends rows to `metrics.jsonl` and mirrors scalars to TensorBoard / W&B."""

    def __init__(self, out: Path, tensorboard: bool = True, wandb: bool = False,
                 project: str = "gymkit", config: dict | None = None, resume_step: int = 0):
        self.path = out / "metrics.jsonl"
        out.mkdir(parents=True, exist_ok=True)
        self._truncate_after(resume_step)
        self.tb = self.wb = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.tb = SummaryWriter(str(out / "tb"), purge_step=resume_step + 1)
        if wandb:
            try:
                import wandb as wb
            except ImportError:
                raise GymkitError("logging.wandb is on but wandb is not installed "
                                  "(pip install wandb)") from None
            # the run id is kept next to the metrics, so a resumed run continues the same
            # W&B run instead of starting a new one
            id_file = out / WANDB_ID_FILE
            run_id = id_file.read_text().strip() if resume_step and id_file.exists() else None
            self.wb = wb.init(project=project, dir=str(out), config=config, id=run_id,
                              resume="allow")
            id_file.write_text(str(self.wb.id) + "\n")

    def _truncate_after(self, step: int) -> None:
        """A killed run may have logged steps past its last checkpoint; those are redone."""
        if not self.path.exists():
            return
        rows = [ln for ln in self.path.read_text().splitlines()
                if ln.strip() and json.loads(ln).get("step", 0) <= step]
        self.path.write_text("".join(ln + "\n" for ln in rows))

    def write(self, rec: dict[str, Any]) -> None:
        with self.path.open("a") as f:
            f.write(json.dumps(rec) + "\n")
        scalars = {k: v for k, v in rec.items() if isinstance(v, (int, float)) and k != "step"}
        if self.tb is not None:
            for k, v in scalars.items():
                self.tb.add_scalar(k, v, rec["step"])
            self.tb.flush()
        if self.wb is not None:
            self.wb.log(scalars, step=rec["step"])

    def rows(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return [json.loads(ln) for ln in self.path.read_text().splitlines() if ln.strip()]

    def close(self) -> None:
        if self.tb is not None:
            self.tb.close()
        if self.wb is not None:
            self.wb.finish()


def plot_rewards(rows: list[dict[str, Any]], path: Path) -> Path | None:
    """Training reward per env (and held-out reward where evaluated) against step."""
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on training nodes
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    steps = [r["step"] for r in rows]
    envs = sorted({k.split("/", 1)[1] for r in rows for k in r if k.startswith("reward/")})
    for env in envs:
        ax.plot(steps, [r.get(f"reward/{env}", float("nan")) for r in rows],
                label=f"train {env}", alpha=0.8)
    held = [(r["step"], r["heldout/reward"]) for r in rows if "heldout/reward" in r]
    if held:
        ax.plot(*zip(*held), "o-", color="black", label="held-out (greedy)")
    ax.set(xlabel="step", ylabel="reward", title="reward")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
