"""Code tests in the field's formats, run in `gymkit.sandbox`, turned into a verdict.

Formats (`TestSpec.kind`):
- `asserts`: HumanEval (`prompt` + `test` defining `check(candidate)` + `entry_point`) and
  MBPP (`test_list` asserts + `test_setup_code`). Each assert is an independent snippet for
  `sandbox.run_tests`, whose pass signal the candidate cannot fake (exit(0), fake prints).
  Asserts are hardened against objects that compare equal to anything (see `harden`).
- `stdio`: APPS / LiveCodeBench stdin-stdout cases: the program runs once per case and its
  stdout is compared here, in the host, after normalising whitespace (see `same_stdout`).
- `call`: call-based cases (APPS `fn_name`, LiveCodeBench functional): a driver calls the
  function (or `Solution().fn`) on the arguments and prints the repr of the result after a
  per-run nonce; the host compares it with the expected value, so `__eq__` tricks are moot.

A sandbox timeout or OOM on a test fails that test (the candidate's fault); an exception from
the sandbox itself is a harness failure and the score's status is `error`.
"""
from __future__ import annotations

import ast
import json
import math
import secrets
from typing import Any, Literal

from pydantic import BaseModel, Field

from gymkit.types import Score

from .code_extract import assemble_function, extract_python


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
    entry_point: str | None = None  # asserts (HumanEval) / call: the function under test
    cases: list[dict[str, Any]] = Field(default_factory=list)  # stdio {input, output}; call {args, expected}
    unwrap_single: bool = False  # APPS quirk: expected [x] also accepts x
    timeout_s: float = 5.0  # per test
    memory_mb: int = 512  # per test


# ------------------------------------------------------------------ assert hardening
_OPS = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
        ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}

# Runs before the candidate, in a namespace only the tests see, so the builtins it binds as
# locals are the real ones (patching `builtins` later cannot reach them). `trusted` says a value is built only from C types (or
# the stdlib classes named here, or subclasses that override no comparison hook), so its
# comparisons cannot be rigged by the candidate's classes.
_PRELUDE = '''
def {n}_make():
    import collections, operator  # both preloaded: a test run may refuse fresh imports
    flags, mro = type.__dict__["__flags__"].__get__, type.__dict__["__mro__"].__get__
    cdict, tp, inst, all_, bool_ = type.__dict__["__dict__"].__get__, type, isinstance, all, bool
    items, len_, set_, zip_ = dict.items, len, set, zip
    containers = (list, tuple, set, frozenset, collections.deque)
    ok = (collections.Counter, collections.OrderedDict, collections.defaultdict,
          collections.deque)
    hooks = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__",
             "__bool__", "__len__", "__iter__", "__float__", "__index__")
    ops = {{"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
           ">": operator.gt, ">=": operator.ge, "in": lambda a, b: a in b,
           "not in": lambda a, b: a not in b, "is": operator.is_, "is not": operator.is_not}}
    def plain_type(t):
        if not flags(t) & 512 or t in ok:  # 512: Py_TPFLAGS_HEAPTYPE, i.e. defined in Python
            return True
        for c in mro(t):
            d = cdict(c)
            for h in hooks:
                if h in d and flags(c) & 512 and c not in ok:
                    return False
        return True
    def trusted(x, depth=0):
        if depth > 40 or not plain_type(tp(x)):
            return False
        if inst(x, dict):
            return all_(trusted(k, depth + 1) and trusted(v, depth + 1) for k, v in items(x))
        if inst(x, containers):
            return all_(trusted(v, depth + 1) for v in x)
        return True
    def cmp(*args):
        values, names = args[0::2], args[1::2]
        if len_(set_(trusted(v) for v in values)) > 1:
            return False  # a candidate-made object compared with a plain value
        return all_(bool_(ops[o](a, b)) for a, o, b in zip_(values, names, values[1:]))
    def truth(x):
        return trusted(x) and bool_(x)
    return cmp, truth
{n}_cmp, {n}_truth = {n}_make()
del {n}_make
'''


