"""Rollout engines as Ray actors, behind the `Policy` interface (`EnginePool`).

    driver ── EnginePool ──┬─ engine 0 (a Ray actor holding an hf or vllm Policy)
                           ├─ engine 1      data parallel: each gets a share of every batch
                           └─ ...           tensor parallel lives inside a vllm engine

The trainer loop calls `generate` and `sync_weights` as on any policy. Weights arrive by the
Ray object store (`sync_weights(state)`) or by a broadcast group with train rank 0
(`trainers/weight_sync.py`, driven by `TrainGroup.broadcast_weights`). Each engine records the
policy version of its weights, and every `Generation` carries the version it was sampled with.

Placement: `separate` engines get bundles of their own (GPUs apart from the trainer's);
`colocated` engines share the train ranks' bundles (a fraction of each GPU) and sleep while
the trainer updates. An engine that dies mid-batch has its requests retried once on a live
engine; it is replaced at the next weight sync, which brings it the current weights.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from ..errors import GymkitError
from .base import GenRequest, Generation, Policy, SamplingParams

log = logging.getLogger(__name__)


class EngineError(GymkitError):
    """An engine could not start, or every engine failed; the message names it."""


class EngineWorker:
    """One rollout engine (a Ray actor): a whole policy, its weights' version, sync group."""

    def __init__(self, model: str, backend: str, opts: dict[str, Any], index: int,
                 threads: int):
        import torch

        from . import load_policy

        if threads > 0:
            torch.set_num_threads(threads)
        self.index, self.version, self.group = index, 0, None
        self.policy = load_policy(model, backend, **opts)

    def ready(self) -> dict[str, Any]:
        return {"index": self.index, "pid": os.getpid(), "backend": self.policy.backend}

    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        out = self.policy.generate(requests, params)
        for g in out:
            g.version = self.version
        return out

    def load_state(self, state: dict, version: int) -> float:
        """Object-store strategy: the whole state (a Ray object, read in place)."""
        t0 = time.perf_counter()
        self.policy.sync_weights(state)
        self.version = version
        return time.perf_counter() - t0

    def master(self) -> int:
        """A free port on this host (not used: rank 0 of the sync group is train rank 0)."""
        import socket

        with socket.socket() as s:
            s.bind(("", 0))
            return s.getsockname()[1]

    def join_sync(self, addr: str, port: int, rank: int, world: int, backend: str,
                  timeout_s: float) -> int:
        from gymkit.trainers.weight_sync import SyncGroup

        self.group = SyncGroup(addr, port, rank, world, backend, timeout_s)
        return rank

    def receive(self, buckets: list, version: int) -> float:
        """Broadcast strategy: load every bucket as it arrives (the hf backend loads in
        place; a vllm engine on CPU reloads once, from all of them)."""
        from gymkit.trainers.weight_sync import receive_buckets

        if self.group is None:
            raise EngineError(f"engine {self.index} is in no sync group")
        t0 = time.perf_counter()
        model = getattr(self.policy, "model", None)
        if model is not None and hasattr(model, "load_state_dict"):
            missing = set(model.state_dict().keys())
            for bucket in receive_buckets(self.group, buckets):
                unknown = set(bucket) - missing
                if unknown:
                    raise EngineError(f"engine {self.index}: not weights of this model: "
                                      f"{sorted(unknown)[:3]}")
                model.load_state_dict(bucket, strict=False)
                missing -= set(bucket)
            if missing:
                raise EngineError(f"engine {self.index}: sync left {len(missing)} tensors "
                                  f"stale, e.g. {sorted(missing)[:3]}")
        else:
            state: dict = {}
            for bucket in receive_buckets(self.group, buckets):
                state.update({k: v.clone() for k, v in bucket.items()})
            self.policy.sync_weights(state)
        self.version = version
        return time.perf_counter() - t0

    def weights(self) -> dict:
        """The engine's current weights (tests compare them with the trainer's)."""
        model = getattr(self.policy, "model", None)
        if model is None:
            raise EngineError(f"engine {self.index}: the {self.policy.backend} backend does not "
                              "expose its weights")
        return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}

    def sleep(self) -> None:
        if hasattr(self.policy, "sleep"):
            self.policy.sleep()

    def close(self) -> None:
        self.policy.close()


