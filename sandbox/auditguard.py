"""An audit hook (PEP 578) that keeps a test candidate away from the harness's memory.

Audit hooks are not a sandbox by themselves -- the namespaces, the dropped uid, the
rlimits and the masked /proc are. This hook only protects the *verdict*: inside one
process, the candidate must not read or rewrite the harness's frames (where the nonce,
the pass signal and the test code live), must not add hooks that would see them, and
must not reach raw memory.

Frames are handed out, but only safe ones. CPython 3.11 audits `sys._getframe` (with the
frame it is about to return) and `tb_frame`/`gi_frame`/`cr_frame`/`ag_frame`, but *not*
`f_back` or `f_locals`: whoever holds a frame can walk its whole back-chain unseen. So a
frame is handed out only if no frame on that chain is protected: a frame of the test
code, a harness frame (other than the worker thread's first frame, which is built to
hold nothing of value), or a generator/coroutine frame (its `f_back` is rewired to the
new caller on every resume, so a frame held now could reach the tests later).

No function's `__code__`, `__defaults__` or `__kwdefaults__` may be replaced at all: a
harness function reached through a frame's `f_globals` or `sys.modules` would otherwise
be rewritten to skip the tests.

The tests' constants live in their code objects. A function or generator the tests made
and handed to the candidate (a callback, a key function, a generator expression) would
give them out through `__code__`/`gi_code`, or hold them in `__defaults__`; these reads,
and writes that would swap a test function's code, are refused for test code only.
"""
from __future__ import annotations

import _thread
import sys
import types

# Events that hand out other threads' state, arbitrary objects, or new hooks.
DENIED_EVENTS = frozenset({
    "sys._current_frames", "sys._current_exceptions", "sys.settrace",
    "sys.setprofile", "sys.addaudithook", "gc.get_objects", "gc.get_referrers",
    "gc.get_referents", "code.__new__", "function.__new__",
    "cpython.PyInterpreterState_New", "cpython._PySys_ClearAuditHooks",
    # Hand-made bytecode reads and writes memory out of bounds; imports compile from
    # source instead (the harness points sys.pycache_prefix at nothing).
    "marshal.load", "marshal.loads",
})
# Modules that read or write raw memory, or start an interpreter without this hook.
DENIED_MODULES = frozenset({
    "ctypes", "_ctypes", "_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase",
    "_xxsubinterpreters", "_xxinterpchannels", "_xxtestfuzz", "cffi", "_cffi_backend",
    "gdb", "pyrasite",
})
# Restricted attributes (PEP 578 "object.__getattr__") that return a frame.
FRAME_ATTRS = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
# Restricted attributes (read: "object.__getattr__", write: "object.__setattr__") that give out
# or replace a function's or generator's code object, or a function's default values.
CODE_ATTRS = frozenset({"__code__", "__defaults__", "__kwdefaults__", "gi_code", "cr_code",
                        "ag_code"})
# The attribute that holds the code object, per type that can carry test code.
CODE_OF = {types.FunctionType: "__code__", types.GeneratorType: "gi_code",
           types.CoroutineType: "cr_code", types.AsyncGeneratorType: "ag_code"}
# Their f_back follows whoever resumes them, so they never count as a safe chain.
# CO_GENERATOR | CO_COROUTINE | CO_ITERABLE_COROUTINE | CO_ASYNC_GENERATOR
RESUMABLE = 0x20 | 0x80 | 0x100 | 0x200
_PACKAGE = __name__.rpartition(".")[0]


class SandboxDenied(RuntimeError):
    """Raised inside the candidate when it tries something the test harness forbids."""


class SandboxFrameDenied(SandboxDenied, ValueError):
    """A refused frame. Also a ValueError, which is what `sys._getframe` raises past the
    top of the stack: stdlib callers (typing, namedtuple, enum) then fall back gracefully."""


class SandboxImportDenied(ImportError):
    """An ImportError, so that `try: import ctypes / except ImportError` keeps working."""


def code_tree(code: types.CodeType) -> list[types.CodeType]:
    """`code` and every code object nested in it (functions, lambdas, comprehensions)."""
    found, todo = [], [code]
    while todo:
        co = todo.pop()
        found.append(co)
        todo.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
    return found


def harness_globals() -> frozenset[int]:
    """ids of the module dicts of this package (under whatever name it was loaded)."""
    return frozenset(id(m.__dict__) for name, m in list(sys.modules.items())
                     if m is not None and (name == _PACKAGE or name.startswith(_PACKAGE + ".")))


_HARNESS_CODE: list = []  # computed once in the warm process, shared by its forks


def harness_code_ids() -> frozenset[int]:
    """ids of the code of every function defined in this package's modules."""
    if _HARNESS_CODE:
        return _HARNESS_CODE[0]
    ids = set()
    for name, m in list(sys.modules.items()):
        if m is None or not (name == _PACKAGE or name.startswith(_PACKAGE + ".")):
            continue
        for value in list(vars(m).values()):
            if isinstance(value, types.FunctionType):
                ids.update(map(id, code_tree(value.__code__)))
    _HARNESS_CODE.append(frozenset(ids))
    return _HARNESS_CODE[0]


