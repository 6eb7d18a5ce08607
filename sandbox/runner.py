"""The runner: one per request; supervises the candidate.

In "namespaces" mode (forked by the fork server, for `run` and `Workspace`) the runner is
pid 1 of a fresh PID namespace and owns fresh mount and IPC namespaces: `kill(-1)` from
it reaches every process the candidate made (setsid and double-fork included) and
nothing else, and when it exits the kernel tears the namespaces down with their tmpfs.
In "zygote" mode (forked by the ctypes-free test zygote, for `run_tests`) it works
inside the zygote's namespaces: the slot's own tmpfs, and a kill by slot uid.

Cleanup is bounded and never delays the answer: every tmpfs has a size and inode cap,
and what a run leaves behind is removed after the answer went out (or by the kernel).
"""
from __future__ import annotations

import fcntl
import gc
import os
import selectors
import shutil
import signal
import socket
import tempfile
import time

from . import jail, tree, wire
from .cgroup import RunCgroup

WORK_ROOT_NS = "/tmp"          # a per-job tmpfs in namespaces mode
DRAIN_AFTER_EXIT_S = 0.5       # leftover output once every writer is dead
KILL_WAIT_S = 2.0              # how long a kill by uid may take to empty the cgroup
CHUNK = 1 << 16
CGROUP: tuple[int, str] | None = None  # (parent dir fd, "v1"|"v2"), set by server/zygote
PROC_FD: int | None = None   # a /proc (zygote: the host's): for oom_score_adj of self
NS_READY = False             # namespaces mode: this runner's namespaces are made already
STEM_CG: RunCgroup | None = None  # zygote runner: its request's cgroup, joined in advance
# Stdlib modules most solutions import (every HumanEval prompt starts with `from typing
# import ...`): loaded once in the warm process, they cost a forked candidate nothing.
PRELOAD = ("atexit", "linecache", "threading", "traceback", "logging", "typing", "collections",
           "dataclasses", "enum", "functools", "itertools", "heapq", "bisect", "math", "re",
           "string", "json", "fractions", "decimal", "datetime", "random", "statistics",
           "operator", "copy")


def serve(conn_fd: int, mode: str) -> None:
    """Runner process body: read one request, run its jobs, answer. Never returns."""
    code = 0
    try:
        sock = socket.socket(fileno=conn_fd)
        req = wire.recv_msg(sock)
        ws_fd = _open_workspace(req)
        work_root = _isolate(req, mode)
        results = [_run_one(job, i, req, mode, work_root, ws_fd)
                   for i, job in enumerate(req["jobs"])]
        wire.send_msg(sock, {"results": results})
        sock.close()
        # After the answer: what the candidate left costs it nothing (namespaces mode:
        # the kernel frees the tmpfs when this process exits).
        if mode == "zygote":
            for name in os.listdir(work_root):
                if name.startswith(f"w{os.getpid()}-"):
                    shutil.rmtree(os.path.join(work_root, name), ignore_errors=True)
        elif mode != "namespaces":
            shutil.rmtree(work_root, ignore_errors=True)
    except wire.ConnectionLost:
        code = 1  # the client gave up on us; nothing to answer
    except BaseException as exc:  # report infrastructure failures to the client
        code = 1
        try:
            wire.send_msg(sock, {"fault": f"{type(exc).__name__}: {exc}"})
        except OSError:
            pass  # the client is gone as well; the exit code is all that is left
    release_stem()
    os._exit(code)


def prepare_stem() -> None:
    """Before any request: make this runner's memory cgroup and move in (the slow part of a
    cgroup), and make this root process the OOM killer's last choice; each candidate
    sets its own score back to 0."""
    global STEM_CG
    if CGROUP is None:
        return
    cg = RunCgroup(CGROUP[0], CGROUP[1], 1 << 40)
    cg.join()
    STEM_CG = cg
    if PROC_FD is not None:
        fd = os.open("self/oom_score_adj", os.O_WRONLY, dir_fd=PROC_FD)
        try:
            os.write(fd, b"-1000")
        finally:
            os.close(fd)


def release_stem() -> None:
    """After the answer: leave the cgroup and remove it."""
    if STEM_CG is not None:
        try:
            STEM_CG.leave()
        except OSError:
            pass  # the empty folder is then left behind; harmless
        STEM_CG.remove()


