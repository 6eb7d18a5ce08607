"""The server's engine: envs, live sessions, and bounded, deadlined env work.

Env calls are blocking Python (verifiers, sandboxes), so they run in a thread pool. A
semaphore holds at most `concurrency` of them at once; a request waits for a slot, and its
deadline (`step_timeout_s`) counts from its arrival, so a request under load comes back with
status `timeout` rather than hanging. A thread cannot be killed: an env call that outlives
its deadline keeps its slot until it returns, and its session is dropped (its state is
unknown). Sessions end when their episode does, or after `idle_timeout_s` without a request.
"""
from __future__ import annotations

import asyncio
import logging
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from gymkit.env import BaseEnv, Episode, play
from gymkit.errors import GymkitError
from gymkit.registry import get_env_class
from gymkit.types import Message, Score, Step, Task

log = logging.getLogger(__name__)


class _Overran(asyncio.TimeoutError):
    """The env call started and outlived its deadline (it still runs in its thread)."""


@dataclass
class Session:
    """One live episode on the server."""

    env: str
    episode: Episode
    last_used: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one step at a time per episode


class EnvService:
    """Hosts named envs and their sessions; every public coroutine returns, never raises."""

    def __init__(self, envs: list[str] | dict[str, type[BaseEnv]],
                 env_config: dict[str, dict] | None = None, concurrency: int = 32,
                 step_timeout_s: float = 60.0, idle_timeout_s: float = 600.0,
                 max_sessions: int = 100_000):
        classes = envs if isinstance(envs, dict) else {n: get_env_class(n) for n in envs}
        cfg = env_config or {}
        self.envs: dict[str, BaseEnv] = {n: c(**cfg.get(n, {})) for n, c in classes.items()}
        self.concurrency, self.step_timeout_s = concurrency, step_timeout_s
        self.idle_timeout_s, self.max_sessions = idle_timeout_s, max_sessions
        self.sessions: dict[str, Session] = {}
        # verdicts of sessions that ended on a NeMo Gym tool call (turn limit), kept for
        # /verify: session id -> (task, score, when)
        self.ended: dict[str, tuple[Task, Score, float]] = {}
        # caller-named sessions closed by /close_session: a late seed must not revive them
        self.closed_ids: dict[str, float] = {}
        self._executor = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="env")
        self._slots: asyncio.Semaphore | None = None  # made on the server's event loop
        self.counts: dict[str, int] = {}  # statuses returned, for /health

    # ------------------------------------------------------------------ env work
    async def _call(self, fn: Callable[[], Any], deadline: float,
                    on_late: Callable[[Any], None] | None = None) -> Any:
        """Run `fn` in the pool within `deadline` (loop time); raises asyncio.TimeoutError
        when no slot came in time, `_Overran` when `fn` started but did not finish in time:
        then `on_late(result)` runs in the pool once it returns."""
        loop = asyncio.get_running_loop()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        await asyncio.wait_for(self._slots.acquire(), max(0.0, deadline - loop.time()))
        fut = loop.run_in_executor(self._executor, fn)
        fut.add_done_callback(lambda _: self._slots.release())  # the slot lives as the thread does
        try:
            return await asyncio.wait_for(asyncio.shield(fut), max(0.0, deadline - loop.time()))
        except asyncio.TimeoutError:
            if on_late is not None:
                fut.add_done_callback(lambda f: f.cancelled() or f.exception() or
                                      self._executor.submit(on_late, f.result()))
            raise _Overran() from None

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.step_timeout_s

    def _timeout(self, what: str) -> Score:
        return Score.failed(f"{what} exceeded the server's {self.step_timeout_s:g}s deadline "
                            f"(waiting for a slot included)", status="timeout")

    def _count(self, status: str) -> None:
        self.counts[status] = self.counts.get(status, 0) + 1

    # ------------------------------------------------------------------ sessions
    async def open(self, task: Task, sid: str | None = None) -> tuple[str | None, Score | None]:
        """A new session for `task` (under the caller's `sid` if given): (session id, None), or
        (None, the failure's score)."""
        env = self.envs.get(task.env)
        if env is None:
            return None, Score.failed(f"env {task.env!r} is not served here "
                                      f"({', '.join(self.envs)})")
        if len(self.sessions) >= self.max_sessions:
            self.expire()  # only when full: a sweep walks every session
        if len(self.sessions) >= self.max_sessions:
            return None, Score.failed(f"server holds its limit of {self.max_sessions} sessions")
        try:
            episode = await self._call(lambda: env.reset(task), self._deadline(),
                                       on_late=lambda ep: _end(env, ep))  # nobody will use it
        except asyncio.TimeoutError:
            return None, self._timeout("reset")
        except Exception as e:  # an env bug in reset: recorded, with its traceback in the log
            log.exception("env %s failed to reset task %s", task.env, task.id)
            return None, Score.failed(f"reset failed: {type(e).__name__}: {e}")
        sid = sid or uuid.uuid4().hex
        self.sessions[sid] = Session(task.env, episode, time.monotonic())
        return sid, None

    async def step(self, sid: str, message: Message) -> Step:
        """One env step of session `sid`; a finished or failed episode frees its session."""
        s = self.sessions.get(sid)
        if s is None:
            return self._done(Score.failed(f"unknown or expired session {sid[:40]!r}"))
        async with s.lock:
            if self.sessions.get(sid) is not s:  # ended while this request waited for the lock
                return self._done(Score.failed(f"session {sid[:40]!r} already ended"))
            s.last_used = time.monotonic()
            env = self.envs[s.env]
            try:
                result = await self._call(lambda: _timed_step(env, s.episode, message),
                                          self._deadline(),
                                          on_late=lambda _: _end(env, s.episode))
            except _Overran:
                # the step may still be changing the episode: it cannot go on, and it is ended
                # once that step returns (on_late), never under it
                self.sessions.pop(sid, None)
                return self._done(self._timeout("env step"))
            except asyncio.TimeoutError:  # never started: the episode is intact, but late
                self.close(sid)
                return self._done(self._timeout("env step"))
            s.last_used = time.monotonic()
        if result.done:
            self.close(sid)
            self._count(result.score.status if result.score else "error")
        else:
            self._count("running")
        return result

    async def play(self, task: Task, actions: list[Message]) -> Score:
        """Score a whole transcript statelessly: a fresh episode replays `actions`."""
        env = self.envs.get(task.env)
        if env is None:
            score = Score.failed(f"env {task.env!r} is not served here ({', '.join(self.envs)})")
        else:
            try:
                score = (await self._call(lambda: _safe_play(env, task, actions),
                                          self._deadline()))
            except asyncio.TimeoutError:
                score = self._timeout("verify")
        self._count(score.status)
        return score

    def _done(self, score: Score) -> Step:
        self._count(score.status)
        return Step(done=True, score=score)

    def close(self, sid: str) -> bool:
        """End session `sid` now (its env frees what the episode held)."""
        s = self.sessions.pop(sid, None)
        if s is None:
            return False
        env, ep = self.envs[s.env], s.episode
        self._executor.submit(_end, env, ep)  # cleanup may block (sandboxes): off the loop
        return True

    def expire(self) -> int:
        """Close sessions idle for longer than `idle_timeout_s`; returns how many."""
        cutoff = time.monotonic() - self.idle_timeout_s
        stale = [sid for sid, s in self.sessions.items()
                 if s.last_used < cutoff and not s.lock.locked()]
        for sid in stale:
            self.close(sid)
        for sid in [k for k, (_, _, t) in self.ended.items() if t < cutoff]:
            del self.ended[sid]
        for sid in [k for k, t in self.closed_ids.items() if t < cutoff - self.idle_timeout_s]:
            del self.closed_ids[sid]  # kept two idle timeouts: late seeds come well before
        return len(stale)

    async def expire_forever(self) -> None:
        """Background task: sweep idle sessions a few times per idle timeout."""
        while True:
            await asyncio.sleep(max(0.05, min(30.0, self.idle_timeout_s / 4)))
            n = self.expire()
            if n:
                log.info("expired %d idle sessions", n)

    def shutdown(self) -> None:
        for sid in list(self.sessions):
            self.close(sid)
        self._executor.shutdown(wait=False, cancel_futures=True)
        for env in self.envs.values():
            env.close()


def _timed_step(env: BaseEnv, episode: Episode, message: Message) -> Step:
    t0 = time.monotonic()
    try:
        result = env.step(episode, message)
    except Exception as e:  # an env bug: status error with its traceback, never a silent zero
        log.exception("env %s failed on task %s", env.name, episode.task.id)
        result = Step(done=True, score=Score.failed(
            f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}"))
    if result.done and result.score is None:
        result.score = Score.failed("env ended the episode without a score")
    result.info["env_s"] = time.monotonic() - t0
    return result


def _safe_play(env: BaseEnv, task: Task, actions: list[Message]) -> Score:
    try:
        return play(env, task, actions)[1]
    except GymkitError as e:
        return Score.failed(str(e))
    except Exception as e:  # an env bug: status error, traceback in the log
        log.exception("env %s failed replaying task %s", env.name, task.id)
        return Score.failed(f"{type(e).__name__}: {e}")


def _end(env: BaseEnv, episode: Episode) -> None:
    try:
        env.end_episode(episode)
    except Exception:  # cleanup failure must not turn a verdict into an error
        log.exception("env %s failed to end an episode", env.name)
