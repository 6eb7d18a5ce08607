"""The candidate process: drop privileges, apply limits, then run untrusted code.

Runs in a child forked by the runner (which already imported everything), so a Python
candidate costs one fork and no interpreter start. Never returns: every path ends in
`os._exit` so no parent frame, atexit hook or finaliser of the runner ever runs here.
"""
from __future__ import annotations

import _thread
import builtins
import gc
import io
import os
import resource
import signal
import sys
import types

from .auditguard import (SandboxDenied, SandboxFrameDenied, SandboxImportDenied, code_tree,
                         install_guard)

SANDBOX_ERRORS = (SandboxDenied, SandboxFrameDenied, SandboxImportDenied)

CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
EXIT_HARNESS_FAULT = 125  # the harness itself could not start the candidate


def clean_env(workdir: str) -> dict[str, str]:
    """The whole environment a candidate sees: no inherited variable, hence no secret."""
    return {"PATH": CLEAN_PATH, "HOME": workdir, "TMPDIR": workdir, "PWD": workdir,
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONIOENCODING": "utf-8"}


def _set_limits(job: dict, cfg: dict) -> None:
    cpu = int(job["timeout_s"]) + 1  # the wall clock normally fires first; this is a backstop
    mem = job["memory_mb"] * 2 ** 20
    limits = {resource.RLIMIT_CPU: (cpu, cpu + 1), resource.RLIMIT_AS: (mem, mem),
              resource.RLIMIT_NPROC: (cfg["nproc"], cfg["nproc"]),
              resource.RLIMIT_FSIZE: (cfg["file_mb"] * 2 ** 20,) * 2,
              resource.RLIMIT_NOFILE: (cfg["nofile"], cfg["nofile"]),
              resource.RLIMIT_CORE: (0, 0)}
    for which, value in limits.items():
        resource.setrlimit(which, value)


def _drop_privileges(cfg: dict) -> None:
    uid = cfg.get("uid")
    if uid is not None:  # root mode: a uid of its own per slot, no groups, no capabilities
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)  # also makes the process non-dumpable (suid_dumpable=0)
    if cfg.get("mode") == "zygote":
        return  # no_new_privs and the seccomp filter came with the zygote, before its exec
    from . import linux  # only in fork-server children: a test zygote never loads ctypes
    linux.prctl(linux.PR_SET_NO_NEW_PRIVS, 1)
    # Not dumpable: another process of the same uid can neither ptrace us nor read our memory.
    linux.prctl(linux.PR_SET_DUMPABLE, 0)
    from . import seccomp
    if cfg.get("mode") == "namespaces" and seccomp.supported():
        linux.install_seccomp(seccomp.build())


def _wire_fds(fds: dict) -> None:
    os.dup2(fds["stdin"], 0)
    os.dup2(fds["stdout"], 1)
    os.dup2(fds["stderr"], 2)
    keep = 3
    if fds.get("verdict") is not None:
        os.dup2(fds["verdict"], 3)
        keep = 4
    os.closerange(keep, 1 << 16)  # drops the runner's sockets, pipes and namespace fds


# Plain ints, listed once in the warm process: every fork inherits the list.
_SIGNALS = tuple(int(s) for s in signal.valid_signals()
                 if s not in (signal.SIGKILL, signal.SIGSTOP))


def _reset_signals() -> None:
    """Every handler back to the default. Only dispositions that differ are changed (a
    sigaction costs a seccomp check each); `getsignal` is None for a handler set outside
    Python, which is reset as well."""
    getsignal, dfl = signal.getsignal, signal.SIG_DFL
    for sig in _SIGNALS:
        if getsignal(sig) is dfl:
            continue
        try:
            signal.signal(sig, dfl)
        except (OSError, ValueError):
            continue  # signals Python may not touch (e.g. 32/33, used by libc)
    # What a fresh Python interpreter does: ignore SIGPIPE and SIGXFSZ, turn them into OSError.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def enter(job: dict, cfg: dict, fds: dict, workdir: str) -> None:
    """Child side of one run: isolate this process, then run the job. Never returns."""
    try:
        os.setsid()
        if fds.get("cgroup") is not None:  # join the run's memory cgroup while still root
            os.write(fds["cgroup"], b"0")
        if fds.get("proc") is not None:  # the runner shields itself from the OOM killer; we don't
            adj = os.open("self/oom_score_adj", os.O_WRONLY, dir_fd=fds["proc"])
            os.write(adj, b"0")
            os.close(adj)
        _wire_fds(fds)
        os.chdir(workdir)
        _set_limits(job, cfg)
        _drop_privileges(cfg)
        env = clean_env(workdir)
        if job["language"] == "bash":
            os.execve("/bin/bash", ["bash", "-c", job["code"]], env)
        os.environ.clear()
        os.environ.update(env)
        gc.enable()  # the server runs without it; the candidate gets a normal interpreter
        _reset_signals()
        _fresh_interpreter_state()
    except BaseException as exc:  # report why the jail failed, as the candidate's stderr
        os.write(2, f"sandbox: could not start the candidate: {exc!r}\n".encode())
        os._exit(EXIT_HARNESS_FAULT)
    if job.get("test") is None:
        _run_python(job["code"])
    _run_python_test(job["code"], job["test"], job["nonce"], job.get("prelude") or "",
                     job.get("compiled"))


