"""Safe parsing of untrusted math text into sympy, and equivalence by algebra plus sampling.

`parse_math` never evaluates arbitrary code. sympy's `parse_expr` runs `eval` on its input, so
plain text is first tokenized and every name checked against a whitelist (single-letter
variables, known functions and constants); keywords, attributes, strings, brackets and dunders
are refused before `parse_expr` sees the text, and it runs with a minimal global namespace.
LaTeX goes through latex2sympy2_extended (an ANTLR grammar, no eval). Numbers whose evaluation
would explode (power towers, huge factorials) are refused while the tree is rebuilt. Callers
still run this in `IsolatedWorker` with a hard timeout, since sympy can be slow on valid input.

Task-level checks (solution sets, required forms) live in `algebra_check`.

`equivalent(a, b)` first tries `expand(a - b) == 0`, then compares the two expressions at
seeded random points with 50-digit arithmetic: a polynomial identity that holds at random
points holds everywhere (Schwartz-Zippel), so `21x(61x^3+78x+9)` equals `1281x^4+1638x^2+189x`.
"""
from __future__ import annotations

import io
import math
import random
import re
import tokenize

import sympy
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application,
                                        parse_expr, standard_transformations)

from .answer_form import MAX_DEPTH, MAX_POWER_DEPTH, nesting_depth, power_depth

MAX_LEN = 1000
FUNCTIONS = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan, "cot": sympy.cot, "sec": sympy.sec,
    "csc": sympy.csc, "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan, "sinh": sympy.sinh,
    "cosh": sympy.cosh, "tanh": sympy.tanh, "exp": sympy.exp, "log": sympy.log, "ln": sympy.log,
    "sqrt": sympy.sqrt, "abs": sympy.Abs, "Abs": sympy.Abs,
}
CONSTANTS = {"pi": sympy.pi, "e": sympy.E, "E": sympy.E, "oo": sympy.oo, "inf": sympy.oo}
# the only names the transformed code may call (parse_expr's evaluate=False emits Add/Mul/Pow)
_GLOBALS = {"Integer": sympy.Integer, "Float": sympy.Float, "Rational": sympy.Rational,
            "Symbol": sympy.Symbol, "Add": sympy.Add, "Mul": sympy.Mul, "Pow": sympy.Pow,
            "__builtins__": {}}
_TRANSFORMS = standard_transformations + (implicit_multiplication_application, convert_xor)
_UNICODE = {"−": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/", "²": "^2", "³": "^3", "π": "pi",
            "√": "sqrt"}
# every single letter is a variable (except e, Euler's number), so `x(x+1)` is a product
_LETTERS = {c: sympy.Symbol(c) for c in "abcdfghijklmnopqrstuvwxyzABCDFGHIJKLMNOPQRSTUVWXYZ"}
_OPS = {"+", "-", "*", "/", "**", "^", "(", ")"}
_FUNC_PREFIX = re.compile("|".join(sorted(FUNCTIONS, key=len, reverse=True)))
MAX_EXPONENT = 10_000  # a larger numeric power is a bomb (power tower), not an answer
MAX_FACTORIAL = 3000
MAX_DIGITS = 20_000  # a numeric power with more digits than this is never built
MAX_TERMS = 20_000  # a product of sums that expands to more terms is a bomb, not an answer


class ParseError(ValueError):
    """The text is not a math expression this parser accepts (says why)."""


class TooLarge(ParseError):
    """The text names a number too large to build (a tower, a huge power or factorial)."""


def _split_name(name: str) -> list[str]:
    """`xy` -> [x, y]; `sinx` -> [sin, x]; known names stay whole (implicit multiplication)."""
    if name in FUNCTIONS or name in CONSTANTS or len(name) == 1:
        return [name]
    m = _FUNC_PREFIX.match(name)
    if m and len(name) > m.end():
        return [m.group(0)] + _split_name(name[m.end():])
    if name.isalpha() and name.isascii():
        return list(name)
    raise ParseError(f"name {name!r} is not allowed")


def _sanitize(text: str) -> str:
    """Re-emit `text` token by token, refusing anything but numbers, whitelisted names, ops."""
    out: list[str] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError) as e:
        raise ParseError(f"cannot tokenize: {e}") from None
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                        tokenize.DEDENT):
            continue
        if tok.type == tokenize.NUMBER:
            if not re.fullmatch(r"(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", tok.string):
                raise ParseError(f"number {tok.string!r} is not allowed")
            out.append(tok.string)
        elif tok.type == tokenize.NAME:
            out.extend(_split_name(tok.string))
        elif tok.string in _OPS and tok.type in (tokenize.OP, tokenize.ERRORTOKEN):
            out.append(tok.string)
        else:
            raise ParseError(f"token {tok.string!r} is not allowed")
    if not out:
        raise ParseError("empty expression")
    return " ".join(out)