class EnginePool(Policy):
    """`count` engine actors serving one policy; see the module docstring."""

    def __init__(self, model: str, backend: str, opts: dict[str, Any], engines: Any, *,
                 ray_address: str | None = None, placement_group: Any = None,
                 gpu_share: float = 0.0):
        import ray
        from ray.util.placement_group import placement_group as make_pg
        from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

        from ..pool import init_ray

        self.backend, self.model_id = f"engines:{backend}", model
        self.cfg, self.version, self.timeout = engines, 0, engines.timeout_s
        self._spec = (model, backend, dict(opts))
        init_ray(ray_address)
        gpus = ray.cluster_resources().get("GPU", 0)
        per_gpu = engines.gpus_per_engine if gpus > 0 else 0
        self._own_pg = placement_group is None
        if self._own_pg:
            bundle = {"CPU": engines.cpus_per_engine, **({"GPU": per_gpu} if per_gpu else {})}
            placement_group = make_pg([bundle] * engines.count, strategy="PACK")
            ready, _ = ray.wait([placement_group.ready()], timeout=engines.start_timeout_s)
            if not ready:
                ray.util.remove_placement_group(placement_group)
                raise EngineError(f"rollout engines: {engines.count} x {bundle} could not be "
                                  f"placed within {engines.start_timeout_s:.0f} s; cluster has "
                                  f"{ray.cluster_resources()}")
            gpu_share = per_gpu
        self.pg = placement_group
        self._options = lambda i: {
            "num_cpus": engines.cpus_per_engine,
            "num_gpus": gpu_share,
            "scheduling_strategy": PlacementGroupSchedulingStrategy(self.pg, i)}
        self.actors: list[Any] = [None] * engines.count
        self.stale: set[int] = set()  # dead: no requests until replaced
        self.syncing: set[int] = set()  # replaced, waiting for the current weights
        # async mode: a producer thread generates while the trainer syncs; both touch actors
        self._lock = threading.RLock()
        for i in range(engines.count):
            self._start(i)
        self._wait([a.ready.remote() for a in self.actors], "start", engines.start_timeout_s)

    def _start(self, i: int) -> None:
        import ray

        model, backend, opts = self._spec
        worker = ray.remote(max_restarts=0)(EngineWorker)
        threads = max(1, int(self.cfg.cpus_per_engine))
        self.actors[i] = worker.options(**self._options(i)).remote(model, backend, opts, i,
                                                                   threads)

    def _wait(self, refs: list, what: str, timeout_s: float | None = None) -> list:
        """One result per engine, or one line naming the first engine that failed or stalled."""
        import ray

        out = []
        timeout_s = timeout_s or self.timeout
        deadline = time.monotonic() + timeout_s
        for i, ref in enumerate(refs):
            try:
                out.append(ray.get(ref, timeout=max(0.0, deadline - time.monotonic())))
            except ray.exceptions.GetTimeoutError:
                raise EngineError(f"engine {i}: {what} did not finish within "
                                  f"{timeout_s:.0f} s") from None
            except ray.exceptions.RayActorError as e:
                raise EngineError(f"engine {i} died during {what}: {_first_line(e)}") from None
            except ray.exceptions.RayTaskError as e:
                raise EngineError(f"engine {i}: {what} failed: {type(e.cause).__name__}: "
                                  f"{_first_line(e.cause)}") from None
        return out

    @property
    def live(self) -> list[int]:
        return [i for i in range(len(self.actors))
                if i not in self.stale and i not in self.syncing]

    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        """Contiguous shares of the batch to the live engines, gathered in order. A share whose
        engine died is retried once on another live engine; the dead one waits for the sync."""
        import ray

        if not requests:
            return []
        # engines being replaced come back at the end of the sync that restarted them
        deadline = time.monotonic() + self.cfg.start_timeout_s + self.timeout
        while not self.live and self.syncing and time.monotonic() < deadline:
            time.sleep(0.2)
        with self._lock:
            live = self.live
            if not live:
                raise EngineError("every rollout engine is dead; the next weight sync "
                                  "restarts them")
            shares = _split(len(requests), len(live))
            refs = {}
            for eng, (lo, hi) in zip(live, shares):
                if hi > lo:
                    actor = self.actors[eng]
                    refs[actor.generate.remote(requests[lo:hi], params)] = (eng, actor, lo, hi)
        out: list[Generation | None] = [None] * len(requests)
        for ref, (eng, actor, lo, hi) in refs.items():
            try:
                got = ray.get(ref, timeout=self.cfg.generate_timeout_s)
            except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError) as e:
                log.warning("engine %d lost a share of %d requests (%s); retrying elsewhere",
                            eng, hi - lo, type(e).__name__)
                with self._lock:
                    if self.actors[eng] is actor:  # not replaced by a sync in the meantime
                        self.stale.add(eng)
                    ray.kill(actor, no_restart=True)
                got = self._retry(requests[lo:hi], params, eng)
            out[lo:hi] = got
        return out  # type: ignore[return-value]

    def _retry(self, requests: list[GenRequest], params: SamplingParams, dead: int) -> list[Generation]:
        import ray

        for eng in self.live:
            actor = self.actors[eng]
            try:
                return ray.get(actor.generate.remote(requests, params),
                               timeout=self.cfg.generate_timeout_s)
            except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
                with self._lock:
                    if self.actors[eng] is actor:
                        self.stale.add(eng)
        why = f"engine {dead} died and no live engine could take its requests"
        return [Generation(text="", finish_reason="error", error=why) for _ in requests]

    def kill_all(self) -> None:
        """Every engine out (a failed broadcast leaves the survivors blocked in it); the next
        sync restarts them and gives them the current weights."""
        import ray

        with self._lock:
            for i, a in enumerate(self.actors):
                ray.kill(a, no_restart=True)
                self.stale.add(i)

    def restart_dead(self) -> list[int]:
        """Replace dead engines (before a sync, which brings them the current weights)."""
        with self._lock:
            restarted = sorted(self.stale)
            for i in restarted:
                self._start(i)
            if restarted:
                self._wait([self.actors[i].ready.remote() for i in restarted], "restart",
                           self.cfg.start_timeout_s)
            self.syncing |= self.stale
            self.stale.clear()
        return restarted

    def synced(self) -> None:
        """Every engine holds the current weights: replaced ones take requests again."""
        with self._lock:
            self.syncing.clear()

    def sync_weights(self, model: Any) -> None:
        """Object-store strategy: one `ray.put`, every engine loads the same object."""
        import ray

        state = model.state_dict() if hasattr(model, "state_dict") else model
        self.restart_dead()
        self.version += 1
        ref = ray.put({k: v.detach() for k, v in state.items()})
        self._wait([a.load_state.remote(ref, self.version) for a in self.actors], "weight sync")
        self.synced()

    def sleep(self) -> None:
        """Colocated engines free their GPU memory while the trainer runs; separate ones keep
        theirs (nothing else needs it)."""
        if self.cfg.placement == "colocated":
            self._wait([self.actors[i].sleep.remote() for i in self.live], "sleep")

    def close(self) -> None:
        import ray

        for a in self.actors:
            if a is not None:
                ray.kill(a, no_restart=True)
        self.actors = []
        if self._own_pg and self.pg is not None:
            ray.util.remove_placement_group(self.pg)
        self.pg = None


