"""Procedural arithmetic and word problems for the `math` env, each with its exact answer.

Levels: 1 integer arithmetic with precedence; 2 fractions and decimals; 3 percentages;
4 multi-step word problems. Every generator returns (question, answer, worked solution), with
exact arithmetic (`Fraction`), using only the `rng` it is given.
"""
from __future__ import annotations

import random
from fractions import Fraction

NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi",
         "Lena", "Mateo", "Nia", "Omar", "Priya"]
ITEMS = ["apples", "pencils", "stickers", "marbles", "books", "cookies", "stamps", "shells"]


def fmt(x: Fraction) -> str:
    """An exact answer as text: an integer, a finite decimal, or a LaTeX fraction."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d == 1:  # a terminating decimal
        return f"{float(x):.10f}".rstrip("0").rstrip(".")
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def one_step(rng: random.Random) -> tuple[str, Fraction, str]:
    """Level 0: one operation on small numbers, within reach of a 135M model (for CPU runs)."""
    op = rng.choice("+-×")
    a, b = rng.randint(2, 20), rng.randint(2, 20)
    if op == "-" and b > a:
        a, b = b, a
    val = a + b if op == "+" else a - b if op == "-" else a * b
    sym = "\\times" if op == "×" else op
    return f"What is ${a} {sym} {b}$?", Fraction(val), f"${a} {sym} {b} = {val}$."


def integer_arithmetic(rng: random.Random) -> tuple[str, Fraction, str]:
    a, b, c, d = (rng.randint(2, 99) for _ in range(4))
    op1, op2 = rng.choice("+-"), rng.choice("+-")
    if rng.random() < 0.5:
        expr = f"{a} {op1} {b} \\times {c} {op2} {d}"
        bc = b * c
        val = a + bc if op1 == "+" else a - bc
        val = val + d if op2 == "+" else val - d
        steps = f"First ${b} \\times {c} = {bc}$. Then ${a} {op1} {bc} {op2} {d} = {val}$."
    else:
        expr = f"({a} {op1} {b}) \\times {c % 12 + 2} {op2} {d}"
        inner = a + b if op1 == "+" else a - b
        m = c % 12 + 2
        val = inner * m + d if op2 == "+" else inner * m - d
        steps = f"The bracket is ${inner}$; ${inner} \\times {m} = {inner * m}$, so the result is ${val}$."
    return f"Compute ${expr}$.", Fraction(val), steps


def fractions_decimals(rng: random.Random) -> tuple[str, Fraction, str]:
    if rng.random() < 0.5:
        p, q = Fraction(rng.randint(1, 9), rng.randint(2, 12)), Fraction(rng.randint(1, 9), rng.randint(2, 12))
        op = rng.choice(["+", "-", "\\times", "\\div"])
        val = {"+": p + q, "-": p - q, "\\times": p * q, "\\div": p / q}[op]
        q_text = (f"Compute $\\frac{{{p.numerator}}}{{{p.denominator}}} {op} "
                  f"\\frac{{{q.numerator}}}{{{q.denominator}}}$ and give the exact result in "
                  "lowest terms.")
        return q_text, val, f"Working with a common denominator gives ${fmt(val)}$."
    x = Fraction(rng.randint(11, 999), 10 ** rng.randint(1, 2))
    y = Fraction(rng.randint(11, 99), 10)
    op = rng.choice(["+", "-", "\\times"])
    val = {"+": x + y, "-": x - y, "\\times": x * y}[op]
    return (f"Compute ${fmt(x)} {op} {fmt(y)}$.", val,
            f"Lining up the decimals, ${fmt(x)} {op} {fmt(y)} = {fmt(val)}$.")


def percentages(rng: random.Random) -> tuple[str, Fraction, str]:
    kind = rng.randrange(3)
    if kind == 0:
        p, n = rng.choice([5, 10, 12, 15, 20, 25, 30, 40, 45, 60, 75]), rng.randint(2, 60) * 20
        val = Fraction(p * n, 100)
        return (f"What is {p}% of {n}?", val, f"${p}\\% \\times {n} = {fmt(val)}$.")
    if kind == 1:
        old = rng.randint(1, 20) * 20  # keeps every change a whole number of dollars
        pct = rng.choice([10, 20, 25, 30, 50, 75])
        new = old + old * pct // 100 if rng.random() < 0.5 else old - old * pct // 100
        val = Fraction(abs(new - old) * 100, old)
        word = "increase" if new > old else "decrease"
        return (f"A price changes from ${old} to ${new}. By what percent did it {word}? "
                "Answer with the number of percent.", val,
                f"The change is {abs(new - old)}, and ${abs(new - old)}/{old} = {fmt(val)}\\%$.")
    price = rng.randint(4, 50) * 10
    off = rng.choice([10, 15, 20, 25, 40])
    tax = rng.choice([5, 8, 10])
    val = Fraction(price) * (100 - off) / 100 * (100 + tax) / 100
    return (f"A jacket costs ${price}. It is discounted by {off}%, and then a {tax}% sales tax is "
            "added to the discounted price. What is the final price in dollars?", val,
            f"After the discount: {fmt(Fraction(price) * (100 - off) / 100)}; with tax: {fmt(val)}.")


def word_problem(rng: random.Random) -> tuple[str, Fraction, str]:
    a, b = rng.sample(NAMES, 2)
    item = rng.choice(ITEMS)
    kind = rng.randrange(3)
    if kind == 0:
        boxes, per, given, bought = rng.randint(3, 12), rng.randint(4, 24), rng.randint(5, 30), rng.randint(2, 9)
        val = boxes * per - given + bought * per
        return (f"{a} buys {boxes} boxes of {item} with {per} {item} in each box. {a} gives "
                f"{given} {item} to {b}, then buys {bought} more boxes. How many {item} does {a} "
                "have now?", Fraction(val),
                f"{boxes}*{per} = {boxes * per}; minus {given} is {boxes * per - given}; plus "
                f"{bought}*{per} = {bought * per} gives {val}.")
    if kind == 1:
        speed1, t1, speed2, t2 = rng.randint(30, 90), rng.randint(1, 5), rng.randint(20, 70), rng.randint(1, 4)
        val = speed1 * t1 + speed2 * t2
        return (f"{a} drives {t1} hours at {speed1} km/h, then {t2} hours at {speed2} km/h. How "
                "many kilometres does {a} drive in total?".replace("{a}", a), Fraction(val),
                f"{speed1}*{t1} + {speed2}*{t2} = {val}.")
    age_b = rng.randint(4, 20)
    k, years = rng.randint(2, 4), rng.randint(2, 15)
    val = k * age_b + years + age_b + years
    return (f"{a} is {k} times as old as {b}. {b} is {age_b} years old. What will the sum of "
            f"their ages be in {years} years?", Fraction(val),
            f"{a} is {k * age_b}; in {years} years the ages are {k * age_b + years} and "
            f"{age_b + years}, summing to {val}.")


GENERATORS = {0: one_step, 1: integer_arithmetic, 2: fractions_decimals, 3: percentages, 4: word_problem}