def _rebuild(e: sympy.Basic) -> sympy.Basic:
    """Evaluate an unevaluated tree bottom-up, refusing numbers too big to compute."""
    if not e.args:
        return e
    args = [_rebuild(a) for a in e.args]
    if isinstance(e, sympy.Pow):
        base, ex = args
        if ex.is_Number and abs(ex) > MAX_EXPONENT and not (base.is_Number and abs(base) <= 1):
            raise TooLarge(f"exponent {ex} is too large")
        if ex.is_Number and abs(ex) > 64 and isinstance(base, sympy.Add):
            raise TooLarge(f"power {ex} of a sum is too large to expand")
        if ex.is_Number and base.is_Rational and base != 0:
            size = max(abs(base.p), abs(base.q))
            if abs(ex) * (size.bit_length() * 0.30103) > MAX_DIGITS:
                raise TooLarge(f"a power with more than {MAX_DIGITS} digits")
    if isinstance(e, (sympy.factorial, sympy.binomial)) and any(
            a.is_Number and abs(a) > MAX_FACTORIAL for a in args):
        raise TooLarge(f"{type(e).__name__} of a number above {MAX_FACTORIAL}")
    return e.func(*args)


def expanded_terms(e: sympy.Basic) -> int:
    """An upper bound on the number of terms `expand(e)` produces (products of sums multiply)."""
    if isinstance(e, sympy.Add):
        return sum(expanded_terms(a) for a in e.args)
    if isinstance(e, sympy.Mul):
        n = 1
        for a in e.args:
            n *= expanded_terms(a)
        return n
    if isinstance(e, sympy.Pow) and e.exp.is_Integer and e.exp > 1:
        t = expanded_terms(e.base)
        return math.comb(int(e.exp) + t - 1, t - 1) if t > 1 else 1
    return 1


def _parse_plain(text: str) -> sympy.Basic:
    s = text
    for k, v in _UNICODE.items():
        s = s.replace(k, v)
    s = re.sub(r"\|([^|]+)\|", r"abs(\1)", s)
    expr = parse_expr(_sanitize(s), local_dict={**_LETTERS, **FUNCTIONS, **CONSTANTS},
                      global_dict=dict(_GLOBALS), transformations=_TRANSFORMS, evaluate=False)
    return _rebuild(expr)


def _parse_latex(text: str) -> sympy.Basic:
    from latex2sympy2_extended import NormalizationConfig, latex2sympy

    # nits: `\frac12`, `\sqrt2`; malformed_operators: `\sqrt x`; units: `5\text{ cm}`
    norm = NormalizationConfig(basic_latex=True, units=True, malformed_operators=True, nits=True,
                               boxed="all", equations=False)
    text = re.sub(r"([+\-])\s+", r"\1", text)  # `\ln|x| + c` fails in the grammar, `+c` parses
    text = re.sub(r"\\log(?![_a-zA-Z])", r"\\ln", text)  # natural log, as `log` in plain text
    try:
        expr = latex2sympy(text, normalization_config=norm)
    except Exception as e:  # the ANTLR front end raises bare Exception on a syntax error
        raise ParseError(f"cannot parse LaTeX {text[:60]!r}: {str(e).splitlines()[0][:80]}") from None
    if not isinstance(expr, sympy.Basic):
        raise ParseError(f"latex gave {type(expr).__name__}, not an expression")
    return _rebuild(expr)


