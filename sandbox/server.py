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
import sys

from . import cgroup, linux, rootfs, runner, seccomp, wire, zygote  # all before the chroot

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


def _allowlist_root(base_dir: str) -> str | None:
    """This process and its runners see a root built from an allowlist (rootfs.py), all
    read-only except `base_dir` (workspaces), and share one network namespace with no
    interface up (not even loopback). Returns why the memory cgroup is off, or None."""
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWNET | linux.CLONE_NEWUTS)
    linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
    fd, version = cgroup.open_parent()  # before the chroot: /sys is not in the new root
    runner.CGROUP = (fd, version) if fd is not None else None
    root = os.path.join(base_dir, "root")
    rootfs.build_root(root, os.path.dirname(os.path.abspath(__file__)), base_dir)
    os.chroot(root)
    os.chdir("/")
    return None if fd is not None else version


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
        no_cgroup = _allowlist_root(base_dir)
    except OSError as exc:
        return "rlimits", f"the kernel refused a read-only root: {exc}"
    why = ("pid+mount+ipc namespaces per request, net+uts per server, allowlist root, "
           "seccomp, own uid per slot")
    return "namespaces", why + (f"; memory cgroup off: {no_cgroup}" if no_cgroup else "")


def _spawn_stem(ctrl: socket.socket, mode: str, pidns_fd: int | None,
                others: list) -> socket.socket:
    """Fork a runner that makes its namespaces and joins its memory cgroup before its
    request arrives (off the caller's clock); it takes one request fd on the socket."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    if mode == "namespaces":
        linux.unshare(linux.CLONE_NEWPID)  # the next child is pid 1 of a new namespace
    pid = os.fork()
    if pid == 0:
        ctrl.close()
        ours.close()
        for sock in others:
            sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        if mode == "namespaces":
            try:
                runner.enter_namespaces()
                runner.prepare_stem()
            except OSError:
                pass  # the request then reports (or repeats) what failed
        conn_fd = wire.recv_fd(theirs)
        theirs.close()
        if conn_fd is None:
            runner.release_stem()
            os._exit(0)
        runner.serve(conn_fd, mode)
    if mode == "namespaces":
        linux.setns(pidns_fd, linux.CLONE_NEWPID)  # later children: back to our own
    theirs.close()
    return ours


def _hand_over(conn_fd: int, stems: list, make) -> None:
    """Give the request to the oldest ready stem (a fresh one if none is left)."""
    while True:
        sock = stems.pop(0) if stems else make()
        try:
            wire.send_fd(sock, conn_fd)
            return
        except OSError:
            continue  # that stem died; the next one takes the request
        finally:
            sock.close()


PRELOAD = runner.PRELOAD


def _preload() -> None:
    """Import what candidates and the harness use, then freeze: a fork then copies no page."""
    for name in PRELOAD:
        importlib.import_module(name)
    # Frozen objects are never scanned by the cyclic GC, so forks don't touch (copy) them.
    gc.disable()
    gc.freeze()


def main(argv: list[str]) -> None:
    """Entry point: `argv` = [control fd, requested mode, writable base dir, slots,
    uid base, tmpfs MB per test slot, inodes per tmpfs]."""
    ctrl = socket.socket(fileno=int(argv[0]))
    pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY)  # before the chroot hides /proc
    proc_fd = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)  # for the zygote's runners
    mode, why = choose_mode(argv[1], argv[2])
    slots, uid_base, disk_mb, inodes = map(int, argv[3:7])
    tests, zsock = "runner", None
    if mode == "namespaces":
        try:
            zsock = zygote.start(rootfs.PACKAGE_DIR, runner.CGROUP[0] if runner.CGROUP else None,
                                 proc_fd, slots, uid_base, disk_mb, inodes)
            tests = "zygote"
        except OSError as exc:  # tests then run in fork-server runners, ctypes reachable
            why += f"; WEAK test verdicts, the test zygote failed: {exc}"
    else:
        os.close(pidns_fd)
        pidns_fd = None
    os.close(proc_fd)  # only the zygote keeps one
    # Runners are reaped by the kernel; each one reports to its own client socket.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    _preload()
    wire.send_msg(ctrl, {"mode": mode, "why": why, "pid": os.getpid(), "tests": tests,
                         "cgroup": runner.CGROUP[1] if runner.CGROUP else None,
                         "python": sys.version.split()[0]})
    stems: list = []

    def make() -> socket.socket:
        return _spawn_stem(ctrl, mode, pidns_fd, stems)

    while True:
        tag, conn_fd = wire.recv_fd_tagged(ctrl)
        if conn_fd is None:
            if not tag:
                return  # the client closed the control socket: it is gone
            continue
        try:
            if tag == b"T" and zsock is not None:
                wire.send_fd(zsock, conn_fd)  # a run_tests request: the ctypes-free zygote
            else:
                _hand_over(conn_fd, stems, make)
        finally:
            os.close(conn_fd)
        while len(stems) < slots:
            stems.append(make())
