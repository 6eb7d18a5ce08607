"""The test zygote: a warm interpreter that has never loaded ctypes; it forks `run_tests`.

A test verdict is decided inside the candidate's process (the harness writes a nonce
after the last assert), so that process must hold no tool for raw memory: with `_ctypes`
loaded (the fork server needs it for unshare/mount), a candidate reaches it through
`sys.modules` or `object.__subclasses__()` and can rewrite anything, audit hook or not.

So the fork server forks a child that builds the zygote's world with ctypes, then execs a
fresh `python -I -S` into this module:
- its own PID namespace (the zygote is pid 1: orphans come to it, and it dies last),
  mount namespace (the allowlist root of the server, minus site-packages and minus the
  extension files that give raw memory, which are covered by an empty file; one capped
  tmpfs per slot; no /proc) and IPC namespace;
- no_new_privs and the seccomp filter (seccomp.py), inherited by every fork;
- then only stdlib modules and this package without linux.py: nothing that loads ctypes.
Per request it forks a runner ("zygote" mode in runner.py), which forks one candidate
per test, kills leftovers by slot uid, and caps memory with a cgroup.
"""
from __future__ import annotations

import importlib
import os
import signal
import socket
import sys

from . import runner, wire

BOOT = ("import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('_gymkit_sandbox', {init!r},"
        " submodule_search_locations=[{here!r}])\n"
        "sys.modules['_gymkit_sandbox'] = importlib.util.module_from_spec(spec)\n"
        "from _gymkit_sandbox.zygote import main; main(sys.argv[1:])\n")


def start(package_dir: str, cgroup_fd: int | None, proc_fd: int | None, slots: int,
          uid_base: int, disk_mb: int, inodes: int) -> socket.socket:
    """Fork server side: make the zygote; returns the socket that takes request fds."""
    from . import linux, rootfs, seccomp  # the fork server has ctypes; the zygote won't
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            os.close(r)
            linux.unshare(linux.CLONE_NEWPID)
            if os.fork() != 0:
                os._exit(0)  # the zygote (pid 1 of the new namespace) carries on alone
            linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWIPC)
            linux.mount(None, "/", None, linux.MS_REC | linux.MS_PRIVATE)
            rootfs.harden_for_tests(slots, uid_base, disk_mb, inodes)
            linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
            if seccomp.supported():
                linux.install_seccomp(seccomp.build())
            keep = [theirs.fileno(), w] + [fd for fd in (cgroup_fd, proc_fd) if fd is not None]
            for fd in keep:
                os.set_inheritable(fd, True)
            boot = BOOT.format(init=os.path.join(package_dir, "__init__.py"), here=package_dir)
            python = rootfs.PYTHON
            os.execve(python, [python, "-I", "-S", "-c", boot, str(theirs.fileno()),
                               str(-1 if cgroup_fd is None else cgroup_fd), str(w),
                               str(-1 if proc_fd is None else proc_fd), str(slots)],
                      {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
        except BaseException as exc:  # report why, then give up: the parent raises
            os.write(w, f"zygote: {exc!r}".encode())
        os._exit(1)
    os.close(w)
    theirs.close()
    os.waitpid(pid, 0)
    with os.fdopen(r, "rb") as fh:  # "ok" from the zygote, or why it failed
        msg = fh.read().decode(errors="replace")
    if msg != "ok":
        ours.close()
        raise OSError(msg or "the test zygote did not start")
    return ours


def main(argv: list[str]) -> None:
    """Zygote entry point: [control fd, cgroup dir fd or -1, ready pipe fd, host /proc dir
    fd or -1, slots]."""
    ctrl = socket.socket(fileno=int(argv[0]))
    cg_fd, ready, proc_fd, slots = map(int, argv[1:5])
    runner.PROC_FD = proc_fd if proc_fd >= 0 else None
    if "_ctypes" in sys.modules:  # the whole point of this process; never run tests with it
        os.write(ready, b"zygote: _ctypes got loaded")
        os._exit(1)
    if cg_fd >= 0:
        runner.CGROUP = (cg_fd, "v1" if _is_v1(cg_fd) else "v2")
    for name in runner.PRELOAD:
        importlib.import_module(name)
    from . import auditguard
    auditguard.harness_code_ids()  # once here, not in every test process
    import gc
    gc.disable()
    gc.freeze()  # frozen objects are never scanned, so forks don't copy their pages
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # pid 1 here: the kernel reaps for us
    os.write(ready, b"ok")
    os.close(ready)
    stems = [_stem(ctrl, []) for _ in range(slots)]
    while True:
        conn_fd = wire.recv_fd(ctrl)
        if conn_fd is None:
            os._exit(0)  # the fork server is gone
        try:
            while stems:  # the oldest stem is the likeliest to be ready
                sock = stems.pop(0)
                try:
                    wire.send_fd(sock, conn_fd)
                    break
                except OSError:
                    continue  # that stem died; the next one takes the request
                finally:
                    sock.close()
            else:
                stems.append(_stem(ctrl, stems))
                continue  # no stem took it: the client sees its socket close
        finally:
            os.close(conn_fd)
        while len(stems) < slots:
            stems.append(_stem(ctrl, stems))


def _stem(ctrl: socket.socket, others: list) -> socket.socket:
    """Fork a runner that gets ready (its memory cgroup joined) before its request comes."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.fork() == 0:
        ctrl.close()
        ours.close()
        for sock in others:
            sock.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        try:
            runner.prepare_stem()
        except OSError:
            runner.STEM_CG = None  # no cgroup: then each candidate joins its own, if any
        conn_fd = wire.recv_fd(theirs)
        theirs.close()
        if conn_fd is None:
            runner.release_stem()
            os._exit(0)
        runner.serve(conn_fd, "zygote")
    theirs.close()
    return ours


def _is_v1(fd: int) -> bool:
    try:
        os.stat("memory.limit_in_bytes", dir_fd=fd)
        return True
    except OSError:
        return False
