"""gymkit.sandbox: isolated, fast execution of untrusted (model-written) code.

    from gymkit.sandbox import run, run_tests, Workspace
    res = run("print(input())", stdin="hi")                  # RunResult(status="ok", ...)
    tr = run_tests("def f(x): return 2*x", ["assert f(2) == 4", "assert f(0) == 0"])

See docs/sandbox.md for the isolation each mode gives, and `isolation_report()` for the
mode this machine achieved. Stdlib only: the fork server imports this package without
importing gymkit.
"""
from .api import LANGUAGES, STATUSES, RunResult, TestRun, run, run_tests
from .calls import CallResult, CallsRun, run_calls  # calls judged on the caller's side
from .client import SandboxError, slot_count
from .report import isolation_report
from .workspace import Workspace

__all__ = ["LANGUAGES", "STATUSES", "RunResult", "SandboxError", "TestRun", "Workspace",
           "isolation_report", "run", "run_tests", "slot_count"]
