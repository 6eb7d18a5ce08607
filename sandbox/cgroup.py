"""A memory cgroup per request: one cap over all its processes, memfds and tmpfs pages.

`RLIMIT_AS` is per process and does not see memfds or tmpfs files; a cgroup does. The
fork server opens (before it chroots) a `gymkit-sandbox` folder under its own memory
cgroup, v1 or v2, and every request makes a child there. The candidate joins it as
root, before it drops privileges, by writing to `cgroup.procs` through an fd. Pure
stdlib: the test zygote (which must never load ctypes) uses it too.
"""
from __future__ import annotations

import os
import secrets

V1_ROOT, V2_ROOT = "/sys/fs/cgroup/memory", "/sys/fs/cgroup"


def _own_path(controller: str) -> str | None:
    with open("/proc/self/cgroup") as fh:
        for line in fh:
            _, ctrls, path = line.rstrip("\n").split(":", 2)
            if controller in ctrls.split(","):
                return path
    return None


def open_parent() -> tuple[int | None, str]:
    """(dir fd of our per-host folder, 'v1'|'v2'), or (None, why not)."""
    try:
        if os.path.exists(V1_ROOT + "/memory.limit_in_bytes"):
            base, version = V1_ROOT + (_own_path("memory") or "/"), "v1"
        elif "memory" in open(V2_ROOT + "/cgroup.controllers").read().split():
            # v2: a cgroup with processes cannot delegate, so the folder hangs off the root.
            base, version = V2_ROOT, "v2"
            with open(base + "/cgroup.subtree_control", "w") as fh:
                fh.write("+memory")
        else:
            return None, "no memory cgroup controller on this kernel"
        path = os.path.join(base, "gymkit-sandbox")
        os.makedirs(path, exist_ok=True)
        if version == "v2":
            with open(path + "/cgroup.subtree_control", "w") as fh:
                fh.write("+memory")
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY), version
    except OSError as exc:
        return None, f"memory cgroup unavailable: {exc}"


def _write(parent: int, path: str, value: str) -> None:
    fd = os.open(path, os.O_WRONLY, dir_fd=parent)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


class RunCgroup:
    """One request's memory cgroup under `parent` (a dir fd from open_parent)."""

    def __init__(self, parent: int, version: str, limit_bytes: int):
        self.parent, self.version = parent, version
        self.name = "r" + secrets.token_hex(6)
        os.mkdir(self.name, 0o755, dir_fd=parent)
        if version == "v1":
            _write(parent, f"{self.name}/memory.limit_in_bytes", str(limit_bytes))
            try:  # swap counted too, where the kernel accounts it
                _write(parent, f"{self.name}/memory.memsw.limit_in_bytes", str(limit_bytes))
            except OSError:
                pass  # no swap accounting: swap is not capped by the cgroup
        else:
            _write(parent, f"{self.name}/memory.max", str(limit_bytes))
            try:
                _write(parent, f"{self.name}/memory.swap.max", "0")
            except OSError:
                pass  # no swap controller
        self.procs_fd = os.open(f"{self.name}/cgroup.procs", os.O_WRONLY, dir_fd=parent)

    def join(self) -> None:
        """Move the calling process in (a v1 migration waits for an RCU grace period,
        milliseconds under load: the test zygote does it ahead of the request)."""
        os.write(self.procs_fd, b"0")

    def usage(self) -> int:
        name = "memory.usage_in_bytes" if self.version == "v1" else "memory.current"
        fd = os.open(f"{self.name}/{name}", os.O_RDONLY, dir_fd=self.parent)
        try:
            return int(os.read(fd, 64))
        finally:
            os.close(fd)

    def set_limit(self, limit_bytes: int) -> None:
        """Change the cap; v1 wants memory <= memory+swap at every step."""
        if self.version == "v2":
            _write(self.parent, f"{self.name}/memory.max", str(limit_bytes))
            return
        names = ["memory.limit_in_bytes", "memory.memsw.limit_in_bytes"]
        for order in (names, names[::-1]):
            try:
                for name in order:
                    _write(self.parent, f"{self.name}/{name}", str(limit_bytes))
                return
            except OSError:
                continue  # raising: swap limit first; lowering: memory first
        _write(self.parent, f"{self.name}/memory.limit_in_bytes", str(limit_bytes))

    def leave(self) -> None:
        """Move the calling process back to the parent folder (then `remove` works)."""
        _write(self.parent, "cgroup.procs" if self.version == "v1" else "../cgroup.procs", "0")

    def oom_kills(self) -> int:
        """How many processes the kernel killed for going over the cap."""
        name = "memory.oom_control" if self.version == "v1" else "memory.events"
        try:
            fd = os.open(f"{self.name}/{name}", os.O_RDONLY, dir_fd=self.parent)
            try:
                text = os.read(fd, 4096).decode()
            finally:
                os.close(fd)
        except OSError:
            return 0
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def pids(self) -> list[int]:
        try:
            fd = os.open(f"{self.name}/cgroup.procs", os.O_RDONLY, dir_fd=self.parent)
            try:
                return [int(x) for x in os.read(fd, 1 << 16).split()]
            finally:
                os.close(fd)
        except OSError:
            return []

    def remove(self) -> None:
        """Remove the cgroup (its processes must be gone); charges move to the parent."""
        os.close(self.procs_fd)
        try:
            os.rmdir(self.name, dir_fd=self.parent)
        except OSError:
            pass  # a process still exiting: the empty dir is harmless and tiny
