"""Env hosting: `EnvPool` runs envs in Ray actors; `LocalPool` runs them in-process.

Both speak one small protocol to the driver: `submit(key, task, message)` queues one env step
for episode `key`, and `poll()` returns finished steps as they come, so verification never
blocks generation. Faults are absorbed here, and every submitted step comes back:

- An actor that dies is replaced, and the episodes it held are rebuilt on the new actor by
  replaying their actions (episodes are deterministic given task and actions). A step is
  retried at most `max_retries` times; after that it comes back as status `error`.
- A step that outlives `step_timeout_s` is cut off: the actor is killed and replaced, the
  step comes back as status `timeout`, and the actor's other episodes are replayed.

Each actor runs one call at a time, so a deadline counts run time, never time spent queued.
A call carries up to `batch` queued steps (one round trip for many cheap verifications) and
streams each step's result back as soon as it is done. The deadline is per step, not per call:
it restarts with every result, so a batch of slow-but-honest verifications is never cut off,
and when one step hangs, only that step comes back as `timeout`; the steps queued behind it
move to the replacement actor without being charged a retry.
"""
from __future__ import annotations

import collections
import logging
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from .env import BaseEnv, Episode
from .registry import get_env_class
from .types import Message, Score, Step, Task

log = logging.getLogger(__name__)
Result = tuple[str, Step]