def _fresh_interpreter_state() -> None:
    sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                 encoding="utf-8", errors="replace")
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(io.FileIO(1, "w", closefd=False)),
                                  encoding="utf-8", errors="backslashreplace")
    sys.stderr = io.TextIOWrapper(io.BufferedWriter(io.FileIO(2, "w", closefd=False)),
                                  encoding="utf-8", errors="backslashreplace",
                                  line_buffering=True)
    sys.argv = ["-c"]
    # As `python -c`: the working dir first, and nothing of the sandbox's own location.
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [""] + [p for p in sys.path if p and os.path.abspath(p) != here]
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _flush_and_exit(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            continue  # the candidate closed or replaced it; nothing left to flush
    os._exit(code)


def _run_python(code: str) -> None:
    """Plain `run`: behave like `python -c code` (exit codes, tracebacks, atexit)."""
    import atexit
    import threading
    import traceback
    status = 0
    try:
        exec(compile(code, "<string>", "exec"), sys.modules["__main__"].__dict__)
    except SystemExit as exc:
        status = _exit_code(exc)
    except BaseException:
        traceback.print_exc()
        status = 1
    try:
        threading._shutdown()  # as interpreter exit does: wait for non-daemon threads
        atexit._run_exitfuncs()
    except SystemExit as exc:
        status = _exit_code(exc)
    except BaseException:
        traceback.print_exc()
    _flush_and_exit(status)


def _test_body(exec_, cand, g, release, failures, pending) -> None:
    """Worker thread's first frame: candidate, then the tests, then the pass mark.

    The candidate can reach this frame (from its module frame, `f_back` is not audited),
    so its locals hold nothing that could fake a pass: the test code, the tests' builtins
    and the pass mark leave `pending` for the value stack, which no frame API shows, before
    the candidate runs. `release` and `failures` are harmless: releasing early, or adding a
    failure, only makes the verdict fail. `exec_` is the real exec, taken before the
    candidate could replace builtins.exec. `g` is the candidate's own namespace."""
    try:
        # Arguments are evaluated left to right: `pending` is empty before exec_(cand) runs.
        _finish(*pending.pop(), exec_(cand, g))
    except BaseException as exc:  # any way out before the last assert is a failure
        failures.append(exc)
    finally:
        release()


def _finish(exec_, test, g, test_builtins, prelude_ns, mark_passed, _candidate_result) -> None:
    """Runs the tests once the candidate's module code has run; the audit hook keeps every
    frame on this chain (this one and the tests') out of the candidate's reach.

    The tests get a namespace of their own: a shallow copy of the candidate's, so they call
    its functions by name, while those functions keep `g` as their globals, which never
    holds a name the tests bind (a HumanEval `check`, loop variables, expected tables).
    It is no module's dict, so `sys.modules` does not lead to it either. Its builtins are
    the ones snapshotted before the candidate ran: patching `builtins.abs` does not reach
    the asserts. What the trusted prelude bound (before the candidate ran) comes last, so
    a candidate name cannot shadow it."""
    ns = g.copy()  # dict.copy: the name `dict` may have been rebound by the candidate
    ns.update(prelude_ns)
    ns["__builtins__"] = test_builtins
    exec_(test, ns)
    mark_passed(True)


def _pristine_builtins() -> types.ModuleType:
    """A private copy of the builtins module, taken before the candidate runs."""
    mod = types.ModuleType("builtins", builtins.__doc__)
    mod.__dict__.update(builtins.__dict__)
    return mod


def precompile(test: str, prelude: str) -> tuple | None:
    """The trusted test and prelude compiled once in the runner, before the forks; None if
    either fails, and then the candidate's process compiles them and reports why."""
    try:
        return compile(test, "<test>", "exec"), compile(prelude, "<prelude>", "exec")
    except Exception:  # SyntaxError, ValueError (NUL), RecursionError, MemoryError
        return None


def _run_python_test(code: str, test: str, nonce: str, prelude: str = "",
                     compiled: tuple | None = None) -> None:
    """`run_tests`: the nonce goes to fd 3 only once the tests ran to their end.

    The candidate and the tests run in a worker thread, in separate namespaces (see
    `_finish`); an audit hook hands the candidate no frame of the tests or of the harness,
    no code object (nor defaults) of a test function, and cuts off gc, ctypes and tracing,
    so nothing there can reach the pass mark, this frame (the nonce) or the test code; the
    main thread never runs candidate code before the verdict is written, so no candidate
    signal handler can see it either. `prelude` is trusted code run here, before the
    candidate, in a namespace only the tests get.
    """
    # Bound to locals now: the candidate may rebind any module attribute or builtin later.
    write, exit_, start, lock = os.write, os._exit, _thread.start_new_thread, _thread.allocate_lock
    exec_, out, err = builtins.exec, sys.stdout, sys.stderr
    try:
        test_code, prelude_code = compiled or (compile(test, "<test>", "exec"),
                                               compile(prelude, "<prelude>", "exec"))
    except SyntaxError as exc:
        write(2, f"sandbox: the test program does not compile: {exc}\n".encode())
        exit_(EXIT_HARNESS_FAULT)
    try:
        cand_code = compile(code, "<candidate>", "exec")
    except (SyntaxError, ValueError) as exc:
        write(2, f"SyntaxError: {exc}\n".encode())
        exit_(1)
    import logging
    logging._srcfile = None  # logging would walk frames to find the caller; the guard denies it
    record, allow = _failure_record, _allow_tracebacks  # bound before the candidate runs
    test_ids = frozenset(id(co) for co in code_tree(test_code))
    builtin_excs = frozenset(id(v) for v in (*vars(builtins).values(), *SANDBOX_ERRORS)
                             if isinstance(v, type) and issubclass(v, BaseException))
    allowed: set[int] = set()
    # No .pyc is read from here on: importing compiles from source, so marshal (which
    # would build code objects from hand-made bytecode) can be refused outright.
    sys.pycache_prefix, sys.dont_write_bytecode = "/nonexistent-pycache", True
    install_guard(allowed, (test_code, prelude_code), _test_body.__code__)
    test_builtins = _pristine_builtins()
    prelude_ns = {"__name__": "__main__", "__builtins__": test_builtins}
    try:
        exec_(prelude_code, prelude_ns)
    except BaseException as exc:  # trusted code that fails is the caller's bug, not the candidate's
        write(2, f"sandbox: the test prelude failed: {exc!r}\n".encode())
        exit_(EXIT_HARNESS_FAULT)
    passed_mark: list = []  # only _finish appends, after the last test statement
    failures: list = []
    done = lock()
    done.acquire()
    g = sys.modules["__main__"].__dict__
    start(_test_body, (exec_, cand_code, g, done.release, failures,
                       [(exec_, test_code, g, test_builtins, prelude_ns, passed_mark.append)]))
    done.acquire()
    passed = passed_mark == [True] and not failures
    for stream in (out, err):  # the harness's own C TextIOWrappers: no candidate code
        try:
            stream.flush()
        except (OSError, ValueError):
            continue  # the candidate closed fd 1 or 2
    if passed:
        write(3, nonce.encode())
        exit_(0)
    nonce = None  # nothing below may need it
    # The verdict is "failed"; what failed goes out as plain data (no candidate method
    # runs, no test source enters linecache) and the trusted side formats it.
    exc = failures[0] if failures else None
    allow(exc, allowed)
    write(3, record(exc, test_ids, builtin_excs))
    exit_(1)


# Read through the C descriptors of the base types: a candidate class cannot override them.
_TYPE_NAME = type.__dict__["__qualname__"].__get__
_EXC_ARGS = BaseException.__dict__["args"].__get__
_EXC_TB = BaseException.__dict__["__traceback__"].__get__
_PLAIN = (str, int, float, bool, type(None))
FAIL_MARK = b"\x00FAIL\x00"


def _failure_record(exc, test_ids: frozenset, builtin_excs: frozenset) -> bytes:
    """What failed, as plain bytes for the trusted side to format: exception type name, the
    test line number, and the message only when it is made of plain values. Calls no
    method a candidate could define (no __str__, __repr__, __eq__), and the test source is
    never put in this process's linecache: the runner's caller formats the line."""
    name, line, msg = "NoOutcome", "", ""
    try:
        cls = type(exc)
        name = _TYPE_NAME(cls) if isinstance(cls, type) else "?"
        if type(name) is not str:
            name = "?"
        if id(cls) in builtin_excs:  # ids: hashing or comparing a class may run its metaclass
            args = _EXC_ARGS(exc)
            if all(any(type(a) is t for t in _PLAIN) for a in args):
                msg = args[0] if len(args) == 1 and type(args[0]) is str else \
                    ("" if not args else repr(args))
        tb = _EXC_TB(exc)
        while tb is not None:
            if id(tb.tb_frame.f_code) in test_ids:
                line = str(tb.tb_lineno)
            tb = tb.tb_next
    except Exception:  # a crafted failure object: the type name is all it gets
        pass
    text = f"{name[:200]}\x00{line}\x00{msg[:1000]}"
    return FAIL_MARK + text.encode("utf-8", "replace")


def _allow_tracebacks(exc, allowed: set, depth: int = 0) -> None:
    """Let the harness read the frames of `exc` (only that chain, no __cause__ walk)."""
    if depth > 0:
        return
    try:
        tb = _EXC_TB(exc)
    except TypeError:
        return
    while tb is not None:
        allowed.add(id(tb))
        tb = tb.tb_next
