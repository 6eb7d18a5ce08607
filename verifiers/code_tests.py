"""Code tests in the field's formats, run in `gymkit.sandbox`, turned into a verdict.

The verdict never depends on an object the candidate made. Formats (`TestSpec.kind`):
- `asserts`: HumanEval (`prompt` + `test` defining `check(candidate)` + `entry_point`),
  MBPP (`test_list` asserts + `test_setup_code`) and the env's generated asserts.
  *Values verdict* (the default): `code_values` splits each assert into candidate calls
  (`f(_gk_a[0])`, run by `sandbox.calls.run_calls` in one sandboxed process, results sent
  back through a type-exact encoder) and a check (`_gk_v0 == [1, 2]`,
  `abs(_gk_v0 - 0.5) < 1e-6`, `math.isclose(...)`) evaluated in a trusted worker process
  that never holds candidate code, on the decoded plain values, with Python's own
  semantics (`2 == 2.0`, `True == 1`). Expected values never enter the candidate's process.
  *Hardened verdict* (fallback): tests the rewriter cannot express (try/if/while,
  comprehensions or lambdas around a call, randomised tests...) run as snippets through
  `sandbox.run_tests`, with comparisons routed through guards (`code_harden`). Which one a
  task got is `Score.info["verdict"]`, with the reason in `info["verdict_reason"]`.
- `stdio`: APPS / LiveCodeBench stdin-stdout cases: the program runs once per case and its
  stdout is compared here, in the host, after normalising whitespace (see `same_stdout`).
- `call`: call-based cases (APPS `fn_name`, LiveCodeBench functional): the function (or
  `Solution().fn`) is called through `run_calls` and the decoded values are compared here
  with `same_value`.

Liveness: every call has its own `timeout_s`, enforced in the candidate's process by a
SIGALRM that kills it even inside C code; with `reward="all"`, the first failing call ends
the run, so a hanging candidate costs one timeout, not one per test. A total budget
(`total_s`, default TOTAL_BUDGET_S) bounds the candidate's time over all tests together.

A sandbox timeout or OOM on a test fails that test (the candidate's fault); an exception from
the sandbox itself, or tests that are themselves broken, give status `error`.
"""
from __future__ import annotations

import ast
import json
import math
import threading
from typing import Any, Literal

from pydantic import BaseModel, Field

from gymkit.types import Score
from gymkit.verifiers.code_extract import assemble_function, extract_python, needed_names
from gymkit.verifiers.code_harden import _PRELUDE, harden, pin_names, with_prelude  # noqa: F401
from gymkit.verifiers.code_values import collect, judge


class BadTests(ValueError):
    """The task's own tests are broken (a data problem, not the candidate's fault)."""

    __test__ = False  # not a pytest class


class TestSpec(BaseModel):
    """A task's hidden tests in one of three kinds (stored as JSON in `Task.data["tests"]`)."""

    __test__ = False  # not a pytest class

    kind: Literal["asserts", "stdio", "call"]
    tests: list[str] = Field(default_factory=list)  # asserts: independent snippets
    setup: str = ""  # asserts: code run before each snippet (MBPP setup, HumanEval test module)
    prompt: str = ""  # HumanEval: the code a body-only completion continues
    entry_point: str | None = None  # asserts / call: the function under test
    cases: list[dict[str, Any]] = Field(default_factory=list)  # stdio {input, output}; call {args, expected}
    unwrap_single: bool = False  # APPS quirk: expected [x] also accepts x
    timeout_s: float = 5.0  # per test
    memory_mb: int = 512  # per test


# The candidate's sandbox time over one verification, all tests together: under
# BaseEnv.score_budget_s (10 s), so a response that is slow on every call cannot make
# scoring take calls x timeout. Past it, the test that was running fails, and the rest.
TOTAL_BUDGET_S = 8.0


def _over(total: float) -> str:
    return f"over the total time budget of {total:g} s for all tests"


# ------------------------------------------------------------------ standard row formats
def _json_field(value: Any, name: str) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise ValueError(f"{name} is not valid JSON ({e.msg}); compressed LiveCodeBench "
                             "private tests must be decoded to JSON first") from None
    return value