def parse_math(text: str) -> sympy.Basic:
    """Parse one expression (plain text with `^`/`**`/implicit products, or LaTeX) safely."""
    s = text.strip().strip("$").strip()
    if not s:
        raise ParseError("empty expression")
    if len(s) > MAX_LEN:
        raise ParseError(f"expression longer than {MAX_LEN} characters")
    if nesting_depth(s) > MAX_DEPTH:
        raise ParseError(f"brackets nested more than {MAX_DEPTH} deep")
    if power_depth(s) >= MAX_POWER_DEPTH or ("binom" in s and "^" in s):
        raise TooLarge("a power tower or a binomial of a power")  # the parsers would build it
    try:
        if "\\" in s or "{" in s:
            expr = _parse_latex(s)
        else:
            expr = _parse_plain(s)
    except ParseError:
        raise
    except (MemoryError, OverflowError) as e:
        raise TooLarge(f"cannot build {s[:60]!r}: {type(e).__name__}") from None
    except (SyntaxError, TypeError, ValueError, AttributeError, NameError, ZeroDivisionError,
            RecursionError, sympy.SympifyError) as e:
        raise ParseError(f"cannot parse {s[:60]!r}: {type(e).__name__}") from None
    if expanded_terms(expr) > MAX_TERMS:
        raise TooLarge(f"expands to more than {MAX_TERMS} terms")
    if expr.atoms(sympy.Derivative, sympy.Integral, sympy.Limit, sympy.Sum, sympy.Product):
        raise ParseError("answer still contains an unevaluated derivative, integral, limit, sum "
                         "or product")
    return expr


def is_finite(e: sympy.Basic) -> bool:
    """False when `e` holds an infinity, NaN, complex infinity or an interval of limits."""
    return not (e.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or e.has(sympy.AccumBounds))


def exact_floats(e: sympy.Basic) -> sympy.Basic:
    """Replace each Float by the exact rational of its decimal digits (0.1 -> 1/10)."""
    floats = e.atoms(sympy.Float)
    return e.xreplace({f: sympy.Rational(str(f)) for f in floats}) if floats else e


def numbers_equal(a: sympy.Basic, b: sympy.Basic, rel_tol: float = 1e-45) -> bool:
    """Exact where sympy can decide it, else a 60-digit relative comparison.

    Rationals compare exactly (1/2004! != 1/2006!); a rational never equals an irrational
    (`6.2831853071795864769` is not 2*pi); a difference that is a nonzero number
    (`e^2 + 10^{-100}`) is never equal; infinities never meet a tolerance.
    """
    a, b = exact_floats(a), exact_floats(b)
    if a == b:  # also covers oo, where a numeric difference is nan
        return True
    if not (isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr)):
        return False  # tuples, sets, relations: only an exact match counts
    if not (is_finite(a) and is_finite(b)):
        return False  # |a - oo| <= tol * oo holds: infinities never meet a tolerance
    if a.is_Rational and b.is_Rational:
        return False
    if (a.is_Rational and b.is_rational is False) or (b.is_Rational and a.is_rational is False):
        return False
    try:
        d = a - b
        if d.is_Rational:
            return d == 0
        if d.is_zero is not None:
            return bool(d.is_zero)
        va, vb = sympy.N(a, 60), sympy.N(b, 60)
        if not (va.is_number and vb.is_number) or not (is_finite(va) and is_finite(vb)):
            return False
        return bool(sympy.Abs(va - vb) <= rel_tol * sympy.Max(sympy.Abs(va), sympy.Abs(vb)))
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return False


def _value(e: sympy.Basic, point: dict) -> sympy.Basic | None:
    try:
        v = e.evalf(50, subs=point)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not v.is_number or v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    return v


def equivalent(a: sympy.Basic, b: sympy.Basic, samples: int = 8, rel_tol: float = 1e-35) -> bool:
    """True when `a` and `b` are the same function (expand, then seeded random sampling)."""
    a, b = exact_floats(a), exact_floats(b)
    symbols = sorted((a.free_symbols | b.free_symbols), key=str)
    if not symbols:
        return numbers_equal(a, b)
    try:
        diff = sympy.expand(a - b)
        if diff == 0:
            return True
        if diff.is_number and diff.is_zero is False:
            return False  # `x^2 + 10^{-20}`: a constant offset, however small, is not equal
    except (TypeError, ValueError, AttributeError):
        return False  # not an algebraic difference (sets, relations)
    rng = random.Random(0)  # fixed points: the same verdict every run
    agreed = 0
    for _ in range(samples * 3):
        point = {s: sympy.Rational(rng.choice([-1, 1]) * rng.randint(110, 390), 100)
                 for s in symbols}
        va, vb = _value(a, point), _value(b, point)
        if va is None or vb is None:
            continue  # outside the domain of one side; try another point
        try:
            scale = sympy.Max(sympy.Abs(va), sympy.Abs(vb), sympy.Integer(1) / 10**6)
            if sympy.Abs(va - vb) > rel_tol * scale:
                return False
        except (TypeError, ValueError):  # not comparable (complex values, a floor...): not equal
            return False
        agreed += 1
        if agreed >= samples:
            return True
    return False
