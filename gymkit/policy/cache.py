"""gymkit's model cache: directories built once, atomically, shared by every process.

A cached entry is a directory under `$GYMKIT_CACHE/models` (default `~/.cache/gymkit`). It is
built in a private temp directory and renamed into place only when complete, so a killed or
concurrent build never leaves a half-written model behind; a file lock keeps two processes
from doing the same (slow) build at once.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

MARKER = "gymkit_cache.json"  # written last; a directory without it is not a finished entry


def cache_root() -> Path:
    """The user's gymkit cache: `$GYMKIT_CACHE`, else `~/.cache/gymkit`."""
    env = os.environ.get("GYMKIT_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "gymkit"


def is_complete(path: Path) -> bool:
    return (path / MARKER).is_file()


@contextmanager
def _build_lock(lock_path: Path):
    try:
        import fcntl
    except ImportError:  # no flock (Windows): the atomic rename alone still keeps entries whole
        yield
        return
    with open(lock_path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released by the OS if this process dies
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def cached_dir(name: str, build: Callable[[Path], dict], root: Path | None = None) -> Path:
    """The cache entry `name`, calling `build(tmp_dir)` to make it the first time.

    `build` writes the entry's files into the empty directory it is given and returns a small
    dict of provenance that is stored in the entry's marker file.
    """
    base = (root or cache_root()) / "models"
    final = base / name
    if is_complete(final):
        return final
    base.mkdir(parents=True, exist_ok=True)
    with _build_lock(base / f".{name}.lock"):
        if is_complete(final):  # another process built it while we waited
            return final
        if final.exists():  # left by an older, non-atomic writer: never trust it
            shutil.rmtree(final)
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=base))
        try:
            t0 = time.perf_counter()
            info = build(tmp)
            info = {"name": name, "build_s": round(time.perf_counter() - t0, 2), **(info or {})}
            (tmp / MARKER).write_text(json.dumps(info, indent=1))
            os.rename(tmp, final)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        log.info("cached %s at %s", name, final)
    return final
