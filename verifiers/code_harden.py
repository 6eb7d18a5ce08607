"""The hardened fallback for assert tests that cannot be rewritten as values.

Every comparison inside an `assert` is routed through a guard defined before the candidate
runs, with builtins captured then: a comparison between a plain value and an object whose
class (written in Python) overrides a comparison hook is false. This is defence in depth,
not an unforgeable verdict: it runs in the candidate's process. `code_values` is the
primary path; this one serves only tests it cannot rewrite (see `verify_code`).
"""
from __future__ import annotations

import ast

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
