"""`HTTPPool`: the pool protocol (`submit` / `poll` / `pending`) against a remote env server.

It speaks the gymkit-native routes of `gymkit serve-env` (`/step`, `/close`): the first step
of an episode carries the task and opens a session; later steps carry its session id. Requests
run on a private asyncio loop in a background thread, at most `concurrency` at a time, so
`submit` never blocks the driver. Every submitted step comes back: a transport failure or a
bad answer is status `error`, a request past `request_timeout_s` is `timeout`.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
from typing import Any

from gymkit.errors import GymkitError
from gymkit.types import Message, Score, Step, Task

log = logging.getLogger(__name__)
Result = tuple[str, Step]


class HTTPPool:
    """Env steps scored by the env server at `url` (see `gymkit serve-env`)."""

    def __init__(self, url: str, envs: list[str] | None = None, concurrency: int = 64,
                 request_timeout_s: float = 120.0):
        import httpx

        self.url = url.rstrip("/")
        self.request_timeout_s = request_timeout_s
        self._sessions: dict[str, str] = {}  # episode key -> server session id
        self._done: queue.Queue[Result] = queue.Queue()
        self._pending = 0
        self._lock = threading.Lock()
        self.served = self._check(httpx, envs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name="gymkit-http-pool")
        self._thread.start()
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        self._client = self._run(self._make_client(httpx, limits))
        self._slots = asyncio.Semaphore(concurrency)

    def _check(self, httpx, envs: list[str] | None) -> list[str]:
        """The server's envs; one clear line if it is unreachable or lacks one we need."""
        try:
            resp = httpx.get(f"{self.url}/health", timeout=10)
            if resp.status_code == 404:  # no gymkit route: most likely a NeMo Gym server
                raise GymkitError(
                    f"{self.url} has no /health: it is not a `gymkit serve-env` server. For a "
                    "NeMo Gym resources server use the nemo_gym env instead: --env "
                    "gymkit.integrations.nemo_gym:NeMoGymEnv --env-option nemo_gym.url="
                    f"{self.url} --env-option nemo_gym.dataset=ROWS.jsonl")
            served = list(resp.json()["envs"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
            raise GymkitError(f"env server {self.url} did not answer /health: "
                              f"{type(e).__name__}: {e}") from None
        missing = sorted(set(envs or ()) - set(served))
        if missing:
            raise GymkitError(f"env server {self.url} does not serve {', '.join(missing)} "
                              f"(it serves: {', '.join(served)})")
        return served

    @staticmethod
    async def _make_client(httpx, limits):
        return httpx.AsyncClient(limits=limits, timeout=None)

    def _run(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    # ------------------------------------------------------------------ protocol
    def submit(self, key: str, task: Task, message: Message) -> None:
        with self._lock:
            self._pending += 1
        sid = self._sessions.get(key)
        body: dict[str, Any] = {"session_id": sid, "message": message}
        if sid is None:
            body["task"] = task.model_dump(mode="json")
        asyncio.run_coroutine_threadsafe(self._step(key, body), self._loop)

    def pending(self) -> int:
        return self._pending

    def poll(self, timeout: float | None = None) -> list[Result]:
        """Finished steps; waits up to `timeout` seconds (None: until at least one is ready)."""
        out: list[Result] = []
        if self._pending and (timeout is None or timeout > 0):
            try:
                out.append(self._done.get(timeout=timeout))
            except queue.Empty:
                return []
        while True:
            try:
                out.append(self._done.get_nowait())
            except queue.Empty:
                break
        with self._lock:
            self._pending -= len(out)
        for key, step in out:
            if step.done:
                self._sessions.pop(key, None)
            elif "session_id" in step.info:
                self._sessions[key] = step.info.pop("session_id")
        return out

    def close(self) -> None:
        """Free the sessions of unfinished episodes, then stop the client."""
        if self._loop.is_closed():
            return
        left = list(self._sessions.values())
        self._sessions.clear()
        try:
            self._run(self._close_all(left))
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
            self._loop.close()

    # ------------------------------------------------------------------ internals
    async def _step(self, key: str, body: dict[str, Any]) -> None:
        try:
            async with self._slots:
                step = await asyncio.wait_for(self._post(body), self.request_timeout_s)
        except asyncio.TimeoutError:
            step = Step(done=True, score=Score.failed(
                f"env server {self.url}: no answer within {self.request_timeout_s:g}s",
                status="timeout"))
        except Exception as e:  # transport failures: the step is recorded, never lost
            log.warning("env server %s failed a step: %s", self.url, e, exc_info=True)
            step = Step(done=True, score=Score.failed(
                f"env server {self.url}: {type(e).__name__}: {e}"))
        self._done.put((key, step))

    async def _post(self, body: dict[str, Any]) -> Step:
        resp = await self._client.post(f"{self.url}/step", json=body)
        try:
            data = resp.json()
        except ValueError:
            return Step(done=True, score=Score.failed(
                f"env server answered HTTP {resp.status_code} with non-JSON: {resp.text[:200]!r}"))
        if resp.status_code != 200 or not isinstance(data, dict) or "done" not in data:
            why = data.get("error") if isinstance(data, dict) else None
            return Step(done=True, score=Score.failed(
                f"env server answered HTTP {resp.status_code}: {why or str(data)[:200]}"))
        sid = data.pop("session_id", None)
        data.pop("status", None)
        step = Step.model_validate(data)
        if not step.done:
            step.info["session_id"] = sid  # taken off again in poll(), on the driver's thread
        return step

    async def _close_all(self, sids: list[str]) -> None:
        for sid in sids:
            try:
                await self._client.post(f"{self.url}/close", json={"session_id": sid}, timeout=5)
            except Exception as e:  # the server gone: its idle sweep frees them
                log.debug("could not close session %s: %s", sid, e)
        await self._client.aclose()
