"""The final state of a shell workspace, read from outside the sandbox, and its diff with the
expected tree.

Everything the agent left counts: regular files (paths and bytes), directories, symlinks and
special files (FIFOs, sockets, devices). Nothing is followed or opened except regular files,
and the walk is bounded in entries and depth, so a tree the agent built to be pathological
(10,000 files, 1,000 levels) is a clear `wrong`, never a hang or a crash.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import PurePosixPath

MAX_ENTRIES = 2_000  # real tasks hold a few dozen entries
MAX_DEPTH = 32
MAX_BYTES = 16 * 2 ** 20


class TreeLimit(Exception):
    """The workspace is past a bound (entries, depth, bytes): the agent's doing, a `wrong`."""


@dataclass
class TreeState:
    files: dict[str, bytes] = field(default_factory=dict)
    dirs: set[str] = field(default_factory=set)
    others: dict[str, str] = field(default_factory=dict)  # path -> "symlink" | "fifo" | ...


def _kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "special file"


def read_tree(root: str) -> TreeState:
    """Walk `root` without following links; raises TreeLimit past MAX_ENTRIES/DEPTH/BYTES or
    where the agent made an entry unreadable (chmod 000 when the verifier is not root)."""
    try:
        return _walk(root)
    except PermissionError as e:
        raise TreeLimit(f"an entry is unreadable: {e.strerror}") from None


def _walk(root: str) -> TreeState:
    state, todo, entries, total = TreeState(), [("", 0)], 0, 0
    while todo:
        rel, depth = todo.pop()
        if depth > MAX_DEPTH:
            raise TreeLimit(f"directories nested deeper than {MAX_DEPTH} levels")
        with os.scandir(os.path.join(root, rel)) as it:
            for entry in it:
                entries += 1
                if entries > MAX_ENTRIES:
                    raise TreeLimit(f"more than {MAX_ENTRIES} entries in the workspace")
                path = f"{rel}/{entry.name}" if rel else entry.name
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    state.dirs.add(path)
                    todo.append((path, depth + 1))
                elif stat.S_ISREG(st.st_mode):
                    total += st.st_size
                    if total > MAX_BYTES:
                        raise TreeLimit(f"more than {MAX_BYTES} bytes in the workspace")
                    fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    with os.fdopen(fd, "rb") as fh:
                        state.files[path] = fh.read(st.st_size + 1)
                else:
                    state.others[path] = _kind(st.st_mode)
    return state


def parents(paths: object) -> set[str]:
    """Every directory that holds one of `paths` (relative posix paths)."""
    return {str(p) for path in paths for p in PurePosixPath(str(path)).parents if str(p) != "."}


def diff_state(expected: dict[str, bytes], got: TreeState, optional_dirs: set[str]) -> list[str]:
    """Differences, at most five. Directories that hold expected files must exist; a start
    directory the task did not ask to remove may stay (empty) or go; any other directory,
    symlink or special file is unexpected."""
    out = [f"missing {p}" for p in sorted(set(expected) - set(got.files))]
    out += [f"unexpected {p}" for p in sorted(set(got.files) - set(expected))]
    out += [f"content of {p} differs" for p in sorted(set(expected) & set(got.files))
            if expected[p] != got.files[p]]
    allowed = parents(expected) | optional_dirs
    out += [f"unexpected directory {d}/" for d in sorted(got.dirs - allowed)]
    out += [f"unexpected {kind} {p}" for p, kind in sorted(got.others.items())]
    # names are the agent's bytes: show undecodable ones escaped, never as lone surrogates
    return [line.encode("utf-8", "backslashreplace").decode("utf-8") for line in out[:5]]
