"""Assert-style tests as values: the candidate computes calls, the trusted side judges.

An assert such as `assert abs(candidate(1.5) - 0.5) < 1e-6` is split into
- a *call*, `has_close(_gk_a[0])`, evaluated in the candidate's sandboxed process with its
  arguments computed here and sent as strict data (`gymkit.sandbox.calls`), and
- a *check*, `abs(_gk_v0 - 0.5) < 1e-6`, evaluated here, in a trusted worker process that
  never holds candidate code, with `_gk_v0` bound to the decoded plain result.

So expected values never enter the candidate's process, and every operator, `math.isclose`,
`set(...)`, `sorted(...)` of the check is the real one applied to plain values.

Both phases interpret the same restricted statement language, deterministically (`random`
is seeded per pass, and `collect` runs twice to prove it): docstrings, imports, trusted
assignments and expressions, `name = <candidate call>`, aliases (`candidate = f`), `for`
loops over trusted iterables, `if` on trusted conditions, `assert`, and `check(f)` (inlined
from the test module). Anything else (try/with/while, comprehensions or lambdas around a
candidate call, the function passed as a value, `time` in the tests) raises `Unsupported`,
and the caller falls back to the hardened `run_tests` path.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import random
import sys
from typing import Any

from gymkit.sandbox.calls import encode

# Consuming wrappers that must run where a generator lives: `list(candidate(x))`.
_WRAPPERS = {"list", "tuple", "set", "frozenset", "sorted", "dict"}
# Tests using these are not replayable identically in two passes. (`random` is: each pass
# seeds it the same way, and `collect` runs twice to prove the passes agree.)
_NONDETERMINISTIC = {"time", "datetime", "secrets", "uuid"}
_MAX_TESTS = 10_000


class Unsupported(Exception):
    """The tests use a shape the value path cannot rewrite; use the hardened path."""


class BadSetup(Exception):
    """The task's own setup code fails on the trusted side."""


def _free_names(node: ast.AST) -> set[str]:
    """Names read in `node`, less those bound inside it (comprehension targets, lambda
    parameters): close enough for tests, which rarely shadow."""
    inner: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.comprehension):
            inner |= {t.id for t in ast.walk(n.target) if isinstance(t, ast.Name)}
        elif isinstance(n, ast.Lambda):
            inner |= {a.arg for a in ast.walk(n.args) if isinstance(a, ast.arg)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - inner


def _module_bases(node: ast.AST) -> set[str]:
    """Names used as `name.attr`: the stdlib modules a test means (`math.isclose`)."""
    return {n.value.id for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)}


