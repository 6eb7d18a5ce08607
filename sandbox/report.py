"""`isolation_report()`: what the sandbox on this machine actually gives."""
from __future__ import annotations

from . import client

GUARANTEES = {
    "namespaces": {
        "processes": "own PID namespace per request; kill(-1) from its pid 1 ends setsid/"
                     "daemonised children; RLIMIT_NPROC per slot uid",
        "filesystem": "read-only view of the whole host; a private size-capped tmpfs /tmp "
                      "holds the working dir; /proc shows only the sandbox (masked in tests)",
        "network": "a network namespace with no interface up (not even loopback), shared by the "
                   "runs of one fork server: no connection to the host or the outside",
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
              "wall-clock timeout; stdout/stderr capped, floods killed",
    "verdict": "per-test nonce written after the last assert on a pipe; an audit hook "
               "denies frame, gc, tracing and ctypes access to the candidate",
}


def isolation_report() -> dict:
    """The mode this machine achieved, why, and what each guarantee means here."""
    server = client.get_server()
    return {"mode": server.mode, "why": server.why, "slots": client.slot_count(),
            **COMMON, **GUARANTEES[server.mode]}
