"""Client side: start the fork server lazily, bound concurrency machine-wide, submit.

Concurrency is bounded across processes by `flock` on one file per slot: any number of
Ray workers on the host share `slots` = cores by default; a run that finds every slot
busy waits in line (it never fails). A dead holder's lock is released by the kernel.
"""
from __future__ import annotations

import fcntl
import logging
import os
import random
import socket
import subprocess
import sys
import threading
import time

from . import wire

log = logging.getLogger("gymkit.sandbox")

BASE_DIR = os.environ.get("GYMKIT_SANDBOX_DIR", "/tmp/gymkit-sandbox")
UID_BASE = 1_500_000  # slot i runs as uid UID_BASE + i: far from any real account
_HERE = os.path.dirname(os.path.abspath(__file__))
_BOOT = ("import importlib.util, sys\n"
         "spec = importlib.util.spec_from_file_location('_gymkit_sandbox', {init!r},"
         " submodule_search_locations=[{here!r}])\n"
         "mod = importlib.util.module_from_spec(spec); sys.modules['_gymkit_sandbox'] = mod\n"
         "spec.loader.exec_module(mod)\n"
         "from _gymkit_sandbox.server import main; main(sys.argv[1:])\n")


class SandboxError(RuntimeError):
    """The sandbox machinery itself failed (not the candidate): a bug or a dead server."""


def slot_count() -> int:
    """Machine-wide number of concurrent runs (GYMKIT_SANDBOX_SLOTS, default: cores)."""
    value = os.environ.get("GYMKIT_SANDBOX_SLOTS", "")
    return max(1, int(value)) if value.strip() else max(1, os.cpu_count() or 1)


class Slot:
    """One held concurrency slot; release it with `release()` or as a context manager."""

    def __init__(self, index: int, fd: int):
        self.index, self._fd = index, fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # closing drops the flock
            self._fd = -1

    def __enter__(self) -> "Slot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire_slot() -> Slot:
    """Take a free slot, or queue for one: waiters line up on a lock, one polls at a time."""
    n = slot_count()
    slot_dir = os.path.join(BASE_DIR, "slots")
    os.makedirs(slot_dir, mode=0o700, exist_ok=True)
    order = list(range(n))
    random.shuffle(order)  # spread concurrent callers over the slots
    slot = _try_slots(slot_dir, order)
    if slot is not None:
        return slot
    queue_fd = os.open(os.path.join(slot_dir, "queue.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(queue_fd, fcntl.LOCK_EX)  # first in line; the others block here
        delay = 0.0005
        while True:
            slot = _try_slots(slot_dir, order)
            if slot is not None:
                return slot
            time.sleep(delay)  # a slot frees within one run; poll with a capped backoff
            delay = min(delay * 1.5, 0.01)
    finally:
        os.close(queue_fd)


def _try_slots(slot_dir: str, order: list[int]) -> Slot | None:
    for i in order:
        fd = os.open(os.path.join(slot_dir, f"slot-{i}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return Slot(i, fd)
        except BlockingIOError:
            os.close(fd)
    return None


class ForkServer:
    """Handle on this process's fork server; restarted after a fork or a crash."""

    def __init__(self, mode: str, limits: dict):
        os.makedirs(os.path.join(BASE_DIR, "ws"), mode=0o711, exist_ok=True)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        boot = _BOOT.format(init=os.path.join(_HERE, "__init__.py"), here=_HERE)
        env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
               "LANG": "C.UTF-8"}  # the server, and every fork of it, holds no secret
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", boot, str(theirs.fileno()), mode, BASE_DIR,
             str(slot_count()), str(UID_BASE), str(limits["disk_mb"]), str(limits["inodes"])],
            env=env, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, cwd="/")
        theirs.close()
        self.ctrl, self.owner = ours, os.getpid()
        self.send_lock = threading.Lock()
        hello = wire.recv_msg(self.ctrl)
        self.mode, self.why = hello["mode"], hello["why"]
        self.tests, self.cgroup = hello.get("tests", "runner"), hello.get("cgroup")
        if self.mode != "namespaces":
            log.warning("gymkit.sandbox runs in WEAK mode %r (%s): no network, mount or pid "
                        "isolation; host files are protected only by permissions", self.mode,
                        self.why)

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.proc.poll() is None

    def submit(self, request: dict, wait_s: float) -> dict:
        """Send one request over a fresh socket; the runner answers on it."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        tests = any(job.get("test") is not None for job in request["jobs"])
        try:
            with self.send_lock:
                wire.send_fd(self.ctrl, theirs.fileno(), b"T" if tests else b"F")
            theirs.close()
            ours.settimeout(wait_s)
            wire.send_msg(ours, request)
            return wire.recv_msg(ours)
        finally:
            theirs.close()
            ours.close()

    def close(self) -> None:
        self.ctrl.close()
        self.proc.wait(timeout=10)


_server: ForkServer | None = None
_server_lock = threading.Lock()


def get_server() -> ForkServer:
    """This process's fork server, started on first use (and again after a fork)."""
    global _server
    with _server_lock:
        if _server is None or not _server.alive():
            from .api import LIMITS
            try:
                _server = ForkServer(os.environ.get("GYMKIT_SANDBOX_MODE", "auto"), LIMITS)
            except (OSError, wire.ConnectionLost) as exc:
                raise SandboxError(f"could not start the sandbox fork server: {exc}") from exc
        return _server


def submit(request: dict) -> dict:
    """Run one request (a list of jobs) in a slot; returns the runner's answer.

    Everything the candidate can make the runner do is bounded (its timeout, the kill,
    copies capped by the disk budget, no cleanup before the answer), so this wait only
    runs out when the sandbox itself is broken: that, and only that, is a SandboxError."""
    jobs = request["jobs"]
    wait_s = sum(job["timeout_s"] for job in jobs) + 60.0 + 5.0 * len(jobs)
    with acquire_slot() as slot:
        server = get_server()
        request["slot"] = slot.index
        if server.mode == "namespaces" or os.geteuid() == 0:  # never run a candidate as root
            request["uid"] = UID_BASE + slot.index
        try:
            answer = server.submit(request, wait_s)
        except (OSError, wire.ConnectionLost) as exc:
            raise SandboxError(f"sandbox runner failed: {exc}") from exc
    if "fault" in answer:
        raise SandboxError(f"sandbox runner failed: {answer['fault']}")
    return answer


def reset_server() -> None:
    """Stop this process's fork server; the next run starts a fresh one."""
    global _server
    with _server_lock:
        if _server is not None and _server.alive():
            _server.close()
        _server = None
