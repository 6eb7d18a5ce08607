"""File-tree helpers that never follow a link the candidate planted.

Everything a candidate leaves on disk is hostile: symlinks to /etc/shadow, FIFOs that
block a reader forever, huge files. These helpers copy and read only regular files and
directories (symlinks are kept as links, never followed) and bound the bytes they move.
"""
from __future__ import annotations

import os
import stat
from pathlib import PurePosixPath

MAX_DEPTH = 64
ENTRY_BYTES = 4096  # what an entry costs on a host disk (an ext4 dir is one 4 KiB block)


class TreeTooLarge(OSError):
    """The tree holds more bytes or entries than the caller allowed."""


def check_relpath(name: str) -> str:
    """Validate a user-given file name: relative, inside the working dir, no `..`."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"file name {name!r}: must be a non-empty string")
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"file name {name!r}: must be relative and stay inside the working dir")
    return str(path)


def write_files(root: str, files: dict[str, bytes], uid: int | None = None) -> None:
    """Create `files` (validated relative names) under `root`, owned by `uid` if given."""
    for name, data in files.items():
        path = os.path.join(root, check_relpath(name))
        parent = os.path.dirname(path)
        _makedirs(root, parent, uid)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
        try:
            os.write(fd, data)  # bounded by the client-side size check
            if uid is not None:
                os.fchown(fd, uid, uid)
        finally:
            os.close(fd)


def _makedirs(root: str, path: str, uid: int | None) -> None:
    if path == root or os.path.isdir(path):
        return
    _makedirs(root, os.path.dirname(path), uid)
    os.mkdir(path, 0o755)
    if uid is not None:
        os.chown(path, uid, uid)


def copy_tree(src_fd: int, dst_fd: int, uid: int | None, budget: list[int],
              depth: int = 0) -> None:
    """Copy the tree under directory fd `src_fd` into `dst_fd`; `budget[0]` bytes at most,
    counting ENTRY_BYTES for every entry (file, dir, link) on top of file contents."""
    if depth > MAX_DEPTH:
        raise TreeTooLarge(f"directory tree deeper than {MAX_DEPTH}")
    for entry in os.scandir(src_fd):
        st = os.stat(entry.name, dir_fd=src_fd, follow_symlinks=False)
        budget[0] -= ENTRY_BYTES
        if budget[0] < 0:
            raise TreeTooLarge("working dir larger than its size limit (entries count too)")
        if stat.S_ISDIR(st.st_mode):
            os.mkdir(entry.name, 0o755, dir_fd=dst_fd)
            sub_src = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                              dir_fd=src_fd)
            sub_dst = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                              dir_fd=dst_fd)
            try:
                if uid is not None:
                    os.fchown(sub_dst, uid, uid)
                copy_tree(sub_src, sub_dst, uid, budget, depth + 1)
            finally:
                os.close(sub_src)
                os.close(sub_dst)
        elif stat.S_ISLNK(st.st_mode):
            target = os.readlink(entry.name, dir_fd=src_fd)
            os.symlink(target, entry.name, dir_fd=dst_fd)
            if uid is not None:
                os.chown(entry.name, uid, uid, dir_fd=dst_fd, follow_symlinks=False)
        elif stat.S_ISREG(st.st_mode):
            _copy_file(entry.name, src_fd, dst_fd, st, uid, budget)
        # FIFOs, sockets and devices are dropped: reading them could block or leak.


def _copy_file(name: str, src_fd: int, dst_fd: int, st: os.stat_result, uid: int | None,
               budget: list[int]) -> None:
    budget[0] -= st.st_size
    if budget[0] < 0:
        raise TreeTooLarge("working dir larger than its size limit")
    fin = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src_fd)
    try:
        fout = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW,
                       stat.S_IMODE(st.st_mode) & 0o777, dir_fd=dst_fd)
        try:
            remaining = st.st_size
            while remaining > 0:
                sent = os.sendfile(fout, fin, None, remaining)
                if sent == 0:
                    break
                remaining -= sent
            if uid is not None:
                os.fchown(fout, uid, uid)
        finally:
            os.close(fout)
    finally:
        os.close(fin)


def measure(dir_fd: int, max_bytes: int, depth: int = 0) -> int:
    """Bytes the tree under `dir_fd` would cost when saved (file sizes + ENTRY_BYTES per
    entry); raises TreeTooLarge past `max_bytes` or MAX_DEPTH, before anything is written."""
    total = 0
    if depth > MAX_DEPTH:
        raise TreeTooLarge(f"directory tree deeper than {MAX_DEPTH}")
    for entry in os.scandir(dir_fd):
        st = os.stat(entry.name, dir_fd=dir_fd, follow_symlinks=False)
        total += ENTRY_BYTES + (st.st_size if stat.S_ISREG(st.st_mode) else 0)
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                          dir_fd=dir_fd)
            try:
                total += measure(sub, max_bytes - total, depth + 1)
            finally:
                os.close(sub)
        if total > max_bytes:
            raise TreeTooLarge("working dir larger than its size limit (entries count too)")
    return total


def clear_dir(dir_fd: int) -> None:
    """Remove everything inside the directory `dir_fd` (not the directory itself)."""
    for entry in os.scandir(dir_fd):
        st = os.stat(entry.name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            sub = os.open(entry.name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                          dir_fd=dir_fd)
            try:
                clear_dir(sub)
            finally:
                os.close(sub)
            os.rmdir(entry.name, dir_fd=dir_fd)
        else:
            os.unlink(entry.name, dir_fd=dir_fd)


def snapshot(root: str, max_bytes: int) -> dict[str, bytes]:
    """Regular files under `root` as {relative posix path: content}; links are not followed."""
    out: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if not stat.S_ISREG(st.st_mode):
                continue
            total += st.st_size
            if total > max_bytes:
                raise TreeTooLarge(f"snapshot larger than {max_bytes} bytes")
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as fh:
                out[os.path.relpath(path, root)] = fh.read(st.st_size)
        dirnames.sort()
    return out
