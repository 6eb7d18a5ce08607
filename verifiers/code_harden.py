"""The hardened fallback for assert tests that cannot be rewritten as values.

Every comparison inside an `assert` is routed through a guard defined before the candidate
runs, with builtins captured then: a comparison between a plain value and an object whose
class (written in Python) overrides a comparison hook is false. This is defence in depth,
not an unforgeable verdict: it runs in the candidate's process. `code_values` is the
primary path; this one serves only tests it cannot rewrite (see `verify_code`).
`pin_names` makes the builtins (and stdlib modules) the tests read the real ones, whatever
the candidate binds at module level under the same names.
"""
from __future__ import annotations

import ast
import builtins
import sys

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
    items, len_, set_, zip_, any_ = dict.items, len, set, zip, any
    containers = (list, tuple, set, frozenset, collections.deque)
    # C types are trusted only when listed: proxies (weakref.proxy, mappingproxy) and
    # numpy arrays are C types that forward comparisons to objects the candidate made.
    plain_c = (int, float, complex, str, bytes, bool, type(None), list, tuple, dict, set,
               frozenset, object)
    ok = (collections.Counter, collections.OrderedDict, collections.defaultdict,
          collections.deque)
    hooks = ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__contains__",
             "__bool__", "__len__", "__iter__", "__float__", "__index__", "__abs__",
             "__sub__", "__rsub__", "__add__", "__radd__", "__mul__", "__rmul__",
             "__truediv__", "__rtruediv__", "__neg__", "__round__", "__hash__",
             "__int__", "__complex__")
    ops = {{"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
           ">": operator.gt, ">=": operator.ge, "in": lambda a, b: a in b,
           "not in": lambda a, b: a not in b, "is": operator.is_, "is not": operator.is_not}}
    def listed(t, group):
        return any_(t is c for c in group)
    def plain_type(t):
        if listed(t, ok):
            return True
        for c in mro(t):
            if not flags(c) & 512:  # 512: Py_TPFLAGS_HEAPTYPE, i.e. defined in Python
                if not listed(c, plain_c) and not listed(c, ok):
                    return False
                continue
            d = cdict(c)
            for h in hooks:
                if h in d and not listed(c, ok):
                    return False
        return any_(not flags(c) & 512 and c is not object for c in mro(t))
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
    def plain(x):
        if not trusted(x):
            raise AssertionError("a call returned something that is not plain data")
        return x
    import math, types
    frozen_math = types.SimpleNamespace(**{{k: getattr(math, k) for k in dir(math)}})
    return cmp, truth, plain, frozen_math
{n}_cmp, {n}_truth, {n}_plain, {n}_math = {n}_make()
del {n}_make
'''


_CONSUMERS = {"list", "tuple", "set", "frozenset", "sorted", "dict"}


class _Results(ast.NodeTransformer):
    """Inside an assert: every call of a function by name (not a builtin) must return plain
    data, so `abs(f(x) - y) < eps` cannot pass on an object whose `__sub__` returns 0; and
    `math.*` is the copy taken before the candidate ran, so patching `math.isclose` is moot."""

    def __init__(self, name: str):
        self.name = name

    def visit_Call(self, node: ast.Call) -> ast.expr:
        consumer = isinstance(node.func, ast.Name) and node.func.id in _CONSUMERS
        self.generic_visit(node)
        if consumer and len(node.args) == 1 and isinstance(node.args[0], ast.Call) \
                and getattr(node.args[0].func, "id", "") == f"{self.name}_plain":
            node.args[0] = node.args[0].args[0]  # list(f(x)): f may return a generator
            return ast.Call(ast.Name(f"{self.name}_plain", ast.Load()), [node], [])
        if isinstance(node.func, ast.Name) and not hasattr(builtins, node.func.id) \
                and not node.func.id.startswith(self.name):
            return ast.Call(ast.Name(f"{self.name}_plain", ast.Load()), [node], [])
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if isinstance(node.value, ast.Name) and node.value.id == "math":
            return ast.Attribute(ast.Name(f"{self.name}_math", ast.Load()), node.attr, node.ctx)
        if isinstance(node.value, ast.Call):  # make(1).x: an object whose field is tested
            node.value = self.generic_visit(node.value)
            return node
        return self.generic_visit(node)


class _Harden(ast.NodeTransformer):
    def __init__(self, name: str):
        self.name = name

    def visit_Assert(self, node: ast.Assert) -> ast.Assert:
        node.test = self.guard(_Results(self.name).visit(node.test))
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


# Stdlib modules whose import does something (prints, opens a browser or a display): never
# imported just because a test reads a name that happens to match.
_NO_IMPORT = frozenset({"this", "antigravity", "turtle", "turtledemo", "tkinter", "idlelib",
                        "webbrowser", "pydoc", "test", "__main__"})

_PIN = '''
def {n}_pin(keep, modules):
    import builtins
    real, pinned = vars(builtins), {{}}
    for k in real:
        if not k.startswith("__") and k not in keep:
            pinned[k] = real[k]
    import sys
    for m in modules:
        try:
            pinned[m] = sys.modules[m] if m in sys.modules else __import__(m)
        except Exception:  # a fresh import may be refused here: the test's own import decides
            continue
    return pinned
globals().update({n}_pin({keep!r}, {modules!r}))
del {n}_pin
'''


def pin_names(test_codes: list[str], name: str, keep: set[str] | frozenset[str]) -> str:
    """Trusted prelude text that binds, in the tests' namespace, every builtin name (and
    every stdlib module the tests read without importing) to the real object, taken before
    the candidate runs. The sandbox puts prelude names over the candidate's, so a module-level
    `ValueError = AssertionError`, `class ValueError`, `def sorted(x)` or `len = ...` in the
    candidate cannot change what `except ValueError` or `sorted(f(x))` in a test means. Only
    `keep` (the entry point) and names the tests define themselves (bound when they run, after
    the prelude) are not pinned; every other name a test reads is one it calls on purpose."""
    modules: set[str] = set()
    for code in test_codes:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Name) and node.id in sys.stdlib_module_names \
                    and node.id not in keep and node.id not in _NO_IMPORT \
                    and not hasattr(builtins, node.id):
                modules.add(node.id)
    return _PIN.format(n=name, keep=sorted(keep), modules=sorted(modules))
