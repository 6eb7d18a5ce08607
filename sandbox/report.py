"""`isolation_report()`: what the sandbox on this machine actually gives."""
from __future__ import annotations

import platform

from . import client, seccomp

GUARANTEES = {
    "namespaces": {
        "processes": "own PID namespace per request; kill(-1) from its pid 1 ends setsid/"
                     "daemonised children; RLIMIT_NPROC per slot uid",
        "filesystem": "a read-only root built from an allowlist (/usr, /bin, /lib*, a few /etc "
                      "files, /dev null/zero/full/random/urandom, the interpreter, the venv's "
                      "site-packages; run_tests: stdlib only): no project tree, task data, home "
                      "or other venvs; a private tmpfs /tmp per job (size and inode caps, "
                      "noexec in tests); /proc shows only the sandbox (none in tests)",
        "network": "a network namespace with no interface up (not even loopback), shared by the "
                   "runs of one fork server; socket(AF_UNIX) is refused by seccomp, so "
                   "concurrent runs cannot meet on an abstract socket either",
        "identity": "runs as an unprivileged uid of its own per slot, no groups, "
                    "no_new_privs, not dumpable",
        "ipc": "own IPC and UTS namespaces: SysV/POSIX IPC objects die with the run",
    },
    "rlimits": {
        "processes": "own session; the process group is killed at the end, but a child "
                     "that calls setsid() again can outlive the run",
        "filesystem": "a temporary working dir; the rest of the host is protected only by "
                      "the caller's file permissions",
        "network": "NOT isolated",
        "identity": "runs as the calling user (a slot uid if that is root), no_new_privs, "
                    "not dumpable",
        "ipc": "NOT isolated",
    },
}
COMMON = {
    "environment": "scrubbed: PATH, HOME, TMPDIR, LANG only",
    "limits": "rlimits on CPU time, address space, processes, file size, open files; "
              "wall-clock timeout; stdout/stderr capped, floods killed; whatever the "
              "candidate does ends as a status, never as SandboxError",
    "verdict": "per-test nonce written after the last assert on a pipe; an audit hook "
               "denies frame, gc, tracing and code rewriting to the candidate; failure "
               "lines are formatted by the caller from plain data",
}


def isolation_report() -> dict:
    """The mode this machine achieved, why, and what each guarantee means here.

    Besides the keys of GUARANTEES and COMMON: `seccomp` (the refused calls, or why
    none), `memory` (what caps memory per run: a cgroup, or rlimits only), `tests`
    (where run_tests candidates run: the ctypes-free zygote, or a plain runner)."""
    server = client.get_server()
    strong = server.mode == "namespaces"
    calls = seccomp.denied_calls()
    if not strong:
        filt = "none: weak mode"
    elif calls:
        filt = (f"refused with EPERM: {', '.join(calls)}; socket(AF_UNIX); clone with a "
                "CLONE_NEW* flag; clone3 answers ENOSYS; a foreign syscall ABI kills")
    else:
        filt = f"none: no syscall table for {platform.machine()}"
    if server.cgroup:
        mem = (f"memory cgroup ({server.cgroup}) per job: memory_mb caps all its processes, "
               "memfds and tmpfs pages together (status 'oom'); plus RLIMIT_AS per process")
    else:
        mem = ("NOT capped across processes: RLIMIT_AS per process only (memfds and tmpfs "
               "pages are not counted); no memory cgroup could be made here")
    tests = ("a warm zygote that never loaded ctypes (own pid, mount and IPC namespaces; no "
             "site-packages; raw-memory extension modules replaced by empty files)"
             if server.tests == "zygote" else
             "the fork server's runner: ctypes is loaded in the candidate's process, so a "
             "candidate can reach raw memory and forge a verdict (WEAK)")
    return {"mode": server.mode, "why": server.why, "slots": client.slot_count(),
            **COMMON, **GUARANTEES[server.mode], "seccomp": filt, "memory": mem,
            "tests": tests}
