"""Public entry points: `run`, `run_tests`, and their result types."""
from __future__ import annotations

import os
import re
import secrets
import signal
from pathlib import PurePosixPath
from dataclasses import dataclass, field

from . import client, tree

LANGUAGES = ("python", "bash")
STATUSES = ("ok", "error", "timeout", "oom", "killed")
_SEVERITY = {s: i for i, s in enumerate(("ok", "error", "oom", "killed", "timeout"))}
OUTPUT_CAP = 1 << 20          # bytes kept per stream
OUTPUT_BUDGET = 64 << 20      # bytes read in all before the run is killed as a flood
MAX_FILES_BYTES = 64 << 20
LIMITS = {"nproc": 64, "nofile": 256, "file_mb": 64, "disk_mb": 256, "inodes": 16384}
_CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGFPE, signal.SIGILL}


@dataclass
class RunResult:
    """Outcome of one sandboxed program. `status` is one of STATUSES; `exit_code` is the
    process exit code, or -N when signal N ended it; outputs are capped at OUTPUT_CAP
    bytes each (decoded as UTF-8 with replacement) and the *_truncated flags say so.
    `workspace_error` (Workspace runs only) says why the run's changes were not saved, or not
    fully (past the workspace's limits the previous state is kept); '' when they were."""

    status: str
    exit_code: int | None
    stdout: str
    stderr: str
    wall_s: float
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    reason: str = ""
    workspace_error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class TestRun:
    """Outcome of `run_tests`. `passed` is True only if every test ran to its end (proved
    by a per-test nonce the candidate cannot reach); `results[i]` is test i's verdict;
    `status` is the worst per-test status; `details[i]` is the failure text or ''."""

    passed: bool
    results: list[bool]
    status: str
    details: list[str]
    wall_s: float
    runs: list[RunResult] = field(default_factory=list, repr=False)


def _check_args(code: object, language: str, stdin: object, timeout_s: float,
                memory_mb: int, files: dict | None) -> dict[str, bytes]:
    if not isinstance(code, str):
        raise TypeError(f"code must be a str, got {type(code).__name__}")
    if language not in LANGUAGES:
        raise ValueError(f"language {language!r} is not supported; choose one of {LANGUAGES}")
    if not isinstance(stdin, (str, bytes)):
        raise TypeError(f"stdin must be str or bytes, got {type(stdin).__name__}")
    if not (isinstance(timeout_s, (int, float)) and 0 < timeout_s <= 3600):
        raise ValueError(f"timeout_s={timeout_s!r}: must be a number in (0, 3600]")
    if not (isinstance(memory_mb, int) and 32 <= memory_mb <= 65536):
        raise ValueError(f"memory_mb={memory_mb!r}: must be an int in [32, 65536]")
    if language == "bash" and len(code.encode()) > 100_000:
        raise ValueError("bash code longer than 100 kB; write it to a file with files=")
    out: dict[str, bytes] = {}
    for name, data in (files or {}).items():
        tree.check_relpath(name)
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"files[{name!r}] must be str or bytes")
        out[name] = data.encode() if isinstance(data, str) else data
    if sum(map(len, out.values())) > MAX_FILES_BYTES:
        raise ValueError(f"files= holds more than {MAX_FILES_BYTES} bytes")
    dirs = {str(p) for name in out for p in PurePosixPath(name).parents if str(p) != "."}
    clash = sorted(dirs & {str(PurePosixPath(n)) for n in out})
    if clash:  # `a` and `a/b.py`: a path cannot be a file and a folder at once
        raise ValueError(f"files= names {clash[0]!r} both as a file and as a folder")
    return out


def _job(code: str, language: str, stdin: str | bytes, timeout_s: float, memory_mb: int,
         files: dict[str, bytes], test: str | None = None, prelude: str = "") -> dict:
    return {"code": code, "language": language, "timeout_s": float(timeout_s),
            "memory_mb": memory_mb, "files": files, "prelude": prelude,
            "stdin": stdin.encode() if isinstance(stdin, str) else stdin,
            "test": test, "nonce": secrets.token_hex(16) if test is not None else None}


def _request(jobs: list[dict], workspace: str | None = None) -> dict:
    return {"jobs": jobs, "workspace": workspace, "output_cap": OUTPUT_CAP,
            "output_budget": OUTPUT_BUDGET, **LIMITS}


def _status(raw: dict, job: dict) -> tuple[str, int | None, str]:
    """Map the runner's raw wait status to (status, exit_code, reason)."""
    ws = raw["wait_status"]
    code = os.waitstatus_to_exitcode(ws)
    if raw.get("oom_killed"):  # the run's memory cgroup went over memory_mb
        return "oom", code, f"memory limit ({job['memory_mb']} MB for all processes)"
    if raw["reason"] == "timeout":
        return "timeout", code, f"wall clock over {job['timeout_s']} s"
    if raw["reason"] == "output":
        return "killed", code, f"output over {OUTPUT_BUDGET} bytes"
    if os.WIFSIGNALED(ws):
        sig = os.WTERMSIG(ws)
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and raw["cpu_s"] >= job["timeout_s"]):
            return "timeout", code, "CPU time limit"
        if sig in _CRASH_SIGNALS:
            return "error", code, f"crashed with {signal.Signals(sig).name}"
        return "killed", code, f"killed by {signal.Signals(sig).name}"
    tail = raw["stderr"][-2000:].decode("utf-8", "replace")
    if code != 0 and re.search(r"^(\w+\.)*MemoryError\b", tail, re.M):
        return "oom", code, "memory limit"
    if code != 0:
        return "error", code, f"exit code {code}"
    return "ok", code, ""


