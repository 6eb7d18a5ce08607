"""A safe arithmetic evaluator: the expression is parsed to a Python AST and walked, never `eval`ed.

Only numbers, `+ - * / // % **`, parentheses, a few named constants and functions are allowed.
Hand-written rather than a library (simpleeval, sympy.parse_expr) because the grammar is tiny
and must refuse everything else: names, attributes, calls to anything off the list, huge powers.
"""
from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

MAX_EXPRESSION_CHARS = 500
MAX_MAGNITUDE = 1e100  # past this a word problem has gone wrong; refuse rather than hang
MAX_EXPONENT = 1000

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "sqrt": math.sqrt, "abs": abs, "round": round, "floor": math.floor, "ceil": math.ceil,
    "exp": math.exp, "log": math.log, "log10": math.log10, "log2": math.log2,
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "min": min, "max": max,
}
_CONSTANTS = {"pi": math.pi, "e": math.e}


class CalcError(ValueError):
    """An expression the calculator refuses, with a one-line reason for the model."""


def evaluate(expression: str) -> float | int:
    """The value of an arithmetic expression such as `(12.4 * 1.609344) / 1.5 + sqrt(2)`."""
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise CalcError(f"expression is longer than {MAX_EXPRESSION_CHARS} characters")
    text = expression.replace("^", "**").replace("×", "*").replace("÷", "/").strip()
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise CalcError(f"cannot parse {expression!r}: {e.msg}") from None
    return _eval(tree.body)


def _checked(value: float | int) -> float | int:
    if isinstance(value, complex) or not math.isfinite(value):
        raise CalcError("result is not a finite real number")
    if abs(value) > MAX_MAGNITUDE:
        raise CalcError(f"result is larger than {MAX_MAGNITUDE:g}")
    return value


def _eval(node: ast.AST) -> float | int:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return _checked(node.value)
        raise CalcError(f"only numbers are allowed, not {node.value!r}")
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        raise CalcError(f"unknown name {node.id!r}; constants: {', '.join(_CONSTANTS)}")
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_eval(node.operand))
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > MAX_EXPONENT:
            raise CalcError(f"exponent {right:g} is larger than {MAX_EXPONENT}")
        try:
            return _checked(_BINARY[type(node.op)](left, right))
        except ZeroDivisionError:
            raise CalcError("division by zero") from None
        except OverflowError:
            raise CalcError(f"result is larger than {MAX_MAGNITUDE:g}") from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        fn = _FUNCTIONS.get(node.func.id)
        if fn is None:
            raise CalcError(f"unknown function {node.func.id!r}; "
                            f"available: {', '.join(sorted(_FUNCTIONS))}")
        args = [_eval(a) for a in node.args]
        try:
            return _checked(fn(*args))
        except (TypeError, ValueError, OverflowError) as e:
            raise CalcError(f"{node.func.id}: {e}") from None
    raise CalcError(f"unsupported syntax: {type(node).__name__}")


def format_number(value: float | int) -> str:
    """A result as the tools print it: integers exactly, floats to 10 significant digits (no float noise)."""
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.10g}"