class _Interp:
    """One pass over a plan. `outcomes` is None to collect calls, else the calls' results
    (status, value, detail) to judge the checks."""

    def __init__(self, outcomes: list[tuple[str, Any, str]] | None,
                 expected_calls: list[tuple[str, str]] | None = None):
        self.outcomes = outcomes
        self.expected_calls = expected_calls
        self.calls: list[tuple[str, list[Any], str]] = []  # (candidate-side src, args, shown)
        self.results: list[tuple[bool, str]] = []
        self.checks: list[str] = []

    # ---------------------------------------------------------------- names
    def is_cand(self, name: str, ns: dict) -> bool:
        if name in self.cands or name in self.bound:
            return True
        return name not in ns and not hasattr(builtins, name)

    def dep(self, node: ast.AST, ns: dict) -> bool:
        return any(self.is_cand(n, ns) for n in _free_names(node))

    def import_stdlib(self, node: ast.AST, ns: dict) -> None:
        for name in _module_bases(node):
            if name in _NONDETERMINISTIC and name not in self.cands:
                raise Unsupported(f"the tests use {name}")
            if (name not in ns and name not in self.cands and not hasattr(builtins, name)
                    and name in sys.stdlib_module_names):
                ns[name] = __import__(name)

    # ---------------------------------------------------------------- statements
    def unit(self, setup_ns: dict, body: str, cands: set[str], ep: str | None,
             check_defs: dict[str, ast.FunctionDef]) -> None:
        self.cands, self.bound, self.ep, self.defs = set(cands), {}, ep, check_defs
        try:
            tree = ast.parse(body)
        except SyntaxError as e:
            raise BadSetup(f"a test does not parse: {e}") from None
        self.block(tree.body, dict(setup_ns))

    def block(self, stmts: list[ast.stmt], ns: dict) -> None:
        for s in stmts:
            self.import_stdlib(s, ns)
            if isinstance(s, ast.Pass) or (isinstance(s, ast.Expr)
                                           and isinstance(s.value, ast.Constant)):
                continue
            if isinstance(s, (ast.Import, ast.ImportFrom)):
                names = {a.name.split(".")[0] for a in s.names} | {getattr(s, "module", "")}
                if names & _NONDETERMINISTIC:
                    raise Unsupported(f"the tests import {sorted(names & _NONDETERMINISTIC)}")
                self.exec(s, ns)
            elif isinstance(s, ast.Assign):
                self.assign(s, ns)
            elif isinstance(s, ast.AugAssign) and not self.dep(s, ns):
                self.exec(s, ns)
            elif isinstance(s, ast.For) and not s.orelse and not self.dep(s.iter, ns):
                self.loop(s, ns)
            elif isinstance(s, ast.If) and not self.dep(s.test, ns):
                self.block(s.body if self.eval(s.test, ns) else s.orelse, ns)
            elif isinstance(s, ast.Expr) and not self.dep(s.value, ns):
                self.exec(s, ns)  # print(...) and the like, trusted
            elif isinstance(s, ast.Assert):
                self.assert_(s.test, ns)
            elif self.is_check_call(s, ns):
                fn = self.defs["check"]
                self.cands.add(fn.args.args[0].arg)
                self.block(fn.body, ns)
            else:
                raise Unsupported(f"a {type(s).__name__} statement in the tests")

    def is_check_call(self, s: ast.stmt, ns: dict) -> bool:
        return (isinstance(s, ast.Expr) and isinstance(s.value, ast.Call)
                and isinstance(s.value.func, ast.Name) and s.value.func.id == "check"
                and "check" in self.defs and len(s.value.args) == 1 and not s.value.keywords
                and isinstance(s.value.args[0], ast.Name)
                and s.value.args[0].id in self.cands | {self.ep}
                and len(self.defs["check"].args.args) == 1)

    def exec(self, s: ast.stmt, ns: dict) -> None:
        try:
            exec(compile(ast.Module([s], []), "<test>", "exec"), ns)
        except Exception as e:
            raise Unsupported(f"trusted test code raised {type(e).__name__}: {e}") from None

    def assign(self, s: ast.Assign, ns: dict) -> None:
        target = s.targets[0] if len(s.targets) == 1 else None
        if not self.dep(s.value, ns):
            for t in s.targets:
                for n in _free_names(t):
                    self.bound.pop(n, None)
                    self.cands.discard(n)
            self.exec(s, ns)
        elif isinstance(target, ast.Name) and isinstance(s.value, ast.Name) \
                and s.value.id in self.cands:
            self.cands.add(target.id)  # candidate = f
        elif isinstance(target, ast.Name) and self.is_call(s.value, ns):
            ns.pop(target.id, None)
            self.bound[target.id] = self.call(s.value, ns)
        else:
            raise Unsupported("an assignment computed from the candidate")

    def loop(self, s: ast.For, ns: dict) -> None:
        try:
            items = list(eval(compile(ast.Expression(s.iter), "<test>", "eval"), ns))
        except Exception as e:
            raise Unsupported(f"a loop's iterable raised {type(e).__name__}") from None
        bind = ast.Module([ast.Assign([s.target], ast.Name("_gk_item", ast.Load()))], [])
        code = compile(ast.fix_missing_locations(bind), "<test>", "exec")
        for item in items:
            ns["_gk_item"] = item
            exec(code, ns)
            self.block(s.body, ns)
            if len(self.results) + len(self.checks) > _MAX_TESTS:
                raise Unsupported(f"more than {_MAX_TESTS} tests")

    # ---------------------------------------------------------------- expressions
    def is_call(self, node: ast.expr, ns: dict) -> bool:
        """A computation for the candidate's side: a call of something the candidate
        defines, or a consuming wrapper (list, sorted...) around one."""
        if not isinstance(node, ast.Call):
            return False
        if self.dep(node.func, ns):
            return True
        return (isinstance(node.func, ast.Name) and node.func.id in _WRAPPERS
                and node.func.id not in ns and len(node.args) == 1
                and self.is_call(node.args[0], ns)
                and not any(self.dep(k.value, ns) for k in node.keywords))

    def call(self, node: ast.expr, ns: dict) -> int:
        """Register a candidate-side call; return its index."""
        args: list[Any] = []
        interp = self

        class Slots(ast.NodeTransformer):
            def visit(self, n: ast.AST) -> ast.AST:
                if isinstance(n, ast.Name) and n.id not in ns and hasattr(builtins, n.id):
                    return n  # `set`, `sorted`, `int`: the candidate side has them too
                if isinstance(n, ast.expr) and not isinstance(n, ast.Constant) \
                        and not interp.dep(n, ns):
                    args.append(interp.eval(n, ns))
                    return ast.Subscript(ast.Name("_gk_a", ast.Load()),
                                         ast.Constant(len(args) - 1), ast.Load())
                if isinstance(n, ast.Name):
                    if n.id in interp.bound:
                        raise Unsupported("a candidate result fed back into a call")
                    if n.id in interp.cands and interp.ep:
                        return ast.Name(interp.ep, ast.Load())
                    return n
                if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                                  ast.GeneratorExp, ast.NamedExpr)):
                    raise Unsupported("a comprehension or lambda inside a candidate call")
                return self.generic_visit(n)

        src = ast.unparse(ast.fix_missing_locations(Slots().visit(_copy(node))))
        try:
            wire = encode(args)
        except (TypeError, ValueError) as e:
            raise Unsupported(f"an argument is not plain data: {e}") from None
        if self.expected_calls is not None:  # judging: the same calls, in the same order
            k = len(self.calls)
            if k >= len(self.expected_calls) or self.expected_calls[k] != (src, wire):
                raise BadSetup("the tests are not deterministic (a second pass made other "
                               "calls), so their checks cannot be matched to the results")
        self.calls.append((src, args, ast.unparse(node)[:120]))
        return len(self.calls) - 1

    def eval(self, node: ast.expr, ns: dict) -> Any:
        try:
            return eval(compile(ast.Expression(node), "<test>", "eval"), ns)
        except Exception as e:
            raise Unsupported(f"a test argument raised {type(e).__name__}: {e}") from None

    def assert_(self, test: ast.expr, ns: dict) -> None:
        used: list[int] = []
        interp = self

        class Split(ast.NodeTransformer):
            def visit(self, n: ast.AST) -> ast.AST:
                if isinstance(n, ast.expr) and not interp.dep(n, ns):
                    return n
                if isinstance(n, ast.Name):
                    if n.id in interp.bound:
                        used.append(interp.bound[n.id])
                        return ast.Name(f"_gk_v{interp.bound[n.id]}", ast.Load())
                    raise Unsupported(f"the test uses {n.id} as a value, not a call")
                if isinstance(n, ast.expr) and interp.is_call(n, ns):
                    used.append(interp.call(n, ns))
                    return ast.Name(f"_gk_v{used[-1]}", ast.Load())
                if isinstance(n, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                                  ast.GeneratorExp, ast.NamedExpr)):
                    raise Unsupported("a comprehension or lambda around a candidate call")
                return self.generic_visit(n)

        check = ast.fix_missing_locations(Split().visit(_copy(test)))
        if not used:
            return  # `assert True, "..."`: nothing of the candidate's to judge
        src = ast.unparse(check)
        if self.outcomes is None:
            self.checks.append(src)
            return
        for k in used:
            status, _, detail = self.outcomes[k]
            if status != "value":
                self.results.append((False, f"{self.calls[k][2]}: {status}"
                                            f"{': ' + detail if detail else ''}"[:300]))
                return
        env = dict(ns)
        env.update({f"_gk_v{k}": self.outcomes[k][1] for k in used})
        try:
            ok = bool(eval(compile(ast.Expression(check), "<check>", "eval"), env))
        except Exception as e:
            self.results.append((False, f"{src}: {type(e).__name__}: {str(e)[:120]}"))
            return
        got = ", ".join(f"{self.calls[k][2]} = {_short(self.outcomes[k][1])}" for k in used)
        self.results.append((ok, "ok" if ok else f"assert {src} failed ({got})"[:300]))


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node), mode="eval").body


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 80 else text[:77] + "..."