class _Harden(ast.NodeTransformer):
    def __init__(self, name: str):
        self.name = name

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        node.test = self.guard(node.test)
        return node

    def guard(self, e: ast.expr) -> ast.expr:
        if isinstance(e, ast.BoolOp):
            return ast.BoolOp(op=e.op, values=[self.guard(v) for v in e.values])
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.Not):
            return ast.UnaryOp(op=e.op, operand=self.guard(e.operand))
        if isinstance(e, ast.Compare) and all(type(o) in _OPS for o in e.ops):
            args: list[ast.expr] = [e.left]
            for op, right in zip(e.ops, e.comparators):
                args += [ast.Constant(_OPS[type(op)]), right]
            return ast.Call(ast.Name(f"{self.name}_cmp", ast.Load()), args, [])
        return ast.Call(ast.Name(f"{self.name}_truth", ast.Load()), [e], [])


def harden(test_code: str, name: str) -> str:
    """`test_code` with every assert's comparisons routed through the prelude's guards, so
    an object whose `__eq__` always says True cannot pass `assert f(x) == 3`."""
    tree = _Harden(name).visit(ast.parse(test_code))
    return ast.unparse(ast.fix_missing_locations(tree))


def with_prelude(program: str, name: str, prelude: str | None = None) -> str:
    """`program` with the guard prelude (or `prelude`) in front, after any leading docstring
    and `from __future__` imports, which must stay first."""
    lines = program.splitlines()
    cut = 0
    try:
        for stmt in ast.parse(program).body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                cut = stmt.end_lineno or cut
            elif not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
                break
    except SyntaxError:
        pass  # the candidate's own syntax error will be reported by the run
    head, tail = "\n".join(lines[:cut]), "\n".join(lines[cut:])
    text = _PRELUDE.format(n=name) if prelude is None else prelude
    return f"{head}\n{text}\n{tail}\n"


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
        return TestSpec(kind="asserts", tests=tests, setup=row.get("test_setup_code") or "")
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


# ------------------------------------------------------------------ programs and runs
# The call driver imports nothing the candidate could have replaced: arguments arrive as a
# Python literal on stdin, the result leaves as the repr of plain data after a nonce, and the
# host parses it with ast.literal_eval.
_CALL_HEAD = '''import sys as {n}_sys, os as {n}_os
{n}_args, {n}_write = eval({n}_sys.stdin.read(), {{"__builtins__": {{}}}}), {n}_os.write
'''
_CALL_TAIL = '''
def {n}_plain(x, tp=type, plain=(int, float, str, bool, type(None))):
    if tp(x) in plain:
        return x
    if tp(x) in (list, tuple):
        return [{n}_plain(v) for v in x]
    if tp(x) is dict:
        return {{str(k): {n}_plain(v) for k, v in x.items()}}
    raise TypeError(f"the result holds a {{tp(x).__name__}}, not plain data")
{n}_cls = globals().get("Solution")
{n}_fn = (getattr({n}_cls(), "{fn}") if isinstance({n}_cls, type) and hasattr({n}_cls, "{fn}")
          else globals()["{fn}"])
{n}_out = repr({n}_plain({n}_fn(*{n}_args)))
{n}_write(1, ("\\n{nonce}" + {n}_out + "\\n").encode())
'''


def candidate_program(spec: TestSpec, response: str) -> tuple[str | None, str]:
    """(program, "") from a response, or (None, why not)."""
    code = extract_python(response, allow_unfenced=not spec.prompt)
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


