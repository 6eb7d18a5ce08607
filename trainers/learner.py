"""The update side of the loop behind one interface: in this process (`LocalLearner`, the
CPU laptop default) or on N FSDP2 ranks (`TrainGroup`, trainers/distributed.py). Both run
`trainers.update.rank_update`; the trainer loop does not know which one it holds.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from gymkit.policy.base import Policy
from gymkit.trainers.batch import Sequence
from gymkit.trainers.checkpoint import load_model_weights
from gymkit.trainers.config import TrainConfig
from gymkit.trainers.model import build_trainable, make_optimizer, sampler_state
from gymkit.trainers.update import policy_update, recompute_old_logprobs


class LocalLearner:
    """The trainable model, optimizer and schedule in the driver process."""

    def __init__(self, policy: Policy, cfg: TrainConfig):
        self.cfg = cfg
        self.tm = build_trainable(policy, cfg)
        self.opt, self.sched = make_optimizer(self.tm.model, cfg)
        self.shared = self.tm.shared  # the sampler runs this very module: nothing to sync

    def recompute(self, seqs: list[Sequence]) -> None:
        recompute_old_logprobs(self.tm.model, seqs, self.cfg, self.tm.pad_id)

    def update(self, seqs: list[Sequence]) -> dict[str, float]:
        return policy_update(self.tm.model, self.opt, self.sched, seqs, self.cfg,
                             self.tm.pad_id, self.tm.ref_model)

    def sampler_state(self):
        return sampler_state(self.tm.model)

    def write(self, folder: Path) -> dict[str, Any]:
        """Model (HF format, or the LoRA adapter) + tokenizer into `folder/model`."""
        self.tm.model.save_pretrained(folder / "model", safe_serialization=True)
        if self.tm.tokenizer is not None:
            self.tm.tokenizer.save_pretrained(folder / "model")
        return {"optimizer": self.opt.state_dict(), "scheduler": self.sched.state_dict()}

    def restore(self, ckpt: Path, state: dict[str, Any]) -> None:
        load_model_weights(self.tm.model, ckpt / "model")
        self.opt.load_state_dict(state["optimizer"])
        self.sched.load_state_dict(state["scheduler"])

    def close(self) -> None:
        pass


def make_sampler_and_learner(cfg: TrainConfig, policy: Policy | None = None):
    """The sampler and the learner, built in the order placement needs: in-process policy or
    separate rollout engines first, then the learner; colocated engines go last, into the
    train ranks' own bundles. Returns (policy, learner, owns_policy)."""
    engines = cfg.trainer.distributed.engines
    owns = policy is None
    if policy is None and not engines.count:
        from gymkit.policy import load_policy

        policy = load_policy(cfg.model, cfg.backend, **cfg.backend_options)
    elif policy is None and engines.placement == "separate":
        policy = _engine_pool(cfg)
    learner = make_learner(policy, cfg)
    if policy is None:  # colocated: one engine in each train rank's bundle
        try:
            policy = _engine_pool(cfg, learner.pg, learner.gpu_share)
        except BaseException:
            learner.close()
            raise
    return policy, learner, owns


def _engine_pool(cfg: TrainConfig, pg=None, gpu_share: float = 0.0) -> Policy:
    from gymkit.policy.engines import EnginePool

    dcfg = cfg.trainer.distributed
    return EnginePool(cfg.model, cfg.backend, cfg.backend_options, dcfg.engines,
                      ray_address=dcfg.ray_address, placement_group=pg, gpu_share=gpu_share)


def push_weights(learner, policy: Policy, cfg: TrainConfig) -> None:
    """The sampler gets the learner's weights, by the configured strategy: a broadcast group
    (TrainGroup -> engines, bucketed), or the whole state through `Policy.sync_weights` (in
    process, or the Ray object store for engines)."""
    if learner.shared:
        return
    engines = cfg.trainer.distributed.engines
    strategy = engines.weight_sync
    if strategy == "auto":
        strategy = "broadcast" if engines.count and cfg.trainer.distributed.enabled \
            else "object_store"
    if strategy == "broadcast":
        learner.broadcast_weights(policy)
    else:
        policy.sync_weights(learner.sampler_state())


def make_learner(policy: Policy, cfg: TrainConfig):
    """`LocalLearner`, or a `TrainGroup` of `trainer.distributed.world_size` ranks."""
    if cfg.trainer.distributed.enabled:
        from gymkit.trainers.distributed import TrainGroup

        return TrainGroup(cfg)
    return LocalLearner(policy, cfg)
