"""sympy-generated algebra tasks: expand, factor, simplify, solve, differentiate, integrate.

Each generator draws integers from the given `rng` only and returns
(kind, question LaTeX, gold answer as a sympy expression or list of roots, integrand or None).
"""
from __future__ import annotations

import random

import sympy

x = sympy.Symbol("x")


def _nz(rng: random.Random, lo: int, hi: int) -> int:
    return rng.choice([v for v in range(lo, hi + 1) if v != 0])


def expand(rng: random.Random, level: int):
    factors = [(_nz(rng, 1, 3 * level), rng.randint(-9, 9)) for _ in range(level + 1)]
    expr = sympy.Mul(*[a * x + b for a, b in factors], evaluate=False)
    if level == 3:
        expr = sympy.Mul(_nz(rng, 2, 30) * x, sympy.Add(*[rng.randint(1, 90) * x**k for k in (3, 1, 0)]),
                         evaluate=False)
    return "expand", f"Expand ${sympy.latex(expr)}$.", sympy.expand(expr), None


def factor(rng: random.Random, level: int):
    roots = [rng.randint(-9, 9) for _ in range(level + 1)]
    lead = _nz(rng, 1, 3) if level > 1 else 1
    poly = sympy.expand(lead * sympy.Mul(*[x - r for r in roots]))
    return ("factor", f"Factor ${sympy.latex(poly)}$ completely over the rationals.",
            sympy.factor(poly), None)


def simplify(rng: random.Random, level: int):
    r1, r2, r3 = rng.sample([v for v in range(-8, 9)], 3)
    num = sympy.expand((x - r1) * (x - r2) * (_nz(rng, 1, 4) if level > 2 else 1))
    den = sympy.expand((x - r1) * (x - r3)) if level > 1 else x - r1
    gold = sympy.cancel(num / den)
    return ("simplify", f"Simplify $\\frac{{{sympy.latex(num)}}}{{{sympy.latex(den)}}}$.",
            gold, None)


def solve(rng: random.Random, level: int):
    if level == 1:
        a, b, c = _nz(rng, 2, 9), rng.randint(-20, 20), rng.randint(-20, 20)
        eq = sympy.Eq(a * x + b, c)
    else:
        p, q = sympy.Rational(rng.randint(-9, 9), _nz(rng, 1, 3 * (level - 1))), rng.randint(-9, 9)
        k = _nz(rng, 1, 4)
        lhs = sympy.expand(k * (x - p) * (x - q) * (sympy.denom(p)))
        eq = sympy.Eq(lhs, 0)
    roots = sorted(set(sympy.solve(eq, x)), key=lambda r: float(r))
    return "solve", f"Solve ${sympy.latex(eq)}$ for $x$. Give every real solution.", roots, None


def differentiate(rng: random.Random, level: int):
    terms = [rng.randint(-9, 9) * x**k for k in range(level + 2)]
    f = sympy.Add(*terms)
    if level >= 2:
        f = f + rng.randint(1, 5) * sympy.sin(_nz(rng, 1, 4) * x)
    if level == 3:
        f = f * sympy.exp(_nz(rng, -3, 3) * x)
    return "diff", f"Differentiate $f(x) = {sympy.latex(f)}$ with respect to $x$.", sympy.diff(f, x), None


def integrate(rng: random.Random, level: int):
    f = sympy.Add(*[rng.randint(-9, 9) * x**k for k in range(level + 1)]) + _nz(rng, 1, 9)
    if level >= 2:
        f = f + _nz(rng, -5, 5) * sympy.cos(_nz(rng, 1, 3) * x)
    if level == 3:
        f = _nz(rng, 1, 4) * x * sympy.exp(_nz(rng, -2, 3) * x)
    return ("integrate", f"Find an antiderivative: $\\int {sympy.latex(f)} \\, dx$.",
            sympy.integrate(f, x), f)


KINDS = {1: [expand, factor, simplify, solve, differentiate, integrate],
         2: [expand, factor, simplify, solve, differentiate, integrate],
         3: [expand, factor, simplify, solve, differentiate, integrate]}
