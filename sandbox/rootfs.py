"""The filesystem a candidate sees: a fresh root built from an allowlist, read-only.

Nothing of the host is visible unless listed here: system binaries and libraries (/usr,
/bin, /lib*), a few /etc files programs need, a handful of /dev nodes, the interpreter's
own tree and the site-packages of the running venv (for `run`; `run_tests` gets the
stdlib only), and the sandbox package itself (read-only, under /opt/gymkit-sandbox).
Not the project tree, not task data, not home dirs, not other venvs, not /proc of the
host. Each run adds its own private /tmp on top.
"""
from __future__ import annotations

import glob
import os
import sys

from . import linux

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ETC_FILES = ("passwd", "group", "nsswitch.conf", "ld.so.cache", "ld.so.conf", "ld.so.conf.d",
             "localtime", "timezone", "hosts", "alternatives", "mime.types", "bash.bashrc",
             "profile", "inputrc", "os-release", "ssl")
DEV_NODES = ("null", "zero", "full", "random", "urandom")
PACKAGE_DIR = "/opt/gymkit-sandbox"  # where the sandbox package is visible inside
MIRROR_DIR = "/opt/gymkit-mirror"  # second view of allowlisted trees that live under /tmp
# Allowlisted trees under /tmp (a venv in a checkout under /tmp, as CI clones can be): each
# run's private /tmp tmpfs would cover them, so `restore_tmp_trees` binds them back on it.
TMP_TREES: list[str] = []
PYTHON = os.path.realpath(sys.executable)  # resolved before any chroot hides the venv link
# Extension modules that read raw memory or start an interpreter without the audit hook:
# test runs find an empty file in their place, whatever name they are loaded under.
DANGEROUS_EXTENSIONS = ("_ctypes", "_ctypes_test", "_testcapi", "_testinternalcapi",
                        "_testbuffer", "_testmultiphase", "_testimportmultiple",
                        "_testclinic", "_xxsubinterpreters", "_xxinterpchannels",
                        "_xxtestfuzz", "xxlimited", "xxlimited_35", "xxsubtype")


def interpreter_dirs() -> list[str]:
    """The interpreter's trees: base prefix (binary, stdlib, lib-dynload)."""
    dirs = {os.path.realpath(p) for p in (sys.base_prefix, sys.base_exec_prefix)}
    return sorted(d for d in dirs if not any(d.startswith(o + "/") for o in dirs))


def site_dirs() -> list[str]:
    """site-packages of the running environment (a venv's, not its project tree)."""
    out = []
    for p in sys.path:
        if p and os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p):
            rp = os.path.realpath(p)
            if not any(rp.startswith(d + "/") for d in interpreter_dirs()):
                out.append(rp)
    return sorted(set(out))


def _bind(src: str, root: str, recursive: bool = True) -> None:
    dst = root + src
    if os.path.isdir(src):
        os.makedirs(dst, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(dst), mode=0o755, exist_ok=True)
        if not os.path.exists(dst):
            os.close(os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644))
    linux.mount(src, dst, None, linux.MS_BIND | (linux.MS_REC if recursive else 0))


def _place(path: str, root: str) -> None:
    """Make `path` exist inside `root` as on the host: a symlink is copied as a link."""
    if os.path.islink(path):
        os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
        if not os.path.lexists(root + path):
            os.symlink(os.readlink(path), root + path)
    elif os.path.exists(path):
        _bind(path, root)


def build_root(root: str, package_dir: str, writable: str) -> None:
    """Mount a tmpfs at `root` and fill it from the allowlist; everything read-only but
    `writable` (the workspace dir, used by the root-side runner only)."""
    os.makedirs(root, mode=0o755, exist_ok=True)
    linux.mount("tmpfs", root, "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                "size=4m,nr_inodes=4096,mode=755")
    for path in SYSTEM_DIRS:
        _place(path, root)
    for name in ETC_FILES:
        _place("/etc/" + name, root)
    for name in DEV_NODES:
        if os.path.exists("/dev/" + name):
            _bind("/dev/" + name, root, recursive=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    for path in interpreter_dirs() + site_dirs():
        _bind(path, root)
    TMP_TREES[:] = [p for p in interpreter_dirs() + site_dirs() if p.startswith("/tmp/")]
    for i, path in enumerate(TMP_TREES):
        os.makedirs(f"{root}{MIRROR_DIR}/{i}", mode=0o755, exist_ok=True)
        linux.mount(path, f"{root}{MIRROR_DIR}/{i}", None, linux.MS_BIND | linux.MS_REC)
    os.makedirs(root + PACKAGE_DIR, mode=0o755, exist_ok=True)
    linux.mount(package_dir, root + PACKAGE_DIR, None, linux.MS_BIND)
    for name in ("tmp", "proc", "root", "home"):
        os.makedirs(f"{root}/{name}", mode=0o755, exist_ok=True)
    os.makedirs(root + writable, mode=0o755, exist_ok=True)
    linux.make_tree_readonly(root, recursive=True)
    _bind(writable, root, recursive=False)  # a fresh bind: writable, and only this dir


def restore_tmp_trees() -> None:
    """Inside the root, after a run's fresh tmpfs covered /tmp: bind the allowlisted trees
    that live under /tmp back at their own paths, read-only (root-owned dirs lead to them)."""
    for i, path in enumerate(TMP_TREES):
        os.makedirs(path, mode=0o755, exist_ok=True)
        linux.mount(f"{MIRROR_DIR}/{i}", path, None, linux.MS_BIND | linux.MS_REC)
        linux.make_tree_readonly(path, recursive=True)


def _python_trees() -> list[str]:
    """Every Python library tree inside the root: ours, and the system's (same ABI ones
    would load into our interpreter)."""
    bases = sorted({*interpreter_dirs(), "/usr", "/usr/local"})
    return sorted({d for b in bases for d in glob.glob(f"{b}/lib*/python*") if os.path.isdir(d)})


def harden_for_tests(slots: int, uid_base: int, disk_mb: int, inodes: int) -> None:
    """In the test zygote's own mount namespace (inside the root): hide every
    site-packages/dist-packages and the extension files that give raw memory (any Python
    tree's), and give each slot a private tmpfs at /tmp/s<i>."""
    hidden = set(site_dirs())
    for tree in _python_trees():
        hidden.update(glob.glob(f"{tree}/site-packages") + glob.glob(f"{tree}/dist-packages"))
        for name in DANGEROUS_EXTENSIONS:
            for so in glob.glob(f"{tree}/lib-dynload/{name}.*so") + \
                    glob.glob(f"{tree}/lib-dynload/{name}.so"):
                linux.mount("/dev/null", so, None, linux.MS_BIND)
    for path in sorted(p for p in hidden if os.path.isdir(p)):
        linux.mount("tmpfs", path, "tmpfs", linux.MS_RDONLY | linux.MS_NOSUID | linux.MS_NODEV,
                    "size=4k,nr_inodes=16,mode=555")
    linux.make_tree_readonly("/", recursive=True)
    linux.mount("tmpfs", "/tmp", "tmpfs", linux.MS_NOSUID | linux.MS_NODEV,
                f"size=64k,nr_inodes={2 * slots + 16},mode=755")
    for i in range(slots):
        os.mkdir(f"/tmp/s{i}", 0o755)
        uid = uid_base + i
        linux.mount("tmpfs", f"/tmp/s{i}", "tmpfs",
                    linux.MS_NOSUID | linux.MS_NODEV | linux.MS_NOEXEC,
                    f"size={disk_mb}m,nr_inodes={inodes},mode=700,uid={uid},gid={uid}")
