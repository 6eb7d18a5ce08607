"""`TrainGroup`: the policy update on N Ray actors, each one torch.distributed rank with an
FSDP2 shard of the model (trainers/fsdp.py), driven from the trainer loop in one process.

    driver ── TrainGroup ──┬─ rank 0 actor (hands out MASTER_ADDR/PORT, gathers full weights)
                           ├─ rank 1 actor
                           └─ ...           one placement-group bundle per rank (GPU or CPU)

Every rank runs `trainers.update.rank_update`, the same function the in-process trainer runs,
on its round-robin share of each mini-batch; counts are all-reduced inside it, so N ranks take
the step one process takes. A rank that dies or stalls fails the call with one line naming it
(`TrainGroupError`), never a silent hang: every collective has the process-group timeout and
the driver waits at most that long for any call.
"""
from __future__ import annotations

import logging
import math
import os
import socket
from pathlib import Path
from typing import Any

from gymkit.errors import GymkitError
from gymkit.trainers.batch import Sequence
from gymkit.trainers.config import TrainConfig
from gymkit.trainers.update import shard_mini_batches


log = logging.getLogger(__name__)


class TrainGroupError(GymkitError):
    """A rank died, raised or did not answer in time; the message names it."""


class TrainWorker:
    """One rank (a Ray actor): its model shard, optimizer shard and LR schedule."""

    def __init__(self, cfg: TrainConfig, rank: int, world: int):
        import torch

        self.cfg = cfg  # pickled, not re-validated: the driver's envs need not exist here
        self.rank, self.world = rank, world
        dcfg = self.cfg.trainer.distributed
        if dcfg.device == "cpu" or not torch.cuda.is_available():
            torch.set_num_threads(max(1, int(dcfg.cpus_per_rank)))

    def pid(self) -> int:
        return os.getpid()

    def master(self) -> tuple[str, int]:
        """Rank 0's address and a free port for the process group's rendezvous."""
        import ray

        with socket.socket() as s:
            s.bind(("", 0))
            return ray.util.get_node_ip_address(), s.getsockname()[1]

    def setup(self, addr: str, port: int) -> dict[str, Any]:
        """Join the group; rank 0 loads the weights, the others start on `meta` and receive
        their shards by broadcast; then LoRA, checkpointing, FSDP2 and the optimizer."""
        import torch

        from gymkit.trainers import fsdp
        from gymkit.trainers.model import (add_lora, enable_checkpointing, load_hf,
                                           make_optimizer, pad_token)

        cfg, dcfg = self.cfg, self.cfg.trainer.distributed
        if cfg.loss.kl_coef > 0 and not cfg.trainer.lora.enabled:
            raise GymkitError("trainer.distributed: kl_coef > 0 needs LoRA (the reference is "
                              "the base with adapters off); a sharded frozen copy is not built")
        self.device = fsdp.rank_device(dcfg)
        mesh = fsdp.init_rank(self.rank, self.world, addr, port, dcfg, self.device)
        # fp32 everywhere: FSDP2 casts to bf16 for compute (mp policy) and keeps fp32 shards
        model, self.tokenizer = load_hf(cfg, dtype=torch.float32, meta=self.rank != 0)
        if cfg.trainer.gradient_checkpointing:
            enable_checkpointing(model)
        if cfg.trainer.lora.enabled:
            torch.manual_seed(cfg.seed)  # adapter init; rank 0's is broadcast anyway
            model = add_lora(model, cfg)
        # rank 0's loaded tensors, kept alive past fully_shard to be broadcast as shards
        full = {k: v.detach() for k, v in model.state_dict().items()} if self.rank == 0 else None
        fsdp.shard(model, mesh, cfg.trainer.bf16, self.device)
        fsdp.load_full_state(model, full, self.device)
        del full
        self.model = model
        self.ref = model if cfg.trainer.lora.enabled and cfg.loss.kl_coef > 0 else None
        self.opt, self.sched = make_optimizer(model, cfg)
        self.pad_id = pad_token(self.tokenizer)
        n = sum(p.numel() for p in model.parameters())
        return {"rank": self.rank, "device": str(self.device), "local_params": n}

    def update(self, minis: list[list[Sequence]]) -> dict[str, float]:
        from gymkit.trainers.update import rank_update

        return rank_update(self.model, self.opt, self.sched, minis, self.cfg, self.pad_id,
                           self.ref)

    def recompute(self, seqs: list[Sequence]) -> list[list[float]]:
        from gymkit.trainers.update import recompute_old_logprobs

        recompute_old_logprobs(self.model, seqs, self.cfg, self.pad_id)
        return [s.old_logprobs for s in seqs]

    def sampler_state(self) -> dict | None:
        """All ranks gather; rank 0 returns the full weights (LoRA merged, out of place)."""
        from gymkit.trainers.fsdp import full_state
        from gymkit.trainers.model import lora_sites, merge_lora, plain_name

        state = full_state(self.model)
        if self.rank != 0:
            return None
        if hasattr(self.model, "peft_config"):
            return merge_lora(state, lora_sites(self.model))
        return {plain_name(k): v for k, v in state.items()}

    def join_sync(self, addr: str, port: int, world: int, backend: str, timeout_s: float) -> int:
        """Rank 0 only: rank 0 of the weight-sync group with the rollout engines."""
        from gymkit.trainers.weight_sync import SyncGroup

        self.sync_group = SyncGroup(addr, port, 0, world, backend, timeout_s)
        return 0

    def sync_manifest(self, bucket_bytes: int) -> list:
        from gymkit.trainers.weight_sync import manifest

        return manifest(self.model, bucket_bytes)

    def send_weights(self, buckets: list) -> int:
        """Every rank gathers tensor by tensor (FSDP2 all-gathers); rank 0 broadcasts the
        buckets to the engines. Returns the bytes rank 0 sent."""
        from gymkit.trainers.weight_sync import full_tensor, sampler_tensors, send_buckets

        group = getattr(self, "sync_group", None) if self.rank == 0 else None
        return send_buckets(group, sampler_tensors(self.model, full_tensor), buckets)

    def save(self, folder: str, export: bool) -> dict | None:
        """Sharded model + optimizer (torch.distributed.checkpoint) under `folder/sharded`;
        with `export`, rank 0 also writes a consolidated HF model (LoRA merged) to
        `folder/model`. Returns rank 0's LR-schedule state."""
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.state_dict import get_state_dict

        msd, osd = get_state_dict(self.model, self.opt)
        dcp.save({"model": msd, "optim": osd}, checkpoint_id=str(Path(folder) / "sharded"))
        merged = self.sampler_state() if export else None
        if self.rank != 0:
            return None
        if merged is not None:
            self._export(merged, Path(folder) / "model")
        return self.sched.state_dict()

    def _export(self, merged: dict, out: Path) -> None:
        import torch
        from transformers import AutoConfig, AutoModelForCausalLM

        from gymkit.policy.models import resolve_checkpoint

        config = AutoConfig.from_pretrained(resolve_checkpoint(self.cfg.model))
        with torch.device("meta"):
            plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        plain.load_state_dict(merged, strict=True, assign=True)
        if getattr(config, "tie_word_embeddings", False):
            plain.tie_weights()
        plain.save_pretrained(out, safe_serialization=True)
        self.tokenizer.save_pretrained(out)

    def load(self, folder: str, sched_state: dict) -> None:
        import torch.distributed.checkpoint as dcp
        from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict

        msd, osd = get_state_dict(self.model, self.opt)
        state = {"model": msd, "optim": osd}
        dcp.load(state, checkpoint_id=str(Path(folder) / "sharded"))
        set_state_dict(self.model, self.opt, model_state_dict=state["model"],
                       optim_state_dict=state["optim"])
        self.sched.load_state_dict(sched_state)

    def close(self) -> None:
        from gymkit.trainers.fsdp import close

        close()


