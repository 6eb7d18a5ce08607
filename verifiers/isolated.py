"""Call a function in a persistent worker process, with a hard timeout.

Verifiers that run third-party parsers on untrusted text (sympy, math-verify, latex2sympy) can
hang (power towers), eat all memory, or need `signal.alarm`, which only works in the main thread
of a process. `IsolatedWorker` runs such calls in a separate, warm process:

    worker = IsolatedWorker(initializer=_warm_up, timeout=5.0, max_memory_mb=2048)
    try:
        result = worker.call(my_module_level_fn, arg1, arg2)
    except CallTimeout:      # the worker hung: it was killed and is respawned on the next call
        ...
    except WorkerStartFailed: # no worker could be started: infrastructure, not the arguments
        ...
    except RemoteError as e: # `my_module_level_fn` raised; e.type_name / e.remote_traceback
        ...

- The worker is started lazily on the first call and kept warm between calls (one pipe round
  trip, ~0.1 ms, per call), so the per-call cost is the function itself.
- On timeout the worker is SIGKILLed and a fresh one is started on the next call. A worker that
  died (segfault, out of memory) is reported as `WorkerCrashed` and respawned the same way.
- `fn` and its arguments must be picklable: use module-level functions.
- Calls are serialised by a lock: one worker runs one call at a time. Use several workers (or
  `shared_worker` keys) for parallelism.
- The worker exits by itself when its parent dies (its pipe reaches EOF).
"""
from __future__ import annotations

import logging
import pickle
import socket
import subprocess
import sys
import threading
import traceback
from multiprocessing.connection import Connection
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class IsolatedError(Exception):
    """Base class of the errors `IsolatedWorker.call` raises."""


class CallTimeout(IsolatedError):
    """The call ran past its timeout; the worker was killed."""


class WorkerCrashed(IsolatedError):
    """The worker process died during the call (signal, out of memory, os._exit)."""


class WorkerStartFailed(IsolatedError):
    """The worker could not start (import error, broken initializer, start-up timeout).

    Unlike the other errors this is never caused by a call's arguments: callers that score
    untrusted content report it as an infrastructure failure, not as a verdict.
    """


class RemoteError(IsolatedError):
    """The function raised inside the worker. Carries the remote type name and traceback."""

    def __init__(self, type_name: str, message: str, remote_traceback: str) -> None:
        super().__init__(f"{type_name}: {message}")
        self.type_name = type_name
        self.message = message
        self.remote_traceback = remote_traceback


def _limit_memory(max_memory_mb: int | None) -> None:
    if not max_memory_mb:
        return
    import resource

    limit = max_memory_mb * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(fd: int) -> None:
    """Entry point of the worker process: read its set-up, then serve calls on `fd`."""
    conn = Connection(fd)
    try:
        initializer, max_memory_mb = conn.recv()
    except (EOFError, OSError):
        return
    _serve(conn, initializer, max_memory_mb)


def _serve(conn, initializer: Callable[[], Any] | None, max_memory_mb: int | None) -> None:
    """The worker's loop: receive (fn, args, kwargs), send back ("ok", value) or ("err", ...)."""
    _limit_memory(max_memory_mb)
    try:
        if initializer is not None:
            initializer()
        conn.send(("ready",))
    except BaseException as e:  # report a broken initializer instead of dying silently
        conn.send(("err", type(e).__name__, str(e)[:2000], traceback.format_exc(limit=8)))
        return
    while True:
        try:
            fn, args, kwargs = conn.recv()
        except (EOFError, OSError):  # the parent is gone: nothing left to serve
            return
        try:
            reply = ("ok", fn(*args, **kwargs))
        except BaseException as e:  # everything goes back to the caller, typed
            reply = ("err", type(e).__name__, str(e)[:2000], traceback.format_exc(limit=8))
        try:
            conn.send(reply)
        except (EOFError, OSError, BrokenPipeError):
            return
        except Exception as e:  # an unpicklable result must not kill the worker
            conn.send(("err", type(e).__name__, f"result not picklable: {e}", ""))


