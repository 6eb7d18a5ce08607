"""The `trainer.distributed` config section: how many ranks train, where, and how they shard.

Kept apart from `trainers/config.py` so the distributed trainer's settings live next to it;
`TrainerConfig.distributed` is this model.
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


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

    @model_validator(mode="after")
    def _mesh(self) -> "DistributedConfig":
        if self.world_size and self.world_size % self.replicas:
            raise ValueError(f"world_size {self.world_size} is not a multiple of "
                             f"replicas {self.replicas}")
        return self

    @property
    def enabled(self) -> bool:
        return self.world_size > 0