def _open_workspace(req: dict) -> int | None:
    # Opened before /tmp is covered by the run's tmpfs; the fd still reaches the host dir.
    if req.get("workspace") is None:
        return None
    return os.open(req["workspace"], os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)


def _isolate(req: dict, mode: str) -> str:
    """Enter this request's namespaces; return the directory that holds working dirs."""
    if mode == "zygote":  # the slot's private tmpfs (noexec), made when the zygote started
        # The previous runner of this slot may still be removing what its candidate left
        # (after it answered): wait for it, so no run ever starts on a full tmpfs. The
        # lock goes with this process.
        lock = os.open(f"/tmp/s{req['slot']}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(lock, fcntl.LOCK_EX)
        return f"/tmp/s{req['slot']}"
    if mode != "namespaces":
        root = tempfile.mkdtemp(prefix="gymkit-run-")
        os.chmod(root, 0o711)  # a dropped uid must still reach its working dir below
        return root
    from . import linux  # only trusted runners of the fork server load ctypes
    if not NS_READY:
        enter_namespaces()
    if any(job.get("test") is not None for job in req["jobs"]):
        # no /proc at all: /proc/self/mem would read the harness's memory
        linux.mount("tmpfs", "/proc", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV
                    | linux.MS_NOEXEC | linux.MS_RDONLY, "size=4k,mode=555")
    return WORK_ROOT_NS


def enter_namespaces() -> None:
    """Namespaces mode, as pid 1 of a fresh PID namespace: own mount and IPC namespaces and
    a /proc of this namespace. A stem does it before its request arrives."""
    global NS_READY, PROC_FD
    from . import linux
    # The network namespace is the server's (made once, no interface up): a fresh one per
    # request costs more than the whole fork, mostly in the kernel's deferred teardown.
    # The seccomp filter refuses socket(AF_UNIX), so two runs cannot meet in it.
    linux.unshare(linux.CLONE_NEWNS | linux.CLONE_NEWIPC)
    linux.mount("proc", "/proc", "proc", linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC)
    PROC_FD = os.open("/proc", os.O_RDONLY | os.O_DIRECTORY)
    NS_READY = True


def _fresh_tmp(req: dict, index: int, test_mode: bool) -> None:
    """Namespaces mode: a new tmpfs at /tmp per job, capped in bytes and inodes. The last
    job's is detached lazily: its cost is bounded by the caps, never by the candidate."""
    from . import linux, rootfs  # not at import time: the test zygote never loads ctypes
    if index > 0:
        linux.umount_lazy(WORK_ROOT_NS)
    # Test runs get a noexec working dir: no candidate-built .so can be loaded next to the nonce.
    flags = linux.MS_NOSUID | linux.MS_NODEV | (linux.MS_NOEXEC if test_mode else 0)
    linux.mount("tmpfs", WORK_ROOT_NS, "tmpfs", flags,
                f"size={req['disk_mb']}m,nr_inodes={req['inodes']},mode=755")
    if not test_mode:  # test runs see the stdlib only: no site-packages to bring back
        rootfs.restore_tmp_trees()


def _make_workdir(job: dict, index: int, req: dict, mode: str, work_root: str,
                  ws_fd: int | None) -> tuple[str, str | None]:
    """The job's working dir, and a note if the saved workspace could not be copied in."""
    if mode == "namespaces":
        _fresh_tmp(req, index, job.get("test") is not None)
    if mode == "zygote" and index > 0:  # the earlier test's files (bounded by the inode cap)
        shutil.rmtree(os.path.join(work_root, f"w{os.getpid()}-{index - 1}"), ignore_errors=True)
    name = f"w{os.getpid()}-{index}" if mode == "zygote" else "work"
    workdir = os.path.join(work_root, name)
    os.mkdir(workdir, 0o700)
    uid = req.get("uid")
    if uid is not None:
        os.chown(workdir, uid, uid)
    note = None
    if ws_fd is not None:
        dst = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            tree.copy_tree(ws_fd, dst, uid, [req["disk_mb"] * 2 ** 20])
        except OSError as exc:  # e.g. a smaller disk_mb than the saved tree: run on a part
            note = f"workspace not fully restored: {exc}"
        finally:
            os.close(dst)
    tree.write_files(workdir, job.get("files") or {}, uid)
    return workdir, note


def _run_one(job: dict, index: int, req: dict, mode: str, work_root: str,
             ws_fd: int | None) -> dict:
    workdir, note = _make_workdir(job, index, req, mode, work_root, ws_fd)
    result = _supervise(job, req, mode, workdir)
    if ws_fd is not None:
        result["workspace_error"] = note or _save_workspace(workdir, ws_fd, req)
    if mode not in ("namespaces", "zygote"):
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _save_workspace(workdir: str, ws_fd: int, req: dict) -> str | None:
    """Check the tree against the limits first (bytes + entries, depth); only a tree that
    fits replaces the saved one, so a hostile run can never leave an unusable workspace."""
    src = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        tree.measure(src, req["disk_mb"] * 2 ** 20)
    except OSError as exc:
        os.close(src)
        return f"workspace not saved (the previous state is kept): {exc}"
    try:
        tree.clear_dir(ws_fd)
        tree.copy_tree(src, ws_fd, None, [req["disk_mb"] * 2 ** 20])
    except OSError as exc:
        return f"workspace not fully saved: {exc}"
    finally:
        os.close(src)
    return None


def _supervise(job: dict, req: dict, mode: str, workdir: str) -> dict:
    """Fork the candidate, feed stdin, collect capped output, enforce the wall clock."""
    pipes = {name: os.pipe() for name in ("stdin", "stdout", "stderr")}
    want_verdict = job.get("test") is not None
    if want_verdict:
        pipes["verdict"] = os.pipe()
    cg, oom_before = None, 0
    if STEM_CG is not None and PROC_FD is not None:  # inside already: candidates inherit it
        cg = STEM_CG
        # What earlier jobs left (their tmpfs files) does not eat this job's allowance.
        cg.set_limit(cg.usage() + job["memory_mb"] * 2 ** 20)
        oom_before = cg.oom_kills()
    elif CGROUP is not None and req.get("uid") is not None:
        cg = RunCgroup(CGROUP[0], CGROUP[1], job["memory_mb"] * 2 ** 20)
    if want_verdict:  # trusted code: compiled here once, not in every candidate process
        job = {**job, "compiled": jail.precompile(job["test"], job.get("prelude") or "")}
    t0 = time.monotonic()
    gc.freeze()  # what the runner allocated: the candidate's GC never scans (copies) it
    pid = os.fork()
    if pid == 0:
        fds = {"stdin": pipes["stdin"][0], "stdout": pipes["stdout"][1],
               "stderr": pipes["stderr"][1], "proc": PROC_FD,
               "cgroup": cg.procs_fd if cg is not None and cg is not STEM_CG else None}
        if want_verdict:
            fds["verdict"] = pipes["verdict"][1]
        jail.enter(job, {**req, "mode": mode}, fds, workdir)
    os.close(pipes["stdin"][0])
    for name in ("stdout", "stderr", "verdict"):
        if name in pipes:
            os.close(pipes[name][1])
    collected = _collect(pid, job, req, pipes, t0, mode)
    collected["wall_s"] = time.monotonic() - t0
    _kill_everything(pid, mode, req.get("uid"), cg)
    collected["oom_killed"] = cg is not None and cg.oom_kills() > oom_before
    if cg is not None and cg is not STEM_CG:
        cg.remove()
    return collected


def _collect(pid: int, job: dict, req: dict, pipes: dict, t0: float, mode: str) -> dict:
    cap, budget = req["output_cap"], req["output_budget"]
    bufs = {"stdout": bytearray(), "stderr": bytearray(), "verdict": bytearray()}
    seen = {"stdout": 0, "stderr": 0, "verdict": 0}
    sel = selectors.DefaultSelector()
    pidfd = os.pidfd_open(pid)
    sel.register(pidfd, selectors.EVENT_READ, "exit")
    for name in ("stdout", "stderr", "verdict"):
        if name in pipes:
            os.set_blocking(pipes[name][0], False)
            sel.register(pipes[name][0], selectors.EVENT_READ, name)
    stdin_data = memoryview(job.get("stdin") or b"")
    stdin_w = pipes["stdin"][1]
    os.set_blocking(stdin_w, False)
    if stdin_data:
        sel.register(stdin_w, selectors.EVENT_WRITE, "stdin")
    else:
        os.close(stdin_w)
    deadline = t0 + job["timeout_s"]
    reason, status, exit_at = None, None, None
    while sel.get_map():
        now = time.monotonic()
        if exit_at is None and now >= deadline:
            reason = "timeout"
            break
        if exit_at is not None and now >= exit_at + DRAIN_AFTER_EXIT_S:
            break
        limit = (deadline if exit_at is None else exit_at + DRAIN_AFTER_EXIT_S) - now
        for key, _ in sel.select(timeout=max(limit, 0)):
            name = key.data
            if name == "exit":
                sel.unregister(pidfd)
                # The candidate is gone: end its leftovers now so their pipe ends close.
                _kill_leftovers(pid, mode, req.get("uid"))
                _, status, rusage = os.wait4(pid, 0)
                exit_at = time.monotonic()
            elif name == "stdin":
                try:
                    sent = os.write(stdin_w, stdin_data[:CHUNK])
                    stdin_data = stdin_data[sent:]
                except BrokenPipeError:
                    stdin_data = stdin_data[:0]
                if not stdin_data:
                    sel.unregister(stdin_w)
                    os.close(stdin_w)
            else:
                chunk = os.read(key.fd, CHUNK)
                if not chunk:
                    sel.unregister(key.fd)
                    continue
                seen[name] += len(chunk)
                room = (4096 if name == "verdict" else cap) - len(bufs[name])
                if room > 0:
                    bufs[name] += chunk[:room]
                if seen["stdout"] + seen["stderr"] > budget:
                    reason = "output"
                    break
        if reason:
            break
    for key in list(sel.get_map().values()):
        if key.data not in ("exit",):
            os.close(key.fd)
    os.close(pidfd)
    if status is None:  # timed out or flooded: kill, then collect its status
        os.kill(pid, signal.SIGKILL)
        _, status, rusage = os.wait4(pid, 0)
    return {"wait_status": status, "reason": reason,
            "cpu_s": rusage.ru_utime + rusage.ru_stime,
            "stdout": bytes(bufs["stdout"]), "stderr": bytes(bufs["stderr"]),
            "stdout_truncated": seen["stdout"] > len(bufs["stdout"]),
            "stderr_truncated": seen["stderr"] > len(bufs["stderr"]),
            "verdict": bytes(bufs["verdict"])}


def _kill_leftovers(pid: int, mode: str, uid: int | None = None) -> None:
    try:
        if mode == "zygote":
            me = os.getpid()  # a killer fork only when the candidate left children
            if uid is not None and (STEM_CG is None or [p for p in STEM_CG.pids() if p != me]):
                _kill_as(uid, 1)  # children still holding the output pipes
        elif mode == "namespaces":
            os.kill(-1, signal.SIGKILL)  # as pid 1: every other process of this namespace
        else:
            os.killpg(pid, signal.SIGKILL)  # weak mode: a setsid() escapee survives this
    except ProcessLookupError:
        pass  # nothing left to kill


def _kill_as(uid: int, rounds: int = 3) -> None:
    """kill(-1) from a process of the slot's uid: every process of that uid (the slot is
    ours, so no other run uses it) and nothing else; root processes are out of reach.
    kill(-1) reports success while any process exists, so it cannot say "none left":
    a few rounds catch a child forked during the first one."""
    killer = os.fork()
    if killer == 0:
        try:
            os.setresuid(uid, uid, uid)
            for _ in range(rounds):
                os.kill(-1, signal.SIGKILL)
                time.sleep(0.0005)
        except (ProcessLookupError, PermissionError):
            pass  # nothing there to signal
        finally:
            os._exit(0)
    os.waitpid(killer, 0)


def _kill_everything(pid: int, mode: str, uid: int | None = None,
                     cg: RunCgroup | None = None) -> None:
    """End every process the job made and reap them, so the next job starts clean."""
    _kill_leftovers(pid, mode)
    if mode == "zygote" and uid is not None:
        me = os.getpid()
        if cg is not None and not [p for p in cg.pids() if p != me]:
            return  # the cgroup holds every process the job made: none is left
        _kill_as(uid)  # orphans went to the zygote (pid 1 there), which reaps them
        deadline = time.monotonic() + KILL_WAIT_S
        while cg is not None and [p for p in cg.pids() if p != me] \
                and time.monotonic() < deadline:
            _kill_as(uid, 1)  # stragglers; exiting processes leave the cgroup once gone
            time.sleep(0.001)
        return
    if mode != "namespaces":
        return
    while True:
        try:
            os.waitpid(-1, 0)  # orphans were re-parented to us, pid 1
        except ChildProcessError:
            return