def _run_asserts(spec: TestSpec, program: str, opts: dict) -> tuple[list[bool], list[str]]:
    from gymkit.sandbox import run_tests  # deferred: the sandbox starts workers on first use

    name = "_gk" + secrets.token_hex(6)
    try:
        tests = [harden(f"{spec.setup}\n{t}", name) for t in spec.tests]
    except (SyntaxError, ValueError) as e:
        raise BadTests(f"the task's tests do not parse: {e}") from None
    # The guards live in the tests' own namespace (the sandbox's trusted prelude): a candidate
    # that rebinds every global ending in _cmp cannot reach them.
    tr = run_tests(program, tests, prelude=_PRELUDE.format(n=name), **opts)
    if len(tr.results) != len(tests):
        raise RuntimeError(f"sandbox returned {len(tr.results)} results for {len(tests)} tests")
    details = [("ok" if ok else (d or "failed"))[:200] for ok, d in zip(tr.results, tr.details)]
    return [bool(r) for r in tr.results], details


def _run_cases(spec: TestSpec, program: str, opts: dict, stop_early: bool
               ) -> tuple[list[bool], list[str]]:
    from gymkit.sandbox import run

    name, nonce = "_gk" + secrets.token_hex(6), "#gk-result-" + secrets.token_hex(8) + "#"
    if spec.kind == "call":
        program = (with_prelude(program, name, _CALL_HEAD.format(n=name))
                   + _CALL_TAIL.format(n=name, fn=spec.entry_point, nonce=nonce))
    results: list[bool] = []
    details: list[str] = []
    for case in spec.cases:
        if stop_early and results and not results[-1]:
            results.append(False)
            details.append("skipped")
            continue
        stdin = repr(case["args"]) if spec.kind == "call" else str(case["input"])
        res = run(program, language="python", stdin=stdin, **opts)
        if res.status != "ok":
            ok, why = False, _why(res)
        elif spec.kind == "stdio":
            ok = same_stdout(str(case["output"]), res.stdout)
            why = "ok" if ok else "wrong output"
        else:
            ok, why = _check_call(spec, case["expected"], res.stdout, nonce)
        results.append(ok)
        details.append(why)
    return results, details


def _check_call(spec: TestSpec, expected: Any, stdout: str, nonce: str) -> tuple[bool, str]:
    at = stdout.rfind(nonce)
    if at < 0:
        return False, "no result printed"
    try:
        got = ast.literal_eval(stdout[at + len(nonce):].split("\n", 1)[0])
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, "result is not plain data (nan, inf, or cut off)"
    ok = same_value(expected, got) or (spec.unwrap_single and isinstance(expected, list)
                                       and len(expected) == 1 and same_value(expected[0], got))
    return ok, "ok" if ok else "wrong answer"


def verify_code(spec: TestSpec | dict, response: str, reward: str = "all",
                timeout_s: float | None = None, memory_mb: int | None = None) -> Score:
    """Run a response against hidden tests. `reward`: "all" (1 if every test passes) or
    "fraction" (share passed). Per-test results and reasons are in `Score.info`."""
    spec = TestSpec.model_validate(spec)
    if reward not in ("all", "fraction"):
        raise ValueError(f"unknown reward mode {reward!r}; choose one of: all, fraction")
    if not (spec.tests if spec.kind == "asserts" else spec.cases):
        return Score.failed(f"task has no {spec.kind} tests")
    program, why = candidate_program(spec, response)
    if program is None:
        return Score.wrong(why)
    opts = {"timeout_s": timeout_s or spec.timeout_s, "memory_mb": memory_mb or spec.memory_mb}
    try:
        if spec.kind == "asserts":
            results, details = _run_asserts(spec, program, opts)
        else:
            results, details = _run_cases(spec, program, opts, stop_early=reward == "all")
    except BadTests as e:
        return Score.failed(str(e))
    except Exception as e:  # the sandbox itself broke (SandboxError, ...): no verdict at all
        return Score.failed(f"sandbox failure: {type(e).__name__}: {e}")
    passed = sum(results)
    info = {"results": results, "details": details, "passed": passed, "total": len(results)}
    if passed == len(results):
        return Score.correct(**info)
    first = next(d for r, d in zip(results, details) if not r)
    reason = f"{len(results) - passed} of {len(results)} tests failed (first: {first})"
    return Score.graded(passed / len(results) if reward == "fraction" else 0.0, reason, **info)