def _setup(plan: dict) -> tuple[dict, dict[str, ast.FunctionDef]]:
    ns: dict[str, Any] = {"__name__": "__gk_tests__"}
    defs: dict[str, ast.FunctionDef] = {}
    for part in plan.get("setup", []):
        try:
            tree = ast.parse(part)
            exec(compile(tree, "<setup>", "exec"), ns)
        except Exception as e:
            raise BadSetup(f"the tests' setup code fails: {type(e).__name__}: {e}") from None
        defs.update({s.name: s for s in tree.body if isinstance(s, ast.FunctionDef)})
    for name in plan.get("candidate", []):
        ns.pop(name, None)  # the prompt's stub is not the candidate's function
    return ns, defs


def _interpret(plan: dict, outcomes: list | None, calls: list | None = None) -> _Interp:
    random.seed(0)  # every pass draws the same "random" test inputs
    with contextlib.redirect_stdout(io.StringIO()):  # tests that print stay out of the logs
        ns, defs = _setup(plan)
        interp = _Interp(outcomes, calls)
        ep = plan.get("entry_point")
        for body in plan["units"]:
            interp.unit(ns, body, set(plan.get("candidate", [])), ep, defs)
    return interp


def collect(plan: dict) -> dict:
    """(worker side) The calls a plan makes and its checks, or why it cannot be rewritten:
    {"calls": [expr], "args": [[plain]], "checks": [src]} | {"unsupported": why} |
    {"bad_setup": why}."""
    try:
        interp = _interpret(plan, None)
        again = _interpret(plan, None)
    except Unsupported as e:
        return {"unsupported": str(e)}
    except BadSetup as e:
        return {"bad_setup": str(e)}
    except RecursionError:
        return {"unsupported": "the tests nest too deeply"}
    if not interp.checks:
        return {"unsupported": "no assert calls the candidate"}
    if [(c[0], encode(c[1])) for c in interp.calls] != [(c[0], encode(c[1])) for c in again.calls]:
        return {"unsupported": "the tests are not deterministic (two passes made other calls)"}
    return {"calls": [c[0] for c in interp.calls], "args": [c[1] for c in interp.calls],
            "wire": [encode(c[1]) for c in interp.calls], "checks": interp.checks}


def judge(plan: dict, collected: dict, outcomes: list[tuple[str, Any, str]]
          ) -> list[tuple[bool, str]]:
    """(worker side) Each check's verdict, given the outcomes of `collected`'s calls (from
    `collect`). The second pass must make exactly the same calls (sources and encoded
    arguments), or BadSetup is raised: a check is never matched to another call's result."""
    calls = list(zip(collected["calls"], collected["wire"]))
    interp = _interpret(plan, outcomes, calls)
    if len(interp.calls) != len(calls):
        raise BadSetup("the tests are not deterministic (a second pass made fewer calls)")
    return interp.results
