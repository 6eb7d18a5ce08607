"""An audit hook (PEP 578) that keeps a test candidate away from the harness's memory.

Audit hooks are not a sandbox by themselves -- the namespaces, the dropped uid, the
rlimits and the masked /proc are. This hook only protects the *verdict*: inside one
process, the candidate must not read or rewrite the harness's frames (where the nonce
and the test code live), must not add hooks that would see them, and must not reach raw
memory. Everything it refuses is rare in honest solutions.
"""
from __future__ import annotations

import sys

# Events that hand out frames, other threads' state, arbitrary objects, or new hooks.
DENIED_EVENTS = frozenset({
    "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace",
    "sys.setprofile", "sys.addaudithook", "gc.get_objects", "gc.get_referrers",
    "gc.get_referents", "code.__new__", "function.__new__",
    "cpython.PyInterpreterState_New", "cpython._PySys_ClearAuditHooks",
})
# Modules that read or write raw memory, or start an interpreter without this hook.
DENIED_MODULES = frozenset({
    "ctypes", "_ctypes", "_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase",
    "_xxsubinterpreters", "_xxinterpchannels", "_xxtestfuzz", "cffi", "_cffi_backend",
    "gdb", "pyrasite",
})
# Restricted attributes (PEP 578 "object.__getattr__"): each leads to a frame.
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})


class SandboxDenied(RuntimeError):
    """Raised inside the candidate when it tries something the test harness forbids."""


class SandboxImportDenied(ImportError):
    """An ImportError, so that `try: import ctypes / except ImportError` keeps working."""


def install_guard(allowed_tracebacks: set[int]) -> None:
    """Install the hook for the rest of this process; `allowed_tracebacks` holds the ids
    of traceback objects the harness may read after the verdict."""
    denied, modules, frame_attrs = DENIED_EVENTS, DENIED_MODULES, FRAME_ATTRS

    def hook(event: str, args: tuple) -> None:
        if event in denied:
            raise SandboxDenied(f"{event} is not allowed inside a sandboxed test run")
        if event == "import":
            top = str(args[0]).partition(".")[0]
            if top in modules:
                raise SandboxImportDenied(f"import of {args[0]} is not allowed in a test run")
        elif event == "object.__getattr__":
            if args[1] in frame_attrs and id(args[0]) not in allowed_tracebacks:
                raise SandboxDenied(f"{args[1]} is not allowed inside a sandboxed test run")
        elif event.startswith("ctypes."):
            raise SandboxDenied(f"{event} is not allowed inside a sandboxed test run")

    sys.addaudithook(hook)
