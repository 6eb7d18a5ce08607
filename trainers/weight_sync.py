"""Trained weights into the rollout engines, by strategy.

- `object_store`: the full state (LoRA merged) is gathered on train rank 0 and moved through
  the Ray object store once; every engine reads the same object. For models that fit one
  host's memory (the CPU path, small GPUs).
- `broadcast`: a process group of its own joins train rank 0 and every engine (gloo on CPU,
  NCCL on GPU). All train ranks gather one tensor at a time (FSDP2 `full_tensor`); rank 0
  packs them into buckets of `bucket_mb` and broadcasts each bucket as one flat buffer; an
  engine loads every bucket as it arrives. No device ever holds the whole model twice, and
  no train rank holds it at all beyond one bucket.

Both send every entry of the base model's `state_dict()` (tied embeddings included: vLLM's
`lm_head` would otherwise stay stale) with LoRA adapters merged in fp32 into new tensors: the
trained base is never written to. Every collective has the group's timeout; the driver names
the train rank or engine that failed or stalled (`WeightSyncError`).
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import torch

from gymkit.errors import GymkitError


class WeightSyncError(GymkitError):
    """A weight sync failed or stalled; the message names the rank or engine."""


@dataclass(frozen=True)
class Entry:
    """One tensor of a bucket: its name in the base model, shape and dtype (as a str)."""

    name: str
    shape: tuple[int, ...]
    dtype: str


def _order(model: torch.nn.Module) -> Iterator[tuple[str, object]]:
    """The state dict's keys in sending order: ("plain", key) for an ordinary entry, then
    ("part", key) for a LoRA part and ("site", site) right after a site's last part."""
    from gymkit.trainers.model import lora_sites

    sites = lora_sites(model) if hasattr(model, "peft_config") else []
    site_of = {k: s for s in sites for k in (s.base_key, s.a_key, s.b_key)}
    seen: set[str] = set()
    for key in model.state_dict().keys():
        site = site_of.get(key)
        if site is None:
            if "lora_" not in key:
                yield "plain", key
            continue
        seen.add(key)
        yield "part", key
        if {site.base_key, site.a_key, site.b_key} <= seen:
            yield "site", site


def sampler_tensors(model: torch.nn.Module,
                    gather: Callable[[torch.Tensor], torch.Tensor]) -> Iterator[tuple[str, torch.Tensor]]:
    """(name, full tensor) in the base model's naming, LoRA sites merged (fp32, new tensors)
    as soon as their three parts (base, A, B) are in. `gather` makes a full local tensor of
    an entry (FSDP2: `full_tensor()`, a collective every rank must call in the same order)."""
    from gymkit.trainers.model import merge_lora, plain_name

    state = model.state_dict()
    parts: dict[str, torch.Tensor] = {}
    with torch.no_grad():
        for kind, what in _order(model):
            if kind == "plain":
                yield plain_name(what), gather(state[what])
            elif kind == "part":
                parts[what] = gather(state[what])
            else:
                keys = (what.base_key, what.a_key, what.b_key)
                yield from merge_lora({k: parts.pop(k) for k in keys}, [what]).items()


def full_tensor(t: torch.Tensor) -> torch.Tensor:
    """A DTensor's full value (all-gather) or a plain tensor, detached, where it lives."""
    full = t.full_tensor() if hasattr(t, "full_tensor") else t
    return full.detach()


def manifest(model: torch.nn.Module, bucket_bytes: int) -> list[list[Entry]]:
    """The buckets `sampler_tensors` will fill, from shapes alone (no communication): a
    bucket holds one dtype and closes past `bucket_bytes` (one larger tensor goes alone)."""
    from gymkit.trainers.model import plain_name

    state = model.state_dict()

    def entry(key: str) -> Entry:
        v = state[key]
        return Entry(plain_name(key), tuple(v.shape), str(v.dtype).removeprefix("torch."))

    entries = [entry(what if kind == "plain" else what.base_key)
               for kind, what in _order(model) if kind != "part"]
    return pack(entries, bucket_bytes)


def pack(entries: Iterable[Entry], bucket_bytes: int) -> list[list[Entry]]:
    buckets: list[list[Entry]] = [[]]
    size = 0
    for e in entries:
        nbytes = _numel(e.shape) * torch.empty(0, dtype=_dtype(e.dtype)).element_size()
        last = buckets[-1]
        if last and (size + nbytes > bucket_bytes or last[0].dtype != e.dtype):
            buckets.append([])
            size = 0
        buckets[-1].append(e)
        size += nbytes
    return [b for b in buckets if b]


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def _dtype(name: str) -> torch.dtype:
    return getattr(torch, name)


class SyncGroup:
    """A process group of its own between train rank 0 (rank 0 here) and the engines."""

    def __init__(self, addr: str, port: int, rank: int, world: int, backend: str,
                 timeout_s: float):
        import torch.distributed as dist

        timeout = datetime.timedelta(seconds=timeout_s)
        self.rank, self.world = rank, world
        self.store = dist.TCPStore(addr, port, world, rank == 0, timeout=timeout)
        if backend == "nccl":
            self.pg = dist.ProcessGroupNCCL(self.store, rank, world)
            self.device = torch.device("cuda", torch.cuda.current_device())
        else:
            self.pg = dist.ProcessGroupGloo(self.store, rank, world, timeout)
            self.device = torch.device("cpu")

    def broadcast(self, flat: torch.Tensor) -> None:
        import torch.distributed as dist

        opts = dist.BroadcastOptions()
        opts.rootRank = 0
        self.pg.broadcast([flat], opts).wait()


def send_buckets(group: SyncGroup | None, tensors: Iterator[tuple[str, torch.Tensor]],
                 buckets: list[list[Entry]]) -> int:
    """Train side (every rank iterates `tensors`, so the gathers line up; only rank 0 has a
    `group`): one flat broadcast per bucket. Returns the bytes sent.

    If a broadcast fails (an engine died), rank 0 stops broadcasting but keeps gathering to
    the end, so the train ranks' own collectives stay in step; then it raises."""
    sent, failed = 0, None
    for bucket in buckets:
        flat_parts = []
        for entry in bucket:
            name, t = next(tensors)
            if name != entry.name or tuple(t.shape) != entry.shape:
                raise WeightSyncError(f"weight sync: expected {entry.name} {list(entry.shape)}, "
                                      f"got {name} {list(t.shape)}")
            flat_parts.append(t.reshape(-1))
        if group is not None and failed is None:
            flat = torch.cat(flat_parts).to(group.device)
            try:
                group.broadcast(flat)
            except RuntimeError as e:  # gloo/NCCL: a peer closed or timed out
                failed = str(e).strip().splitlines()[0][:200] if str(e).strip() else "failed"
                continue
            sent += flat.numel() * flat.element_size()
    if failed is not None:
        raise WeightSyncError(f"broadcast to the engines failed: {failed}")
    return sent


def receive_buckets(group: SyncGroup, buckets: list[list[Entry]]
                    ) -> Iterator[dict[str, torch.Tensor]]:
    """Engine side: each bucket as a {name: tensor} dict, views of one received buffer."""
    for bucket in buckets:
        sizes = [_numel(e.shape) for e in bucket]
        flat = torch.empty(sum(sizes), dtype=_dtype(bucket[0].dtype), device=group.device)
        group.broadcast(flat)
        out, at = {}, 0
        for e, n in zip(bucket, sizes):
            out[e.name] = flat[at:at + n].view(e.shape)
            at += n
        yield out