def _start_ray(cfg: TrainConfig) -> None:
    """Join `ray_address`, or start a local Ray that sees only the trainer's GPUs: an
    in-process vLLM engine already holds the first `tensor_parallel_size` of them."""
    from gymkit.pool import init_ray
    from gymkit.trainers.model import trainer_gpus

    dcfg = cfg.trainer.distributed
    cpus = max(os.cpu_count() or 1, math.ceil(dcfg.world_size * dcfg.cpus_per_rank) + 2)
    saved = os.environ.get("CUDA_VISIBLE_DEVICES")
    gpus = trainer_gpus(cfg)
    if not dcfg.ray_address and gpus and cfg.backend == "vllm":
        os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(str(g) for g in gpus)
    try:
        init_ray(dcfg.ray_address, num_cpus=cpus)
    finally:  # the driver's own CUDA context is untouched (it exists already)
        if saved is None:
            os.environ.pop("CUDA_VISIBLE_DEVICES", None)
        else:
            os.environ["CUDA_VISIBLE_DEVICES"] = saved


class TrainGroup:
    """N `TrainWorker` actors in one placement group; the driver's handle on the update."""

    def __init__(self, cfg: TrainConfig):
        import ray
        from ray.util.placement_group import placement_group
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        dcfg = cfg.trainer.distributed
        self.cfg, self.world, self.timeout = cfg, dcfg.world_size, dcfg.timeout_s
        _start_ray(cfg)
        gpu = dcfg.device == "cuda" or (dcfg.device == "auto"
                                         and ray.cluster_resources().get("GPU", 0) > 0)
        if gpu and ray.cluster_resources().get("GPU", 0) < self.world:
            raise TrainGroupError(f"trainer.distributed.world_size={self.world} needs "
                                  f"{self.world} GPUs; Ray has {ray.cluster_resources().get('GPU', 0):g}")
        colocated = dcfg.engines.count > 0 and dcfg.engines.placement == "colocated"
        # colocated rollout engines share each rank's bundle: half its GPU, their own CPUs
        self.gpu_share = (0.5 if colocated else 1.0) if gpu else 0.0
        self.gpu = gpu
        cpus = dcfg.cpus_per_rank + (dcfg.engines.cpus_per_engine if colocated else 0)
        bundle = {"CPU": cpus, **({"GPU": 1} if gpu else {})}
        self.pg = placement_group([bundle] * self.world, strategy=dcfg.placement)
        ready, _ = ray.wait([self.pg.ready()], timeout=self.timeout)
        if not ready:
            ray.util.remove_placement_group(self.pg)
            raise TrainGroupError(
                f"trainer.distributed: {self.world} x {bundle} ({dcfg.placement}) could not be "
                f"placed within {self.timeout:.0f} s; cluster has {ray.cluster_resources()}")
        worker = ray.remote(max_restarts=0)(TrainWorker)
        self.actors = [worker.options(
            num_cpus=dcfg.cpus_per_rank, num_gpus=self.gpu_share,
            scheduling_strategy=PlacementGroupSchedulingStrategy(self.pg, i)).remote(
                cfg, i, self.world) for i in range(self.world)]
        try:
            addr, port = self.gather("rendezvous", [self.actors[0].master.remote()])[0]
            self.info = self.gather("setup", [a.setup.remote(addr, port) for a in self.actors])
        except BaseException:
            self.close()
            raise
        self.tokenizer = None  # the driver's sampler has its own

    def gather(self, what: str, refs: list) -> list:
        """Results of one call per rank (`refs[i]` from rank i). A rank that dies or raises
        fails the call with one line naming it (a dead rank is named before the peers whose
        collectives it broke), and so does a rank still silent after the collective timeout
        (the ranks' own timeout fires first; the driver allows 30 s more)."""
        from gymkit.policy.engines import wait_named

        return wait_named([(f"rank {i}", ref) for i, ref in enumerate(refs)],
                          self.timeout + 30, f"train {what}", TrainGroupError)

    def recompute(self, seqs: list[Sequence]) -> None:
        """`loss.old_logprobs: recompute`: each rank scores its round-robin share."""
        shares = [seqs[r::self.world] for r in range(self.world)]
        got = self.gather("recompute", [a.recompute.remote(s) for a, s in zip(self.actors, shares)])
        for share, lps in zip(shares, got):
            for s, lp in zip(share, lps):
                if s.sampler_logprobs is None:  # keep the sampler's (TIS/MIS, mismatch metrics)
                    s.sampler_logprobs = s.old_logprobs
                s.old_logprobs = lp

    def update(self, seqs: list[Sequence]) -> dict[str, float]:
        """One update over the whole batch, sharded over the ranks; metrics are global."""
        shares = shard_mini_batches(seqs, self.cfg.trainer.mini_batches, self.world)
        return self.gather("update", [a.update.remote(s) for a, s in zip(self.actors, shares)])[0]

    def sampler_state(self) -> dict:
        """Full weights in the base model's naming (LoRA merged into new tensors), moved
        through the Ray object store: the strategy for models that fit one host's memory."""
        return self.gather("weight gather", [a.sampler_state.remote() for a in self.actors])[0]

    shared = False  # the sampler always receives the weights
    _sync_members: tuple = ()  # the engine actors the broadcast group was built with

    def broadcast_weights(self, pool) -> None:
        """Broadcast strategy: train rank 0 and the engines form a process group (built once,
        rebuilt when an engine was replaced); all ranks gather tensor by tensor and rank 0
        broadcasts the buckets. A failure or stall names the train rank or engine.

        An engine that dies during the sync does not stop the run: the survivors are blocked
        in the broken broadcast, so every engine is replaced and the sync runs once more
        (the train ranks kept gathering to the end, so their own group is intact). A train
        rank that dies stops it."""
        from gymkit.trainers.weight_sync import WeightSyncError

        try:
            self._broadcast_once(pool)
        except WeightSyncError as e:
            failed = getattr(e, "failed", {})
            ranks_dead = any(k.startswith("train rank") and " died " in v
                             for k, v in failed.items())
            if ranks_dead or not any(k.startswith("engine") for k in failed):
                raise
            log.warning("%s; replacing every engine and syncing again", e)
            pool.kill_all()
            self._sync_members = ()
            self._broadcast_once(pool)

    def _broadcast_once(self, pool) -> None:
        from gymkit.policy.engines import wait_named

        ecfg = self.cfg.trainer.distributed.engines
        pool.restart_dead()
        if self._sync_members != tuple(pool.actors):
            addr, port = self.gather("weight-sync rendezvous", [self.actors[0].master.remote()])[0]
            world, backend = 1 + len(pool.actors), "nccl" if self.gpu else "gloo"
            wait_named([("train rank 0", self.actors[0].join_sync.remote(
                addr, port, world, backend, ecfg.timeout_s))] + [
                (f"engine {i}", a.join_sync.remote(addr, port, i + 1, world, backend,
                                                   ecfg.timeout_s))
                for i, a in enumerate(pool.actors)], ecfg.timeout_s + 30, "join the weight-sync group")
            self._buckets = self.gather("weight-sync manifest", [
                self.actors[0].sync_manifest.remote(int(ecfg.bucket_mb * 2 ** 20))])[0]
            self._sync_members = tuple(pool.actors)
        pool.version += 1
        wait_named([(f"train rank {r}", a.send_weights.remote(self._buckets))
                    for r, a in enumerate(self.actors)] +
                   [(f"engine {i}", e.receive.remote(self._buckets, pool.version))
                    for i, e in enumerate(pool.actors)], ecfg.timeout_s + 30, "weight sync")
        pool.synced()

    def write(self, folder: Path) -> dict[str, Any]:
        """Sharded model + optimizer (`folder/sharded`) and the consolidated HF export, LoRA
        merged (`folder/model`, what `gymkit eval --model` loads); returns the schedule."""
        sched = self.gather("checkpoint save",
                            [a.save.remote(str(folder), True) for a in self.actors])[0]
        return {"scheduler": sched, "world_size": self.world}

    def restore(self, ckpt: Path, state: dict[str, Any]) -> None:
        """Resume exactly: same world size, each rank reads its own shards."""
        if state.get("world_size") != self.world:
            raise TrainGroupError(f"{ckpt}: written by {state.get('world_size')} ranks; "
                                  f"resume with trainer.distributed.world_size="
                                  f"{state.get('world_size')}")
        self.gather("checkpoint load", [a.load.remote(str(ckpt), state["scheduler"])
                                        for a in self.actors])

    def close(self) -> None:
        """Kill the ranks (a stuck collective would otherwise hold them) and free the bundles."""
        import ray

        for a in getattr(self, "actors", []):
            ray.kill(a, no_restart=True)
        self.actors = []
        if getattr(self, "pg", None) is not None:
            ray.util.remove_placement_group(self.pg)
            self.pg = None
