"""FSDP2 for one rank: process group, device mesh, `fully_shard` per decoder layer, and the
full <-> sharded state-dict moves (rank 0 loads the checkpoint, the others start on `meta`).

Everything here runs inside a `TrainGroup` actor (trainers/distributed.py); nothing here
knows about Ray. Facts this relies on (checked on torch 2.13 CPU, gloo):
- FSDP2 averages gradients over ranks; `rank_update` scales the loss by the world size.
- `set_model_state_dict(broadcast_from_rank0=True)` fills the shards of every rank from rank
  0's full dict; non-persistent buffers (rotary `inv_freq`) are not in any state dict, so they
  are broadcast separately.
"""
from __future__ import annotations

import datetime
import os
import torch
import torch.distributed as dist
from torch.distributed.checkpoint.state_dict import (StateDictOptions, get_model_state_dict,
                                                     set_model_state_dict)
from torch.distributed.device_mesh import DeviceMesh, init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard

from gymkit.trainers.distributed_config import DistributedConfig


def rank_device(dcfg: DistributedConfig) -> torch.device:
    """cuda:0 inside an actor that Ray gave one GPU (CUDA_VISIBLE_DEVICES), else cpu."""
    if dcfg.device == "cuda" or (dcfg.device == "auto" and torch.cuda.is_available()):
        return torch.device("cuda", 0)
    return torch.device("cpu")


def init_rank(rank: int, world: int, addr: str, port: int, dcfg: DistributedConfig,
              device: torch.device) -> DeviceMesh:
    """Join the process group (every collective times out after `timeout_s`) and build the
    1-D FSDP mesh, or the 2-D (replicate, shard) HSDP mesh when `replicas > 1`."""
    os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = addr, str(port)
    backend = dcfg.comm_backend
    if backend == "auto":
        backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend, rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=dcfg.timeout_s))
    if dcfg.replicas > 1:
        return init_device_mesh(device.type, (dcfg.replicas, world // dcfg.replicas),
                                mesh_dim_names=("replicate", "shard"))
    return init_device_mesh(device.type, (world,), mesh_dim_names=("shard",))


def decoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The transformer blocks: modules whose class transformers marks as not to be split."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    names = set(getattr(base, "_no_split_modules", None) or [])
    layers = [m for m in base.modules() if type(m).__name__ in names]
    if not layers:
        raise RuntimeError(f"{type(base).__name__}: no decoder layers found to shard "
                           f"(_no_split_modules={sorted(names)})")
    return layers


def shard(model: torch.nn.Module, mesh: DeviceMesh, bf16: bool, device: torch.device) -> None:
    """`fully_shard` each decoder layer, then the root (embeddings, final norm, lm_head).

    bf16: parameters are all-gathered and computed in bf16, gradients reduced in fp32, and
    the sharded master weights and Adam state stay fp32.
    """
    mp = MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32) \
        if bf16 else MixedPrecisionPolicy()
    for layer in decoder_layers(model):
        fully_shard(layer, mesh=mesh, mp_policy=mp)
    fully_shard(model, mesh=mesh, mp_policy=mp)
    if any(p.is_meta for p in model.parameters()):
        model.to_empty(device=device)


def load_full_state(model: torch.nn.Module, full: dict[str, torch.Tensor] | None,
                    device: torch.device) -> None:
    """Fill every rank's shards from rank 0's `full` dict (None on other ranks)."""
    opts = StateDictOptions(full_state_dict=True, broadcast_from_rank0=True)
    set_model_state_dict(model, full if full is not None else {}, options=opts)
    for buf in model.buffers():  # not all buffers are in a state dict (non-persistent ones)
        moved = buf.data.to(device)
        dist.broadcast(moved, src=0)
        buf.data = moved


def full_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """The whole model's weights on rank 0's CPU (an empty dict on other ranks); every rank
    must call this: it all-gathers one parameter at a time."""
    opts = StateDictOptions(full_state_dict=True, cpu_offload=True)
    return get_model_state_dict(model, options=opts)


def close() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()

