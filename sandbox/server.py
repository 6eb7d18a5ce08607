"""The fork server: a small, warm process that forks one runner per request.

Started by the client with a scrubbed environment and without importing gymkit (only this
package, loaded under a private name), so a fork carries no secret and no heavy module.
In "namespaces" mode it first makes the whole filesystem read-only in a mount namespace of
its own, keeping only the workspace folder writable for the root-side runner.
"""
from __future__ import annotations

import gc
import importlib
import os
import signal
import socket
import stat
import sys

from . import linux, runner, wire

MODES = ("namespaces", "rlimits")


def _probe_namespaces() -> str | None:
    """Try everything a runner does, in a throwaway child; None if it all works."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            linux.unshare(linux.CLONE_NEWPID)
            inner = os.fork()
            if inner == 0:
                linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWIPC
                              | linux.CLONE_NEWUTS)
                # Private first: a shared / would carry this tmpfs back to the host's /tmp.
                linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
                linux.mount("tmpfs", "/tmp", "tmpfs", linux.MS_NOSUID, "size=1m")
                linux.mount("proc", "/proc", "proc", linux.MS_NOSUID)
                os._exit(0)
            _, status = os.waitpid(inner, 0)
            if status != 0:
                raise OSError("mount in a new namespace failed")
        except OSError as exc:
            os.write(w, str(exc).encode())
            os._exit(1)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        why = fh.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    return None if status == 0 else (why or f"probe exited with status {status}")


def _hidden_ancestor(path: str) -> str | None:
    """The top-most ancestor of `path` that other users cannot enter (e.g. /root)."""
    parts = os.path.abspath(path).split("/")[1:]
    for i in range(1, len(parts)):
        anc = "/" + "/".join(parts[:i])
        if not os.stat(anc).st_mode & stat.S_IXOTH:
            return anc
    return None


def _expose_interpreter() -> None:
    """Python may live under a private dir such as /root/.pyenv, which the sandbox uid
    cannot enter: cover that dir with an empty tmpfs (hiding the rest of it) and bind
    only the interpreter's own trees back in."""
    wanted = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    wanted |= {p for p in sys.path if p and os.path.isdir(p)}
    roots = sorted(p for p in map(os.path.realpath, wanted)
                   if not any(p.startswith(q + "/") for q in map(os.path.realpath, wanted)))
    by_anc: dict[str, list[str]] = {}
    for path in roots:
        anc = _hidden_ancestor(path)
        if anc is not None:
            by_anc.setdefault(anc, []).append(path)
    for anc, paths in by_anc.items():
        fds = [os.open(p, os.O_PATH | os.O_DIRECTORY) for p in paths]
        linux.mount("tmpfs", anc, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV, "size=1m,mode=755")
        for path, fd in zip(paths, fds):
            os.makedirs(path, mode=0o755, exist_ok=True)
            linux.mount(f"/proc/self/fd/{fd}", path, None, linux.MS_BIND | linux.MS_REC)
            os.close(fd)


def _readonly_root(base_dir: str) -> None:
    """This process and its runners see / read-only, except `base_dir` (workspaces), and
    share one network namespace with no interface up (not even loopback)."""
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWUTS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    _expose_interpreter()
    linux.mount(base_dir, base_dir, None, linux.MS_BIND | linux.MS_REC)
    linux.make_tree_readonly("/", recursive=True)
    linux.make_tree_readonly(base_dir, recursive=False, readonly=False)


def choose_mode(requested: str, base_dir: str) -> tuple[str, str]:
    """The strongest mode this kernel allows (or the requested weaker one), and why."""
    if requested == "rlimits":
        return "rlimits", "weak mode requested by GYMKIT_SANDBOX_MODE=rlimits"
    if os.geteuid() != 0:
        return "rlimits", "not running as root: namespaces and a separate uid need root here"
    why = _probe_namespaces()
    if why is not None:
        return "rlimits", f"the kernel refused namespaces: {why}"
    try:
        _readonly_root(base_dir)
    except OSError as exc:
        return "rlimits", f"the kernel refused a read-only root: {exc}"
    return "namespaces", "pid+mount+ipc namespaces per request, net+uts per server, read-only root, own uid per slot"


def _spawn_runner(conn_fd: int, ctrl: socket.socket, mode: str, pidns_fd: int | None) -> None:
    if mode == "namespaces":
        linux.unshare(linux.CLONE_NEWPID)  # the next child is pid 1 of a new namespace
    pid = os.fork()
    if pid == 0:
        ctrl.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        runner.serve(conn_fd, mode)
    if mode == "namespaces":
        linux.setns(pidns_fd, linux.CLONE_NEWPID)  # later children: back to our own


# Stdlib modules most solutions import (every HumanEval prompt starts with `from typing
# import ...`): loaded once here, they cost a forked candidate nothing. Pure stdlib, no state
# worth isolating (`random` reseeds itself in every forked child).
PRELOAD = ("atexit", "linecache", "threading", "traceback", "logging", "typing", "collections",
           "dataclasses", "enum", "functools", "itertools", "heapq", "bisect", "math", "re",
           "string", "json", "fractions", "decimal", "datetime", "random", "statistics",
           "operator", "copy")


def _preload() -> None:
    """Import what candidates and the harness use, then freeze: a fork then copies no page."""
    for name in PRELOAD:
        importlib.import_module(name)
    # Frozen objects are never scanned by the cyclic GC, so forks don't touch (copy) them.
    gc.disable()
    gc.freeze()


def main(argv: list[str]) -> None:
    """Entry point: `argv` = [control fd, requested mode, writable base dir]."""
    ctrl = socket.socket(fileno=int(argv[0]))
    mode, why = choose_mode(argv[1], argv[2])
    pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY) if mode == "namespaces" else None
    # Runners are reaped by the kernel; each one reports to its own client socket.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    _preload()
    wire.send_msg(ctrl, {"mode": mode, "why": why, "pid": os.getpid(),
                         "python": sys.version.split()[0]})
    while True:
        conn_fd = wire.recv_fd(ctrl)
        if conn_fd is None:
            return  # the client closed the control socket: it is gone
        try:
            _spawn_runner(conn_fd, ctrl, mode, pidns_fd)
        finally:
            os.close(conn_fd)
