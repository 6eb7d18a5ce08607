"""Checks for algebra tasks: solution sets, the required form, and the per-kind verdict.

`check_algebra(kind, gold, answer, ...)` runs in the isolated worker (see `math_equiv.verify_isolated`)
on top of `symbolic`'s safe parser and equivalence:
- `expand`, `factor`, `simplify`: equal to the gold *and* in the asked form (echoing the question
  fails); `simplify` also checks the written fraction, since sympy cancels `(x-1)(x+1)/(x-1)`
  on sight;
- `diff`: equal; `integrate`: the answer's derivative equals the integrand (any constant);
- `solve`: the same solution set in any order and in any common notation (`parse_solutions`);
- `equiv`: equal (loaded rows); `y = ...` sides compared.
Answers naming infinity/NaN, and equations whose left side is more than a name (`f'(x) =`,
`y =`, `\\frac{dy}{dx} =`; `answer_form.equation_problem`), are wrong.
"""
from __future__ import annotations

import re

import sympy

from .answer_form import equation_problem, non_finite, top_level_split
from .symbolic import ParseError, equivalent, is_finite, parse_math


def _plus_minus(item: str) -> list[str]:
    """`1 \\pm \\sqrt{2}` -> [`1 + \\sqrt{2}`, `1 - \\sqrt{2}`]; `\\pm 2` -> [`+2`, `-2`]."""
    parts = re.split(r"\\pm(?![a-z])|±", item)
    if len(parts) != 2:
        return [item]
    return [parts[0] + "+" + parts[1], parts[0] + "-" + parts[1]]


def parse_solutions(text: str, var: str | None = None) -> list[sympy.Basic]:
    """A solution list in any common form: `x = 2 or x = -3`, `{-3, 2}`, `x=2, x=-3`, `2; -3`,
    `x \\in \\{-3, 2\\}`, `x_1 = 2, x_2 = -3`, `x = \\pm 2`."""
    s = re.sub(r"\\text\{\s*(or|and)\s*\}|\b(or|and)\b|\\quad|\\qquad", ",", text)
    s = s.replace("\\{", "").replace("\\}", "").replace("\\left", "").replace("\\right", "")
    s = s.strip().strip("$").strip()
    m = re.match(r"([A-Za-z])\s*(\\in(?![a-z])|∈)", s)
    if m:
        if var is not None and m.group(1) != var:
            raise ParseError(f"{m.group(1)!r} is not the variable {var!r}")
        s = s[m.end():].strip()
    if s.startswith("{") and s.endswith("}"):
        s = s[1:-1]
    out = []
    for item in top_level_split(s):
        if "=" in item:
            lhs, _, rhs = item.partition("=")
            name = re.sub(r"_\{?[\w,]+\}?$", "", lhs.strip())  # `x_1`, `x_{2}`, `x_{1,2}`: roots of x
            if var is not None and name != var:
                raise ParseError(f"{lhs.strip()!r} is not the variable {var!r}")
            item = rhs
        out.extend(parse_math(part) for part in _plus_minus(item))
    if not out:
        raise ParseError("no solutions given")
    return out


def same_solutions(gold: list[sympy.Basic], answer: list[sympy.Basic]) -> bool:
    """Solution sets equal in any order; repeated roots may be listed once or more."""
    def distinct(xs: list[sympy.Basic]) -> list[sympy.Basic]:
        out: list[sympy.Basic] = []
        for x in xs:
            if not any(equivalent(x, y) for y in out):
                out.append(x)
        return out

    g, a = distinct(gold), distinct(answer)
    return len(g) == len(a) and all(any(equivalent(x, y) for y in a) for x in g)


def _is_expanded(e: sympy.Basic) -> bool:
    return e == sympy.expand(e)


def _is_factored(e: sympy.Basic, var: sympy.Symbol) -> bool:
    """A product whose non-constant factors are irreducible over the rationals."""
    for f in sympy.Mul.make_args(e):
        base = f.base if isinstance(f, sympy.Pow) else f
        if not base.has(var):
            continue
        factors = sympy.factor_list(base)[1]
        if len(factors) != 1 or factors[0][1] != 1:
            return False
    return True


def _is_simplified(e: sympy.Basic) -> bool:
    """No common factor left between numerator and denominator (`together` would cancel it)."""
    n, d = sympy.fraction(e)
    return not sympy.gcd(sympy.expand(n), sympy.expand(d)).free_symbols