def wait_named(calls: list[tuple[str, Any]], timeout_s: float, what: str,
               error: type[Exception] | None = None) -> list:
    """Results of concurrent calls, each labelled ("train rank 1", "engine 0"); the first
    that dies, raises or is still running at the deadline fails `what` in one line naming
    it. A dead member is named before the peers whose collectives it broke."""
    import ray

    if error is None:
        from gymkit.trainers.weight_sync import WeightSyncError as error

    pending = {ref: i for i, (_, ref) in enumerate(calls)}
    out: list[Any] = [None] * len(calls)
    failures: dict[int, str] = {}
    deadline = time.monotonic() + timeout_s
    while pending:
        done, _ = ray.wait(list(pending), num_returns=1,
                           timeout=max(0.0, deadline - time.monotonic()))
        if not done:
            break
        i = pending.pop(done[0])
        label = calls[i][0]
        try:
            out[i] = ray.get(done[0])
        except ray.exceptions.RayActorError as e:
            failures[i] = f"{label} died ({_first_line(e)})"
        except ray.exceptions.RayTaskError as e:
            failures[i] = f"{label} failed: {type(e.cause).__name__}: {_first_line(e.cause)}"
        if failures:
            deadline = min(deadline, time.monotonic() + 5)
    if failures:
        died = [i for i, m in failures.items() if " died " in m]
        exc = error(f"{what}: {failures[died[0] if died else min(failures)]}")
        exc.failed = {calls[i][0]: m for i, m in failures.items()}  # label -> why, for recovery
        raise exc
    if pending:
        stuck = ", ".join(calls[i][0] for i in sorted(pending.values()))
        raise error(f"{what}: {stuck} did not finish within {timeout_s:.0f} s")
    return out


def _split(n: int, k: int) -> list[tuple[int, int]]:
    """`n` items in `k` contiguous shares differing by at most one."""
    base, extra = divmod(n, k)
    out, lo = [], 0
    for i in range(k):
        hi = lo + base + (1 if i < extra else 0)
        out.append((lo, hi))
        lo = hi
    return out


def _first_line(e: BaseException | None) -> str:
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    return (lines[-1] if lines else type(e).__name__)[:200]