def install_guard(allowed_tracebacks: set[int],
                  test_code: types.CodeType | tuple[types.CodeType, ...] | None = None,
                  boundary: types.CodeType | None = None) -> None:
    """Install the hook for the rest of this process.

    `allowed_tracebacks` holds ids of traceback objects the harness may read after the
    verdict; `test_code` is the compiled test program, or a tuple of programs (their
    frames, code objects and defaults are protected);
    `boundary` is the code of the worker thread's first frame, the one harness frame the
    candidate may see because it keeps nothing in its locals."""
    denied, modules = DENIED_EVENTS, DENIED_MODULES
    frame_attrs, code_attrs = FRAME_ATTRS, CODE_ATTRS
    # Bound now: the candidate may rebind builtins, and the hook must run none of its code.
    id_, str_, isinstance_, type_, len_, getattr_ = id, str, isinstance, type, len, getattr
    code_of = dict(CODE_OF)
    get_ident, frame_type, tb_type = _thread.get_ident, types.FrameType, types.TracebackType
    roots = () if test_code is None else test_code if isinstance(test_code, tuple) else (test_code,)
    tests = [co for root in roots for co in code_tree(root)]
    test_ids = frozenset(map(id, tests))  # `tests` keeps them alive, so ids stay unique
    harness = harness_globals()
    harness_code = harness_code_ids()  # their defaults may not be rewritten either
    boundary_id = id_(boundary) if boundary is not None else None
    busy: set[int] = set()  # threads inside the hook (reading tb_frame re-enters it)

    def safe(frame) -> bool:
        while frame is not None:  # f_back is not audited, so nothing here re-enters the hook
            code = frame.f_code
            if id_(code) in test_ids or code.co_flags & RESUMABLE:
                return False
            if id_(frame.f_globals) in harness and id_(code) != boundary_id:
                return False
            frame = frame.f_back
        return True

    def check_frame(frame, what: str) -> None:
        if not isinstance_(frame, frame_type) or not safe(frame):
            raise SandboxFrameDenied(f"{what}: frames of the test harness are not "
                                     "reachable inside a sandboxed test run")

    def hook(event: str, args: tuple) -> None:
        if event == "sys._getframe":  # args[0] is the frame about to be returned
            check_frame(args[0] if len_(args) == 1 else None, event)
        elif event in denied:
            raise SandboxDenied(f"{event} is not allowed inside a sandboxed test run")
        elif event == "import":
            top = str_(args[0]).partition(".")[0]
            if top in modules:
                raise SandboxImportDenied(f"import of {args[0]} is not allowed in a test run")
        elif event in ("object.__getattr__", "object.__setattr__"):
            if type_(args[1]) is not str_:  # sys.audit can send anything; str hashing is safe
                return
            if args[1] in code_attrs:
                if event == "object.__setattr__" and args[1] == "__code__":
                    raise SandboxDenied("setting __code__ is not allowed inside a "
                                        "sandboxed test run")
                _check_code(args[0], args[1], event == "object.__setattr__")
            elif (args[1] in frame_attrs and event == "object.__getattr__"
                  and id_(args[0]) not in allowed_tracebacks):
                _check_attr(args[0], args[1])
        elif event.startswith("ctypes."):
            raise SandboxDenied(f"{event} is not allowed inside a sandboxed test run")

    def _check_attr(obj, attr: str) -> None:
        # A generator's frame is resumable: never safe. A fake "traceback" (sys.audit can
        # raise this event with any object) must not run its code while `busy` is set.
        if attr != "tb_frame" or type_(obj) is not tb_type:
            raise SandboxFrameDenied(f"{attr} is not allowed inside a sandboxed test run")
        me = get_ident()
        if me in busy:
            return  # our own read of tb_frame, just below
        busy.add(me)
        try:
            frame = obj.tb_frame
        finally:
            busy.discard(me)
        check_frame(frame, "tb_frame")

    def _check_code(obj, attr: str, write: bool = False) -> None:
        # Exact C types only: their getters run no Python code between busy.add and discard.
        # Anything else (a fake event sent with sys.audit) carries no code of the tests.
        holder = code_of.get(type_(obj))
        if holder is None:
            return
        me = get_ident()
        if me in busy:
            return  # our own read of the code object, just below
        busy.add(me)
        try:
            code = getattr_(obj, holder)
        finally:
            busy.discard(me)
        if id_(code) in test_ids:
            raise SandboxDenied(f"{attr} of test code is not reachable inside a sandboxed "
                                "test run")
        if write and id_(code) in harness_code:
            raise SandboxDenied(f"{attr} of harness code cannot be replaced inside a "
                                "sandboxed test run")

    sys.addaudithook(hook)
