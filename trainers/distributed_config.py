"""The `trainer.distributed` config section: how many ranks train, where, and how they shard.

Kept apart from `trainers/config.py` so the distributed trainer's settings live next to it;
`TrainerConfig.distributed` is this model.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class EnginesConfig(BaseModel):
    """`count: 0` samples in the driver process (today's default). `N >= 1` runs N rollout
    engines as Ray actors (gymkit/policy/engines.py), each a whole `backend` policy; a batch
    is split across them (data parallel)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    count: int = Field(0, ge=0)
    gpus_per_engine: int = Field(1, gt=0)  # vllm tensor parallel size inside one engine
    cpus_per_engine: float = Field(1.0, gt=0)
    # separate: bundles of their own; colocated: inside the train ranks' bundles (one engine
    # per rank, half a GPU each), asleep while the trainer updates
    placement: Literal["separate", "colocated"] = "separate"
    # auto: broadcast with a TrainGroup, object_store with the in-process trainer
    weight_sync: Literal["auto", "object_store", "broadcast"] = "auto"
    bucket_mb: float = Field(256.0, gt=0)  # broadcast: one flat buffer per bucket
    timeout_s: float = Field(300.0, gt=0)  # a weight sync or sleep; a stuck engine is named
    start_timeout_s: float = Field(900.0, gt=0)  # loading an engine (a vLLM start takes minutes)
    generate_timeout_s: float = Field(3600.0, gt=0)  # one share of a batch on one engine


class DistributedConfig(BaseModel):
    """`world_size: 0` trains in the driver process (the CPU laptop path). `N >= 1` starts a
    `TrainGroup` of N Ray actors, each one torch.distributed rank holding an FSDP2 shard."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    world_size: int = Field(0, ge=0)  # 0: in-process; N: N ranks (one per GPU, or per CPU core)
    # HSDP: ranks form a (replicas, world_size / replicas) mesh; parameters are sharded inside a
    # replica (one node, NVLink) and replicated across replicas (all-reduce over the network).
    replicas: int = Field(1, gt=0)
    device: Literal["auto", "cpu", "cuda"] = "auto"  # auto: cuda when the cluster has GPUs
    comm_backend: Literal["auto", "gloo", "nccl"] = "auto"  # auto: nccl on cuda, gloo on cpu
    timeout_s: float = Field(600.0, gt=0)  # every collective; a dead rank fails the step after it
    cpus_per_rank: float = Field(1.0, gt=0)
    # STRICT_PACK: all ranks on one node (fails fast when they do not fit); PACK for multi-node
    placement: Literal["STRICT_PACK", "PACK", "SPREAD"] = "STRICT_PACK"
    ray_address: str | None = None  # join a running cluster ("auto" or host:port); None: local
    engines: EnginesConfig = Field(default_factory=EnginesConfig)  # rollout engines as actors

    @model_validator(mode="after")
    def _mesh(self) -> "DistributedConfig":
        if self.world_size and self.world_size % self.replicas:
            raise ValueError(f"world_size {self.world_size} is not a multiple of "
                             f"replicas {self.replicas}")
        eng = self.engines
        if eng.placement == "colocated" and eng.count and eng.count != self.world_size:
            raise ValueError(f"engines.placement colocated puts one engine on each train rank: "
                             f"engines.count must equal world_size ({self.world_size}), "
                             f"got {eng.count}")
        if eng.weight_sync == "broadcast" and eng.count and not self.world_size:
            raise ValueError("engines.weight_sync broadcast needs a TrainGroup "
                             "(world_size >= 1); the in-process trainer uses object_store")
        return self

    @property
    def enabled(self) -> bool:
        return self.world_size > 0
