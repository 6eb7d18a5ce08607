"""Where each step's rollouts come from: sampled in line (`rollout.mode: sync`, the default)
or by a producer thread that keeps the rollout engines busy while the trainer updates
(`rollout.mode: async`), at most `rollout.max_staleness` policy versions behind.

Versions: the weights the sampler holds after step s's sync are version s. The batch trained
at step s is sampled while the learner holds version s - 1, so in sync mode its staleness is 0.
In async mode the producer may *start* the batch of step s only once the sampler holds version
>= s - 1 - k: every turn of it is then at most k versions old when step s trains on it. Weights
may change between the turns of an episode (a sync waits for an engine's current generate
call, never cuts into it); every turn records its own version (`Rollout.versions`). Whatever
is still older than k at training time (an engine replaced mid-run) is dropped as a whole
group and counted, never trained on.

Liveness: the producer's calls all have deadlines (engine generate timeouts, env pool
deadlines), so every batch arrives with a status for every rollout; a producer that fails
hands its exception to the trainer, which raises it; `close()` stops it at the next batch.
"""
from __future__ import annotations

import queue
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

import torch

from ..driver import run_episodes
from ..types import Rollout


@dataclass
class Batch:
    """One step's rollouts, the data position after drawing them, and their timing."""

    step: int
    rollouts: list[Rollout]
    data_state: dict
    generate_s: float
    stats: dict[str, float] = field(default_factory=dict)


def tasks_digest(rollouts: list[Rollout]) -> int:
    """A short fingerprint of which tasks a batch holds (resume checks compare it)."""
    ids = sorted({f"{r.env}/{r.task_id}" for r in rollouts})
    return zlib.crc32("\n".join(ids).encode())


def drop_stale(rollouts: list[Rollout], version: int, k: int) -> tuple[list[Rollout], dict[str, float]]:
    """Keep the groups whose every turn is at most `k` versions behind `version` (the
    learner's weights before this step's update); a group with one stale sample goes whole,
    so group baselines never mix policies. Rollouts without versions (an in-process sampler)
    count as current."""
    def lag(r: Rollout) -> int:
        return version - min(r.versions) if r.versions else 0

    groups: dict[str, list[Rollout]] = {}
    for r in rollouts:
        groups.setdefault(f"{r.env}/{r.task_id}", []).append(r)
    kept, dropped = [], 0
    for group in groups.values():
        if any(lag(r) > k for r in group):
            dropped += len(group)
        else:
            kept += group
    lags = [lag(r) for r in kept] or [0]
    return kept, {"async/stale_dropped": float(dropped), "async/staleness_mean": sum(lags) / len(lags),
                  "async/staleness_max": float(max(lags))}


class SyncSource:
    """Today's loop: the batch of step s is sampled when step s asks for it."""

    def __init__(self, cfg, policy, pool, stream, blender, seed_of):
        self.cfg, self.policy, self.pool, self.stream = cfg, policy, pool, stream
        self.blender, self.seed_of = blender, seed_of

    def next(self, step: int) -> Batch:
        t0 = time.monotonic()
        seed = self.seed_of(step)
        torch.manual_seed(seed)
        params = self.cfg.rollout.sampling.model_copy(update={"seed": seed})
        tasks = self.stream.next(self.cfg.rollout.prompts_per_step)
        data_state = self.stream.state_dict()
        rollouts = run_episodes(tasks, self.policy, self.pool, params,
                                samples=self.cfg.rollout.samples_per_prompt,
                                on_group=self.blender.on_group if self.blender else None)
        if self.blender:
            self.blender.finish(rollouts)
        return Batch(step, rollouts, data_state, time.monotonic() - t0)

    def weights_updated(self, version: int) -> None:
        pass

    def close(self) -> None:
        pass


class _Failed:
    def __init__(self, exc: BaseException):
        self.exc = exc


class AsyncSource(SyncSource):
    """A producer thread samples ahead, gated by the policy version (module docstring)."""

    def __init__(self, cfg, policy, pool, stream, blender, seed_of, start: int, version: int):
        super().__init__(cfg, policy, pool, stream, blender, seed_of)
        self.k = cfg.rollout.max_staleness
        self.version, self.stop = version, False
        self.cond = threading.Condition()
        self.out: queue.Queue[Any] = queue.Queue(maxsize=max(1, self.k))
        self.wait_s = cfg.trainer.distributed.engines.generate_timeout_s + 600.0
        self.thread = threading.Thread(target=self._produce, args=(start,), daemon=True,
                                       name="gymkit-rollout-producer")
        self.thread.start()

    def _produce(self, start: int) -> None:
        try:
            for step in range(start + 1, self.cfg.steps + 1):
                with self.cond:
                    self.cond.wait_for(lambda: self.stop or self.version >= step - 1 - self.k)
                    if self.stop:
                        return
                    started_at = self.version
                batch = SyncSource.next(self, step)
                batch.stats["async/started_version"] = float(started_at)
                while not self.stop:
                    try:
                        self.out.put(batch, timeout=0.5)
                        break
                    except queue.Full:
                        continue
        except BaseException as exc:  # handed to the trainer, which raises it
            self.out.put(_Failed(exc))

    def next(self, step: int) -> Batch:
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                item = self.out.get(timeout=1.0)
                break
            except queue.Empty:
                if not self.thread.is_alive() and self.out.empty():
                    raise RuntimeError("the rollout producer stopped without a batch")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no rollouts for step {step} within {self.wait_s:.0f} s")
        if isinstance(item, _Failed):
            raise item.exc
        assert item.step == step, (item.step, step)
        return item

    def weights_updated(self, version: int) -> None:
        with self.cond:
            self.version = version
            self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.stop = True
            self.cond.notify_all()
        while not self.out.empty():
            self.out.get_nowait()
        self.thread.join(timeout=30.0)  # a batch in flight ends by its own deadlines