class EnvHost:
    """Holds one env and its live episodes. Runs in-process or as the body of a Ray actor."""

    def __init__(self, env_cls: type[BaseEnv], config: dict[str, Any] | None = None):
        self.env = env_cls(**(config or {}))
        self.episodes: dict[str, Episode] = {}

    def step(self, key: str, task: Task, replay: list[Message], message: Message) -> Step:
        t0 = time.monotonic()
        result = self._step(key, task, replay, message)
        result.info["env_s"] = time.monotonic() - t0  # env work only, not queueing or polling
        return result

    def _step(self, key: str, task: Task, replay: list[Message], message: Message) -> Step:
        try:
            ep = self.episodes.get(key)
            if ep is None:
                ep = self.env.reset(task)
                for action in replay:
                    self.env.step(ep, action)
                self.episodes[key] = ep
            result = self.env.step(ep, message)
        except Exception as e:  # an env bug: recorded as status error, never a silent zero
            log.exception("env %s failed on episode %s", self.env.name, key)
            self.drop(key)
            return Step(done=True, score=Score.failed(
                f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}"))
        if result.done:
            self.drop(key)  # free state as soon as the episode ends
        return result

    def step_many(self, items: list[tuple[str, Task, list[Message], Message]]) -> list[Step]:
        """Several steps in one call: one round trip for many cheap verifications."""
        return [self.step(*item) for item in items]

    def step_stream(self, items: list[tuple[str, Task, list[Message], Message]]):
        """`step_many`, yielding each step as it finishes (a Ray streaming generator)."""
        for item in items:
            yield self.step(*item)

    def drop(self, key: str) -> None:
        ep = self.episodes.pop(key, None)
        if ep is not None:
            try:
                self.env.end_episode(ep)
            except Exception:  # cleanup failure must not turn a verdict into an error
                log.exception("env %s failed to end episode %s", self.env.name, key)

    def live(self) -> int:
        return len(self.episodes)

    def ping(self) -> int:
        return os.getpid()


@dataclass
class _Call:
    """One streaming actor call in flight: its steps, how many came back, when the last did."""

    env: str
    slot: int
    batch: list[tuple[str, Message]]
    since: float  # when the step now running started (the call's start, then each result)
    done: int = 0


@dataclass
class _Episode:
    env: str
    task: Task
    actions: list[Message] = field(default_factory=list)  # accepted steps, for replay
    slot: int = -1  # actor index in the env's pool
    generation: int = -1  # the actor generation that holds its state
    attempts: int = 0


class LocalPool:
    """In-process pool with the same protocol: for tests, debugging and `gymkit verify`.

    It cannot cut off a hung env (there is no process to kill); `EnvPool` can.
    """

    def __init__(self, envs: list[str] | dict[str, type[BaseEnv]], env_config: dict | None = None):
        classes = envs if isinstance(envs, dict) else {n: get_env_class(n) for n in envs}
        cfg = env_config or {}
        self.hosts = {n: EnvHost(c, cfg.get(n)) for n, c in classes.items()}
        self._done: collections.deque[Result] = collections.deque()

    def submit(self, key: str, task: Task, message: Message) -> None:
        host = self.hosts.get(task.env)
        if host is None:
            self._done.append((key, Step(done=True, score=Score.failed(
                f"env {task.env!r} is not in this pool ({', '.join(self.hosts)})"))))
            return
        self._done.append((key, host.step(key, task, [], message)))

    def pending(self) -> int:
        return len(self._done)

    def poll(self, timeout: float | None = None) -> list[Result]:
        out = list(self._done)
        self._done.clear()
        return out

    def env(self, name: str) -> BaseEnv:
        return self.hosts[name].env

    def close(self) -> None:
        for h in self.hosts.values():
            h.env.close()


def init_ray(address: str | None = None, num_cpus: int | None = None) -> None:
    """Start Ray on this machine (all cores) or join the cluster at `address`."""
    import ray

    if ray.is_initialized():
        return
    kw: dict[str, Any] = {"include_dashboard": False, "ignore_reinit_error": True,
                          "log_to_driver": True, "logging_level": logging.WARNING}
    if address:
        ray.init(address=address, **kw)
    else:
        # A local Ray stays on loopback: nothing of ours listens on other interfaces.
        ray.init(num_cpus=num_cpus or os.cpu_count() or 1, _node_ip_address="127.0.0.1", **kw)


def _ship_by_value(cls: type) -> None:
    """Envs defined in a user's script or a test module travel to workers by value."""
    mod = sys.modules.get(cls.__module__)
    if mod is not None and not cls.__module__.startswith("gymkit."):
        import ray.cloudpickle as cp

        cp.register_pickle_by_value(mod)


class EnvPool:
    """A pool of Ray actors per env. See the module docstring for the fault model."""

    def __init__(self, envs: list[str] | dict[str, type[BaseEnv]], actors_per_env: int = 1,
                 step_timeout_s: float = 60.0, max_retries: int = 2,
                 env_config: dict | None = None, ray_address: str | None = None,
                 actor_cpus: float = 0.0, batch: int = 16):
        import ray

        init_ray(ray_address)
        self._ray = ray
        classes = envs if isinstance(envs, dict) else {n: get_env_class(n) for n in envs}
        self.step_timeout_s, self.max_retries, self.batch = step_timeout_s, max_retries, batch
        self._cfg = env_config or {}
        self._remote = {}
        for name, cls in classes.items():
            _ship_by_value(cls)
            self._remote[name] = ray.remote(num_cpus=actor_cpus, max_restarts=0)(EnvHost)
        self._classes = classes
        self.actors: dict[str, list[Any]] = {}
        self.generation: dict[str, list[int]] = {}
        for name in classes:
            self.actors[name] = [self._spawn(name) for _ in range(max(1, actors_per_env))]
            self.generation[name] = [0] * len(self.actors[name])
        self._episodes: dict[str, _Episode] = {}
        self._queues: dict[tuple[str, int], collections.deque] = collections.defaultdict(
            collections.deque)
        self._inflight: dict[Any, _Call] = {}  # streaming generator -> its call
        self._busy: set[tuple[str, int]] = set()
        self._done: collections.deque[Result] = collections.deque()
        self._rr: dict[str, int] = collections.defaultdict(int)
        self.restarts = 0
        ray.get([a.ping.remote() for acts in self.actors.values() for a in acts])

    def _spawn(self, name: str):
        return self._remote[name].remote(self._classes[name], self._cfg.get(name))

    # ------------------------------------------------------------------ protocol
    def submit(self, key: str, task: Task, message: Message) -> None:
        ep = self._episodes.get(key)
        if ep is None:
            if task.env not in self.actors:
                self._done.append((key, Step(done=True, score=Score.failed(
                    f"env {task.env!r} is not in this pool ({', '.join(self.actors)})"))))
                return
            slot = self._rr[task.env] % len(self.actors[task.env])
            self._rr[task.env] += 1
            ep = self._episodes[key] = _Episode(task.env, task, slot=slot)
        self._queues[(ep.env, ep.slot)].append((key, message))
        self._dispatch(ep.env, ep.slot)

    def pending(self) -> int:
        return len(self._done) + len(self._inflight) + sum(len(q) for q in self._queues.values())

    def poll(self, timeout: float | None = None) -> list[Result]:
        """Finished steps; waits up to `timeout` seconds (None: until at least one is ready)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._done and self._inflight:
            now = time.monotonic()
            first_due = min(c.since for c in self._inflight.values()) + self.step_timeout_s
            wait = max(0.0, first_due - now)
            if deadline is not None:
                wait = min(wait, max(0.0, deadline - now))
            self._ray.wait(list(self._inflight), num_returns=1, timeout=wait)
            # Collect everything that finished before judging deadlines: a step that completed
            # while the driver was busy elsewhere (e.g. starting a replacement) is not late.
            for gen in list(self._inflight):
                self._drain(gen)
            self._expire()
            if deadline is not None and time.monotonic() >= deadline:
                break
        out = list(self._done)
        self._done.clear()
        return out

    # ------------------------------------------------------------------ internals
    def _dispatch(self, env: str, slot: int) -> None:
        q = self._queues[(env, slot)]
        if (env, slot) in self._busy or not q:
            return
        batch = [q.popleft() for _ in range(min(self.batch, len(q)))]
        gen = self.generation[env][slot]
        items = []
        for key, message in batch:
            ep = self._episodes[key]
            items.append((key, ep.task, ep.actions if ep.generation != gen else [], message))
            ep.generation = gen
        stream = self.actors[env][slot].step_stream.options(num_returns="streaming").remote(items)
        self._inflight[stream] = _Call(env, slot, batch, since=time.monotonic())
        self._busy.add((env, slot))

    def _finish(self, key: str, step: Step) -> None:
        ep = self._episodes.pop(key) if step.done else self._episodes[key]
        self._done.append((key, step))

    def _drain(self, gen) -> None:
        """Take every result `gen` has ready; close the call when it ended or its actor died."""
        call = self._inflight[gen]
        while self._ray.wait([gen], num_returns=1, timeout=0)[0]:
            try:
                step = self._ray.get(next(gen))
            except StopIteration:
                self._end_call(gen)
                for key, _ in call.batch[call.done:]:  # an actor that answered fewer steps
                    self._episodes.pop(key, None)
                    self._done.append((key, Step(done=True, score=Score.failed(
                        f"env actor returned {call.done} results for {len(call.batch)} steps"))))
                self._dispatch(call.env, call.slot)
                return
            except self._ray.exceptions.RayActorError as e:
                self._end_call(gen)
                self._replace_actor(call.env, call.slot, reason=f"actor died: {type(e).__name__}")
                why = f"env actor died: {str(e).splitlines()[0][:200]}"
                running, *queued = call.batch[call.done:]
                self._requeue(call.env, call.slot, queued)  # never started: no retry charged
                self._retry(*running, why)
                self._dispatch(call.env, call.slot)
                return
            key, message = call.batch[call.done]
            call.done += 1
            call.since = time.monotonic()
            ep = self._episodes[key]
            ep.actions.append(message)
            ep.attempts = 0
            self._finish(key, step)

    def _end_call(self, gen) -> None:
        call = self._inflight.pop(gen)
        self._busy.discard((call.env, call.slot))

    def _requeue(self, env: str, slot: int, steps: list[tuple[str, Message]]) -> None:
        self._queues[(env, slot)].extendleft(reversed(steps))

    def _retry(self, key: str, message: Message, why: str) -> None:
        ep = self._episodes[key]
        ep.attempts += 1
        if ep.attempts > self.max_retries:
            self._episodes.pop(key)
            self._done.append((key, Step(done=True, score=Score.failed(
                f"{why} (gave up after {self.max_retries} retries)"))))
            return
        self._queues[(ep.env, ep.slot)].appendleft((key, message))

    def _expire(self) -> None:
        """Cut off calls whose running step is past its deadline: that step alone times out."""
        now = time.monotonic()
        for gen, call in list(self._inflight.items()):
            if now - call.since < self.step_timeout_s:
                continue
            if self._ray.wait([gen], num_returns=1, timeout=0)[0]:  # moved on after all
                self._drain(gen)
                continue
            self._end_call(gen)
            self._replace_actor(call.env, call.slot, reason=f"step exceeded {self.step_timeout_s}s")
            (key, _), *queued = call.batch[call.done:]
            self._episodes.pop(key)
            self._done.append((key, Step(done=True, score=Score.failed(
                f"env step exceeded the {self.step_timeout_s:g}s hard timeout", status="timeout"))))
            self._requeue(call.env, call.slot, queued)
            self._dispatch(call.env, call.slot)

    def _replace_actor(self, env: str, slot: int, reason: str) -> None:
        """Kill and respawn an actor; its episodes replay onto the new one on their next step."""
        log.warning("replacing %s actor %d: %s", env, slot, reason)
        self.restarts += 1
        try:
            self._ray.kill(self.actors[env][slot], no_restart=True)
        except Exception:  # already dead: nothing to kill
            log.debug("kill of %s actor %d failed", env, slot, exc_info=True)
        self.actors[env][slot] = self._spawn(env)
        self.generation[env][slot] += 1
        # Wait for the replacement to start, so start-up never counts against a step's deadline.
        try:
            self._ray.get(self.actors[env][slot].ping.remote(), timeout=120)
        except Exception:  # a replacement that cannot start: its steps fail and are retried
            log.exception("replacement %s actor %d did not start", env, slot)

    def kill_actor(self, env: str, slot: int = 0) -> None:
        """Kill an actor without telling the pool (fault injection for tests and drills)."""
        self._ray.kill(self.actors[env][slot], no_restart=True)

    def close(self) -> None:
        for acts in self.actors.values():
            for a in acts:
                self._ray.kill(a, no_restart=True)
        self.actors.clear()