def _written_fraction(text: str) -> tuple[str, str] | None:
    """`\\frac{A}{B}` or `A/B` spanning the whole answer -> (A, B): sympy cancels equal factors
    on sight, so the written form is checked too."""
    t = text.strip().strip("$").strip().replace("\\dfrac", "\\frac")
    if not t.startswith("\\frac{"):
        halves = top_level_split(t, "/")  # plain text: `((x-1)(x+1))/(x-1)`
        return (halves[0], halves[1]) if len(halves) == 2 else None
    parts, depth, cur = [], 0, ""
    for ch in t[len("\\frac"):]:
        depth += (ch == "{") - (ch == "}")
        cur += ch
        if depth == 0:
            parts.append(cur[1:-1])
            cur = ""
    return (parts[0], parts[1]) if len(parts) == 2 and not cur.strip() else None


def _written_terms(text: str) -> int:
    """How many terms an answer writes at its top level (`2x^2 + 5x + 2x + 5` has 4)."""
    count, depth, prev = 1, 0, ""
    for ch in text.strip().strip("$"):
        depth += (ch in "([{") - (ch in ")]}")
        if ch in "+-" and depth == 0 and prev not in ("", "^", "*", "/", "+", "-", "=", "e", "E"):
            count += 1
        prev = ch if not ch.isspace() else prev
    return count


FORM_NAMES = {"expand": "expanded", "factor": "factored", "simplify": "fully simplified"}
FORMS = {"expand": ("expanded", _is_expanded), "simplify": ("fully simplified", _is_simplified)}


def check_algebra(kind: str, gold: str, answer: str, var: str = "x",
                  integrand: str | None = None) -> tuple[bool, str]:
    """Worker side: is `answer` right for an algebra task of `kind`? Returns (ok, reason).

    kinds: expand | factor | simplify (equal *and* in the asked form, so echoing the question
    fails), diff (equal), integrate (its derivative equals the integrand: any constant),
    solve (the same solution set, any order), equiv (equal; loaded rows of unknown kind).
    """
    x = sympy.Symbol(var)
    if non_finite(answer) and not non_finite(gold):  # `x + \\frac{1}{\\infty}` evaluates away
        return False, "a non-finite value (infinity, NaN or division by zero)"
    try:
        if kind == "solve" or (kind == "equiv" and len(top_level_split(gold)) > 1):
            roots = parse_solutions(answer, var)
            if not all(is_finite(r) for r in roots):
                return False, "a non-finite root (infinity, NaN or division by zero)"
            ok = same_solutions(parse_solutions(gold), roots)
            return ok, "same solution set" if ok else "different solution set"
        g_text, a_text = gold, answer
        if kind == "equiv" and "=" in gold and "=" in answer:  # `y = 2x+1` vs `y = 1+2x`
            (gl, _, g_text), (al, _, a_text) = gold.partition("="), answer.partition("=")
            if gl.strip() != al.strip():
                return False, f"left-hand side {al.strip()!r} is not {gl.strip()!r}"
        last = a_text.split("=")[-1]
        ans = parse_math(last)
        if not is_finite(ans):
            return False, "a non-finite value (infinity, NaN or division by zero)"
        why = equation_problem(a_text)  # `f'(x) = ...` names the answer; shown work does not
        if why:
            return False, why
        if kind == "integrate":
            # a real variable, so that d/dx ln|x| = 1/x (for a complex symbol it is not)
            xr = sympy.Symbol(var, real=True)
            real = {s: xr for s in ans.free_symbols if s.name == var}
            f = parse_math(integrand or "")
            f = f.xreplace({s: xr for s in f.free_symbols if s.name == var})
            ok = equivalent(sympy.diff(ans.xreplace(real), xr), f)
            return ok, "derivative matches the integrand" if ok else "derivative differs"
        g_expr = parse_math(g_text.split("=")[-1])
        if not equivalent(g_expr, ans):
            return False, "not equivalent"
        if kind in FORM_NAMES:  # `2x^2+5x+2x+5`, `(x-6)(x+6) + x - x`: terms the final form has not
            limit = len(sympy.Add.make_args(sympy.expand(g_expr) if kind == "expand" else g_expr))
            if _written_terms(last) > limit:
                return False, f"equivalent but not {FORM_NAMES[kind]} (more terms written than it has)"
        if kind == "factor" and not _is_factored(ans, x):
            return False, "equivalent but not factored"
        if kind in FORMS and not FORMS[kind][1](ans):
            return False, f"equivalent but not {FORMS[kind][0]}"
        written = _written_fraction(last) if kind in ("simplify", "factor", "expand") else None
        if written and sympy.gcd(*(sympy.expand(parse_math(w)) for w in written)).free_symbols:
            return False, f"equivalent but not {FORMS.get(kind, ('factored',))[0]} (a common factor is written out)"
        return True, "equivalent"
    except ParseError as e:
        return False, f"unparsable answer: {e}"