class IsolatedWorker:
    """A warm worker process that runs functions with a hard timeout (see module docstring).

    Args:
        initializer: module-level function run once in each fresh worker (imports, warm-up).
        timeout: default seconds per call.
        max_memory_mb: address-space limit of the worker (RLIMIT_AS), None for no limit.
        start_timeout: seconds a fresh worker may take to import and run `initializer`.
    """

    def __init__(self, initializer: Callable[[], Any] | None = None, *, timeout: float = 5.0,
                 max_memory_mb: int | None = None, start_timeout: float = 120.0) -> None:
        self.initializer = initializer
        self.timeout = timeout
        self.max_memory_mb = max_memory_mb
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._conn = None
        self._lock = threading.Lock()
        self.restarts = 0  # how many times a worker was killed or found dead

    def _start(self) -> None:
        # A fresh interpreter, not multiprocessing: spawn would re-import the caller's
        # __main__ (breaking unguarded scripts) and fork is unsafe under threads (Ray actors).
        ours, theirs = socket.socketpair()
        cmd = [sys.executable, "-c",
               f"from gymkit.verifiers.isolated import _child_main; _child_main({theirs.fileno()})"]
        try:
            proc = subprocess.Popen(cmd, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                    start_new_session=True)  # no Ctrl-C from the terminal
        except OSError as e:
            ours.close()
            theirs.close()
            raise WorkerStartFailed(f"cannot start the worker process: {e}") from None
        theirs.close()
        parent = Connection(ours.detach())
        self._proc, self._conn = proc, parent
        try:
            parent.send((self.initializer, self.max_memory_mb))
        except (OSError, pickle.PicklingError) as e:
            self._kill()
            raise WorkerStartFailed(f"cannot send the initializer: {e}") from None
        # wait for the initializer here, so that call timeouts never include start-up
        try:
            hello = parent.recv() if parent.poll(self.start_timeout) else None
        except (EOFError, OSError):
            hello = ("err", "WorkerCrashed", "worker died while starting", "")
        if hello is None or hello[0] != "ready":
            self._kill()
            if hello is None:
                raise WorkerStartFailed(f"worker did not start within {self.start_timeout:g}s")
            raise WorkerStartFailed(f"worker initializer failed: {hello[1]}: {hello[2]}\n{hello[3]}")

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None

    def start(self) -> "IsolatedWorker":
        """Start the worker now (otherwise the first call starts it). Returns self."""
        with self._lock:
            if self._proc is None:
                self._start()
        return self

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None,
             **kwargs: Any) -> Any:
        """Run `fn(*args, **kwargs)` in the worker and return its result.

        The timeout covers the call only, not a (re)start of the worker and its initializer.
        Raises CallTimeout, WorkerCrashed or RemoteError for the call, WorkerStartFailed when
        no worker could be started.
        """
        limit = self.timeout if timeout is None else timeout
        with self._lock:
            if not self._alive():
                if self._proc is not None:
                    self.restarts += 1
                self._kill()
                self._start()
            try:
                self._conn.send((fn, args, kwargs))
                ready = self._conn.poll(limit)
                reply = self._conn.recv() if ready else None
            except (EOFError, OSError, BrokenPipeError) as e:
                self._kill()
                self.restarts += 1
                raise WorkerCrashed(f"worker died during {getattr(fn, '__name__', fn)}: "
                                    f"{type(e).__name__}") from None
            if reply is None:
                self._kill()
                self.restarts += 1
                raise CallTimeout(f"{getattr(fn, '__name__', fn)} ran past {limit:g}s; "
                                  "worker killed")
        if reply[0] == "ok":
            return reply[1]
        raise RemoteError(*reply[1:])

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            self._kill()

    def __enter__(self) -> "IsolatedWorker":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            proc.kill()


_SHARED: dict[str, IsolatedWorker] = {}
_SHARED_LOCK = threading.Lock()


def shared_worker(key: str, **kwargs: Any) -> IsolatedWorker:
    """The process-wide worker named `key`, created with `kwargs` on first use.

    Lets every env instance in one process (or Ray actor) share one warm worker.
    """
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = IsolatedWorker(**kwargs)
        return _SHARED[key]