def _result(raw: dict, job: dict) -> RunResult:
    status, code, reason = _status(raw, job)
    if raw.get("workspace_error"):
        reason = "; ".join(filter(None, [reason, raw["workspace_error"]]))
    return RunResult(status=status, exit_code=code,
                     stdout=raw["stdout"].decode("utf-8", "replace"),
                     stderr=raw["stderr"].decode("utf-8", "replace"), wall_s=raw["wall_s"],
                     stdout_truncated=raw["stdout_truncated"],
                     stderr_truncated=raw["stderr_truncated"], reason=reason,
                     workspace_error=raw.get("workspace_error") or "")


def run(code: str, language: str = "python", stdin: str | bytes = "", timeout_s: float = 5.0,
        memory_mb: int = 512, files: dict[str, str | bytes] | None = None) -> RunResult:
    """Run untrusted `code` ("python" or "bash") in a fresh sandbox and return its result.

    The run gets a fresh working dir holding `files`, a scrubbed environment, no network,
    a read-only view of the host, rlimits, a wall-clock `timeout_s`, and every process it
    started is killed at the end. Bad arguments raise ValueError/TypeError; a failure of
    the sandbox itself raises `SandboxError`; anything the program does is a status.
    """
    files_b = _check_args(code, language, stdin, timeout_s, memory_mb, files)
    job = _job(code, language, stdin, timeout_s, memory_mb, files_b)
    raw = client.submit(_request([job]))["results"][0]
    return _result(raw, job)


def run_tests(candidate_code: str, tests: str | list[str], timeout_s: float = 5.0,
              memory_mb: int = 512, files: dict[str, str | bytes] | None = None,
              prelude: str = "") -> TestRun:
    """Run python `tests` (asserts) against `candidate_code`; the harness decides the verdict.

    `tests` is one program, or a list of independent snippets, each run in its own
    process against a fresh copy of the candidate with its own `timeout_s`. A test passes
    only if its harness writes a per-test nonce after the last statement, on a pipe the
    candidate cannot forge: exit(0), os._exit(0), printing PASSED, or patching builtins
    before the asserts all fail.

    The tests run in a namespace of their own, a copy of the candidate's taken after its
    module code ran, with builtins taken before: the candidate's functions cannot see the
    tests' names. `prelude` is trusted code (e.g. comparison guards) run before the
    candidate in the tests' namespace; its names win over the candidate's.
    """
    tests_l = [tests] if isinstance(tests, str) else tests
    if not isinstance(tests_l, list) or not tests_l or not all(isinstance(t, str) for t in tests_l):
        raise TypeError("tests must be a str or a non-empty list of str")
    if not isinstance(prelude, str):
        raise TypeError(f"prelude must be a str, got {type(prelude).__name__}")
    files_b = _check_args(candidate_code, "python", "", timeout_s, memory_mb, files)
    jobs = [_job(candidate_code, "python", "", timeout_s, memory_mb, files_b, test=t,
                 prelude=prelude) for t in tests_l]
    raws = client.submit(_request(jobs))["results"]
    runs, results, details = [], [], []
    for raw, job in zip(raws, jobs):
        res = _result(raw, job)
        passed = raw["verdict"] == job["nonce"].encode()
        if not passed and res.status == "ok":  # exited 0 without finishing the tests
            res.status, res.reason = "error", "exited before the tests finished"
        if passed:
            res.status, res.reason = "ok", ""
        runs.append(res)
        results.append(passed)
        details.append("" if passed else _failure_line(res, raw["verdict"], job["test"]))
    status = max((r.status for r in runs), key=_SEVERITY.__getitem__)
    return TestRun(passed=all(results), results=results, status=status, details=details,
                   wall_s=sum(r.wall_s for r in runs), runs=runs)


FAIL_MARK = b"\x00FAIL\x00"  # jail._failure_record: type, test line, plain message


def _failure_line(res: RunResult, verdict: bytes = b"", test: str = "") -> str:
    """The most useful line of a failed test, formatted here on the trusted side: the
    exception and the test line it came from (the harness sends only the type name, the
    line number and a plain message), else the run's reason or the last line of stderr."""
    if res.status in ("timeout", "killed", "oom"):
        return res.reason or res.status
    if FAIL_MARK in verdict:
        name, _, rest = verdict.rsplit(FAIL_MARK, 1)[1].decode("utf-8", "replace").partition("\0")
        line, _, msg = rest.partition("\0")
        head = f"{name}: {msg}" if msg else name
        if line.isdigit():
            lines = test.splitlines()
            n = int(line)
            src = lines[n - 1].strip() if 0 < n <= len(lines) else ""
            head += f" (test line {n}: {src})" if src else f" (test line {n})"
        return head[:500]
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    tail = lines[-1].strip() if lines else ""
    return (tail or res.reason or res.status)[:500]
