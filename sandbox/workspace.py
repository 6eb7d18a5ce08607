"""A persistent sandboxed working dir across several runs (for multi-turn shell agents)."""
from __future__ import annotations

import os
import shutil
import tempfile

from . import api, client, tree


class Workspace:
    """A working dir that survives between runs, each run isolated like `run`.

    Every `run` starts from a copy of the workspace inside the sandbox and, when it ends,
    the resulting tree (regular files, dirs, symlinks as links; at most `disk_mb`) is
    saved back. A run whose tree is past the limits (bytes, entries, depth) is not saved:
    the previous state is kept and its result says so in `workspace_error` (also in `reason`);
    its exit code alone does not tell. `snapshot()` reads the tree from outside the sandbox.
    """

    def __init__(self, files: dict[str, str | bytes] | None = None, disk_mb: int = 64):
        files_b = api._check_args("", "bash", "", 1.0, 64, files)
        os.makedirs(os.path.join(client.BASE_DIR, "ws"), mode=0o711, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix="ws-", dir=os.path.join(client.BASE_DIR, "ws"))
        self.disk_mb = disk_mb
        tree.write_files(self.path, files_b)

    def run(self, code: str, language: str = "bash", stdin: str | bytes = "",
            timeout_s: float = 5.0, memory_mb: int = 512) -> api.RunResult:
        """Run `code` with the workspace as working dir; its changes persist, unless the
        result's `workspace_error` says they could not be saved."""
        if self.path is None:
            raise ValueError("this Workspace is closed")
        files_b = api._check_args(code, language, stdin, timeout_s, memory_mb, None)
        job = api._job(code, language, stdin, timeout_s, memory_mb, files_b)
        request = api._request([job], workspace=self.path)
        request["disk_mb"] = self.disk_mb
        # Enough inodes for any tree the budget admits (4 KiB per entry), plus some.
        request["inodes"] = max(request["inodes"], self.disk_mb * 256 + 64)
        raw = client.submit(request)["results"][0]
        return api._result(raw, job)

    def snapshot(self) -> dict[str, bytes]:
        """The current file tree: {relative path: bytes}, regular files only."""
        if self.path is None:
            raise ValueError("this Workspace is closed")
        return tree.snapshot(self.path, self.disk_mb * 2 ** 20)

    def close(self) -> None:
        """Remove the workspace and everything in it."""
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()