def _check_asserts(test: str) -> list[str] | None:
    """The asserts of a HumanEval `check(candidate)` when its body is only asserts."""
    for node in ast.parse(test).body:
        if isinstance(node, ast.FunctionDef) and node.name == "check":
            body = [s for s in node.body
                    if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
            if body and all(isinstance(s, ast.Assert) for s in body):
                return [ast.get_source_segment(test, s) or ast.unparse(s) for s in body]
    return None


def _mbpp_entry(code: str, tests: list[str]) -> str | None:
    """The reference's top-level function that the first test calls (MBPP names none)."""
    try:
        defined = {s.name for s in ast.parse(code).body if isinstance(s, ast.FunctionDef)}
        called = [n.func.id for n in ast.walk(ast.parse(tests[0])) if isinstance(n, ast.Call)
                  and isinstance(n.func, ast.Name)] if tests else []
    except SyntaxError:
        return None
    return next((c for c in called if c in defined), None)


def spec_from_row(row: dict[str, Any]) -> TestSpec:
    """Recognise a HumanEval, MBPP, APPS or LiveCodeBench row and normalise its tests."""
    if "test" in row and "entry_point" in row and "def check" in str(row["test"]):
        ep, test = row["entry_point"], row["test"]
        asserts = _check_asserts(test)
        # One snippet per assert gives per-test results; otherwise run check() whole.
        tests = ([f"candidate = {ep}\n{a}" for a in asserts] if asserts
                 else [f"check({ep})"])
        return TestSpec(kind="asserts", tests=tests, setup=test, prompt=row.get("prompt", ""),
                        entry_point=ep)
    if "test_list" in row:
        tests = list(row["test_list"]) + list(row.get("challenge_test_list") or [])
        return TestSpec(kind="asserts", tests=tests, setup=row.get("test_setup_code") or "",
                        entry_point=_mbpp_entry(row.get("code") or "", tests))
    if "input_output" in row:
        io = _json_field(row["input_output"], "input_output") or {}
        ins, outs = io.get("inputs", []), io.get("outputs", [])
        if io.get("fn_name"):
            return TestSpec(kind="call", entry_point=io["fn_name"], unwrap_single=True,
                            cases=[{"args": a, "expected": o} for a, o in zip(ins, outs)])
        return TestSpec(kind="stdio", cases=[{"input": _text(i), "output": _text(o)}
                                             for i, o in zip(ins, outs)])
    if "public_test_cases" in row or "private_test_cases" in row:
        cases = (_json_field(row.get("public_test_cases") or [], "public_test_cases")
                 + _json_field(row.get("private_test_cases") or [], "private_test_cases"))
        meta = _json_field(row.get("metadata") or {}, "metadata")
        if cases and cases[0].get("testtype") == "functional":
            return TestSpec(kind="call", entry_point=meta.get("func_name"), cases=[
                {"args": [json.loads(a) for a in c["input"].splitlines() if a.strip()],
                 "expected": json.loads(c["output"])} for c in cases])
        return TestSpec(kind="stdio", cases=[{"input": c["input"], "output": c["output"]}
                                             for c in cases])
    raise ValueError(f"no known test format in a row with keys {sorted(row)}; expected "
                     "HumanEval (test, entry_point), MBPP (test_list), APPS (input_output) "
                     "or LiveCodeBench (public_test_cases)")


def _text(v: Any) -> str:
    return "\n".join(map(str, v)) if isinstance(v, list) else str(v)


# ------------------------------------------------------------------ comparing outputs
def same_stdout(expected: str, got: str) -> bool:
    """Line by line, tokens exact: trailing blank lines, `\\r`, and runs of spaces or tabs
    within a line are normalised; everything else (case, digits, punctuation) must match."""
    def lines(s: str) -> list[list[str]]:
        out = [ln.split() for ln in s.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        while out and not out[-1]:
            out.pop()
        return out
    return lines(expected) == lines(got)


def same_value(expected: Any, got: Any, rel_tol: float = 1e-6) -> bool:
    """JSON values equal, floats within `rel_tol`; a bool only equals a bool (JSON has no
    tuples, so a tuple result arrives as a list)."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(expected) is type(got) and expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        if isinstance(expected, int) and isinstance(got, int):
            return expected == got
        return math.isclose(expected, got, rel_tol=rel_tol, abs_tol=1e-9)
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(map(same_value, expected, got))
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same_value(expected[k], got[k])
                                                     for k in expected)
    return type(expected) is type(got) and expected == got


# ------------------------------------------------------------------ the values verdict
_WORKER_LOCK = threading.Lock()
_COLLECTED: dict[str, dict] = {}  # plan JSON -> collect() result; plans are deterministic


def _worker():
    from gymkit.verifiers.isolated import shared_worker

    return shared_worker("code-values", timeout=20.0, max_memory_mb=4096)


def value_plan(spec: TestSpec) -> dict:
    """What `code_values` interprets for an asserts spec: trusted setup, the units (one per
    test snippet) and the candidate's names."""
    return {"setup": [p for p in (spec.prompt, spec.setup) if p.strip()],
            "units": list(spec.tests), "entry_point": spec.entry_point,
            "candidate": [spec.entry_point] if spec.entry_point else []}


def collect_plan(spec: TestSpec) -> dict:
    """`code_values.collect` for a spec, run in the trusted worker and cached."""
    plan = value_plan(spec)
    key = json.dumps(plan, sort_keys=True)
    with _WORKER_LOCK:
        hit = _COLLECTED.get(key)
    if hit is None:
        from gymkit.verifiers.isolated import CallTimeout, IsolatedError

        try:
            hit = _worker().call(collect, plan)
        except CallTimeout:  # cached: tests this slow to prepare will be slow again
            hit = {"unsupported": "preparing the tests ran past the worker's timeout"}
        except IsolatedError as e:  # not cached: a crashed worker may do better next time
            return {"unsupported": f"the tests could not be prepared ({type(e).__name__})"}
        with _WORKER_LOCK:
            if len(_COLLECTED) > 4096:
                _COLLECTED.clear()
            _COLLECTED[key] = hit
    return hit


def verdict_kind(spec: TestSpec | dict) -> tuple[str, str]:
    """("values" | "hardened" | "outputs", why) for a spec: how its verdict is reached."""
    spec = TestSpec.model_validate(spec)
    if spec.kind != "asserts":
        return "outputs", f"{spec.kind} results compared on the trusted side"
    got = collect_plan(spec)
    if "calls" in got:
        return "values", f"{len(got['checks'])} checks on {len(got['calls'])} calls"
    return "hardened", got.get("unsupported") or got.get("bad_setup", "")


def _run_values(spec: TestSpec, program: str, got: dict, opts: dict, stop: bool
                ) -> tuple[list[bool], list[str]]:
    from gymkit.sandbox.calls import run_calls
    from gymkit.verifiers.isolated import CallTimeout, RemoteError, WorkerCrashed

    run = run_calls(program, got["calls"], got["args"], stop_on_failure=stop,
                    timeout_s=opts["timeout_s"], memory_mb=opts["memory_mb"],
                    total_s=opts["total_s"])
    outcomes = [(c.status, c.value, c.detail) for c in run.calls]
    try:
        verdicts = _worker().call(judge, value_plan(spec), got, outcomes)
    except (CallTimeout, WorkerCrashed) as e:  # the candidate's values made it blow up
        n = len(got["checks"])
        return [False] * n, [f"the trusted comparison failed on these values ({e})"[:200]] * n
    except RemoteError as e:
        raise BadTests(f"the tests changed between passes: {e}") from None
    if len(verdicts) != len(got["checks"]):
        raise BadTests(f"{len(verdicts)} verdicts for {len(got['checks'])} checks")
    return [ok for ok, _ in verdicts], [d for _, d in verdicts]


# ------------------------------------------------------------------ programs and runs
def candidate_program(spec: TestSpec, response: str) -> tuple[str | None, str]:
    """(program, "") from a response, or (None, why not)."""
    wanted = needed_names(spec.tests, spec.entry_point) if spec.kind == "asserts" else (
        {spec.entry_point} if spec.entry_point else set())
    code = extract_python(response, allow_unfenced=not spec.prompt, defines=wanted)
    if spec.prompt and spec.entry_point:
        # HumanEval: a fenced block, or the raw text, continues or replaces the prompt's stub.
        program = assemble_function(spec.prompt, code if code is not None else response,
                                    spec.entry_point)
        if program is None:
            return None, f"no code that completes {spec.entry_point}() found"
        return program, ""
    if code is None:
        return None, "no code found (expected a ```python block)"
    try:
        compile(code, "<candidate>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        return None, f"syntax error: {e}"
    return code, ""


def _why(res: Any) -> str:
    if res.status in ("timeout", "oom", "killed"):
        return res.status
    tail = (res.stderr or "").strip().splitlines()
    return f"{res.status}: {tail[-1][:200]}" if tail else str(res.status)


def _run_hardened(spec: TestSpec, program: str, opts: dict, stop: bool = False
                  ) -> tuple[list[bool], list[str]]:
    import secrets

    from gymkit.sandbox import run_tests  # deferred: the sandbox starts workers on first use

    name = "_gk" + secrets.token_hex(6)
    try:
        tests = [harden(f"{spec.setup}\n{t}", name) for t in spec.tests]
        # Builtins and stdlib modules the tests read are the real ones, not the candidate's
        # module-level shadows; only the names the tests call on purpose come from it.
        keep = needed_names([spec.setup, *spec.tests], spec.entry_point)
        prelude = _PRELUDE.format(n=name) + pin_names(tests, name, keep)
    except (SyntaxError, ValueError) as e:
        raise BadTests(f"the task's tests do not parse: {e}") from None
    # The guards live in the tests' own namespace (the sandbox's trusted prelude): a candidate
    # that rebinds every global ending in _cmp cannot reach them. Not `__main__`, as on the
    # values path: a demo under `if __name__ == "__main__":` that reads stdin stays quiet.
    program = with_prelude(program, name, prelude="__name__ = '__candidate__'")
    # One test at a time, each with what is left of the total budget as its timeout; with
    # all-or-nothing, stopping at the first failure (a hang costs one timeout).
    results: list[bool] = []
    details: list[str] = []
    total, spent = opts["total_s"], 0.0
    for test in tests:
        left = total - spent
        if (stop and results and not all(results)) or left <= 0:
            results.append(False)
            details.append("skipped" if left > 0 else _over(total))
            continue
        tr = run_tests(program, [test], prelude=prelude, memory_mb=opts["memory_mb"],
                       timeout_s=min(opts["timeout_s"], left))
        if len(tr.results) != 1:
            raise RuntimeError(f"sandbox returned {len(tr.results)} results for 1 test")
        spent += tr.wall_s
        ok = bool(tr.results[0])
        why = _over(total) if not ok and spent >= total - 0.05 else (tr.details[0] or "failed")
        results.append(ok)
        details.append("ok" if ok else why[:200])
    return results, details


def _run_stdio(spec: TestSpec, program: str, opts: dict, stop: bool
               ) -> tuple[list[bool], list[str]]:
    from gymkit.sandbox import run

    results: list[bool] = []
    details: list[str] = []
    total, spent = opts["total_s"], 0.0
    for case in spec.cases:
        left = total - spent
        if (stop and results and not results[-1]) or left <= 0:
            results.append(False)
            details.append("skipped" if left > 0 else _over(total))
            continue
        res = run(program, language="python", stdin=str(case["input"]),
                  timeout_s=min(opts["timeout_s"], left), memory_mb=opts["memory_mb"])
        spent += res.wall_s
        ok = res.status == "ok" and same_stdout(str(case["output"]), res.stdout)
        why = _over(total) if res.status == "timeout" and spent >= total - 0.05 else _why(res)
        results.append(ok)
        details.append("ok" if ok else (why if res.status != "ok" else "wrong output"))
    return results, details


def _jsonish(v: Any) -> Any:
    """A decoded result in JSON's shapes (tuples as lists, keys as str), like the expected."""
    if type(v) in (list, tuple):
        return [_jsonish(x) for x in v]
    if type(v) is dict:
        return {str(k): _jsonish(x) for k, x in v.items()}
    return v


def _run_call_cases(spec: TestSpec, program: str, opts: dict, stop: bool
                    ) -> tuple[list[bool], list[str]]:
    from gymkit.sandbox.calls import run_calls

    fn = spec.entry_point
    callee = (f"(getattr(Solution(), {fn!r}) if isinstance(globals().get('Solution'), type) "
              f"and hasattr(Solution, {fn!r}) else globals()[{fn!r}])")
    calls = [f"{callee}(*_gk_a[0])"] * len(spec.cases)
    run = run_calls(program, calls, [[c["args"]] for c in spec.cases], stop_on_failure=stop,
                    timeout_s=opts["timeout_s"], memory_mb=opts["memory_mb"],
                    total_s=opts["total_s"])
    results, details = [], []
    for case, res in zip(spec.cases, run.calls):
        if not res.ok:
            results.append(False)
            details.append(f"{res.status}: {res.detail}"[:200])
            continue
        got, want = _jsonish(res.value), case["expected"]
        ok = same_value(want, got) or (spec.unwrap_single and isinstance(want, list)
                                       and len(want) == 1 and same_value(want[0], got))
        results.append(ok)
        details.append("ok" if ok else "wrong answer")
    return results, details


def verify_code(spec: TestSpec | dict, response: str, reward: str = "all",
                timeout_s: float | None = None, memory_mb: int | None = None,
                total_s: float | None = None) -> Score:
    """Run a response against hidden tests. `reward`: "all" (1 if every test passes) or
    "fraction" (share passed). `timeout_s` is per test; `total_s` (default TOTAL_BUDGET_S,
    at least one `timeout_s`) bounds the candidate's time over all tests, past which the
    running test and the rest fail. Per-test results and reasons are in `Score.info`, and
    how the verdict was reached in `info["verdict"]` ("values", "hardened" or "outputs")."""
    spec = TestSpec.model_validate(spec)
    if reward not in ("all", "fraction"):
        raise ValueError(f"unknown reward mode {reward!r}; choose one of: all, fraction")
    if not (spec.tests if spec.kind == "asserts" else spec.cases):
        return Score.failed(f"task has no {spec.kind} tests")
    program, why = candidate_program(spec, response)
    if program is None:
        return Score.wrong(why)
    opts = {"timeout_s": timeout_s or spec.timeout_s, "memory_mb": memory_mb or spec.memory_mb}
    opts["total_s"] = max(total_s or TOTAL_BUDGET_S, opts["timeout_s"])
    stop = reward == "all"
    verdict, verdict_reason = "outputs", ""
    try:
        if spec.kind == "asserts":
            got = collect_plan(spec)
            if "bad_setup" in got:
                raise BadTests(got["bad_setup"])
            if "calls" in got:
                verdict = "values"
                results, details = _run_values(spec, program, got, opts, stop)
            else:
                verdict, verdict_reason = "hardened", got["unsupported"]
                results, details = _run_hardened(spec, program, opts, stop)
        elif spec.kind == "stdio":
            results, details = _run_stdio(spec, program, opts, stop)
        else:
            results, details = _run_call_cases(spec, program, opts, stop)
    except BadTests as e:
        return Score.failed(str(e))
    except Exception as e:  # the sandbox itself broke (SandboxError, ...): no verdict at all
        return Score.failed(f"sandbox failure: {type(e).__name__}: {e}")
    passed = sum(results)
    info = {"results": results, "details": details, "passed": passed, "total": len(results),
            "verdict": verdict}
    if verdict_reason:
        info["verdict_reason"] = verdict_reason
    if passed == len(results):
        return Score.correct(**info)
    first = next(d for r, d in zip(results, details) if not r)
    reason = f"{len(results) - passed} of {len(results)} tests failed (first: {first})"
    return Score.graded(passed / len(results) if reward == "fraction" else 0.0, reason, **info)
