"""Problem writers for `python_tool`: data and math questions with exact answers and gold code.

Each writer draws from the task's rng and returns a `Problem`: the question text, the exact
answer (a string the math verifier reads), the gold program that prints it, and the number of
decimals the answer is given to (None for exact integers). Gold programs use only the
question's numbers and small constants, so they pass the env's grounding rules. A writer
re-draws until its answer is not one of the question's own numbers (an answer copied from
the question could not prove any computation).
"""
from __future__ import annotations

import datetime as dt
import math
import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, getcontext
from typing import Callable

getcontext().prec = 60
_NUM = re.compile(r"\d+(?:\.\d+)?")


@dataclass
class Problem:
    """One question with its exact answer and the program that computes it."""

    question: str
    answer: str
    code: str
    decimals: int | None = None


ITEMS = ["apples", "pears", "plums", "cherries", "lemons", "figs", "dates", "limes", "kiwis",
         "mangoes", "grapes", "melons"]
CATEGORIES = ["fruit", "tools", "books", "toys"]
REGIONS = ["north", "south", "east", "west", "central"]
NAMES = ["Ada", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jia", "Kai", "Lea",
         "Mo", "Nia", "Oto", "Pia"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _rand_date(rng: random.Random, y0: int, y1: int) -> dt.date:
    start = dt.date(y0, 1, 1).toordinal()
    return dt.date.fromordinal(rng.randint(start, dt.date(y1, 12, 31).toordinal()))


def _round(x: Decimal, decimals: int) -> Decimal | None:
    """`x` rounded to `decimals`, or None when it sits too close to a rounding boundary (a
    float computation could then round either way)."""
    q = Decimal(1).scaleb(-decimals)
    frac = (x / q) % 1
    if abs(frac - Decimal("0.5")) < Decimal("1e-6"):
        return None
    return x.quantize(q, rounding=ROUND_HALF_EVEN)


# ---------------------------------------------------------------- level 1
def sum_filtered(rng: random.Random, level: int) -> Problem:
    n = 8 + 4 * level
    xs = [rng.randint(1, 99) for _ in range(n)]
    t = rng.randint(30, 70)
    kind = rng.choice(["even", "greater"])
    if kind == "even":
        q = f"What is the sum of the even numbers in this list?\n{xs}"
        code = f"xs = {xs}\nprint(sum(x for x in xs if x % 2 == 0))"
        ans = sum(x for x in xs if x % 2 == 0)
    else:
        q = f"What is the sum of the numbers greater than {t} in this list?\n{xs}"
        code = f"xs = {xs}\nprint(sum(x for x in xs if x > {t}))"
        ans = sum(x for x in xs if x > t)
    return Problem(q + "\nGive the answer as an integer.", str(ans), code)


def choose(rng: random.Random, level: int) -> Problem:
    n = rng.randint(10, 14 + 6 * level)
    k = rng.randint(3, min(n - 3, 4 + 2 * level))
    q = (f"A club has {n} members. In how many ways can a committee of {k} members be chosen "
         f"(order does not matter)? Give the answer as an integer.")
    return Problem(q, str(math.comb(n, k)), f"import math\nprint(math.comb({n}, {k}))")


def days_between(rng: random.Random, level: int) -> Problem:
    a = _rand_date(rng, 2000, 2030)
    b = a + dt.timedelta(days=rng.randint(40, 300 * level * level))
    q = (f"How many days are there from {a.isoformat()} to {b.isoformat()}? Count the days "
         f"elapsed (the first date excluded, the last included). Give the answer as an integer.")
    code = (f"from datetime import date\nprint((date({b.year}, {b.month}, {b.day}) - "
            f"date({a.year}, {a.month}, {a.day})).days)")
    return Problem(q, str((b - a).days), code)


# ---------------------------------------------------------------- level 2
def table_revenue(rng: random.Random, level: int) -> Problem:
    rows = []
    for _ in range(6 + 4 * level):
        rows.append((rng.choice(ITEMS), rng.choice(CATEGORIES[:1 + level]), rng.randint(1, 40),
                     Decimal(rng.randint(50, 2500)) / 100))
    cat = rng.choice([r[1] for r in rows])
    table = "item,category,quantity,unit_price\n" + "\n".join(
        f"{i},{c},{n},{p:.2f}" for i, c, n, p in rows)
    total = sum((n * p for _, c, n, p in rows if c == cat), Decimal(0))
    q = (f"A shop's sales table (CSV):\n\n{table}\n\nWhat is the total revenue (quantity times "
         f"unit price, summed) of the rows in category '{cat}'? Give the answer in dollars, "
         f"rounded to 2 decimal places.")
    code = (f"import csv, io\ntable = '''{table}'''\n"
            f"rows = list(csv.DictReader(io.StringIO(table)))\n"
            f"total = sum(int(r['quantity']) * float(r['unit_price']) for r in rows "
            f"if r['category'] == '{cat}')\nprint(f'{{total:.2f}}')")
    return Problem(q, f"{total:.2f}", code, decimals=2)


def mean_median(rng: random.Random, level: int) -> Problem:
    xs = rng.sample(range(10, 400), 10)
    if rng.random() < 0.5:
        ans = Decimal(sum(xs)) / 10
        q = f"What is the mean of these 10 numbers?\n{xs}\nGive the exact value."
        code = f"xs = {xs}\nprint(sum(xs) / len(xs))"
    else:
        s = sorted(xs)
        ans = Decimal(s[4] + s[5]) / 2
        q = f"What is the median of these 10 numbers?\n{xs}\nGive the exact value."
        code = f"import statistics\nxs = {xs}\nprint(statistics.median(xs))"
    text = format(ans.normalize(), "f")
    return Problem(q, text, code, decimals=1 if "." in text else None)


def count_divisible(rng: random.Random, level: int) -> Problem:
    n = rng.randint(200, 1000 * level)
    a, b = rng.sample([3, 4, 5, 6, 7, 9, 11, 13], 2)
    c = rng.choice([x for x in (2, 10, 17, 19, 23) if x not in (a, b)])
    ans = sum(1 for x in range(1, n + 1) if (x % a == 0 or x % b == 0) and x % c != 0)
    q = (f"How many integers from 1 to {n} (inclusive) are divisible by {a} or by {b}, but not "
         f"by {c}? Give the answer as an integer.")
    code = (f"print(sum(1 for x in range(1, {n} + 1) "
            f"if (x % {a} == 0 or x % {b} == 0) and x % {c} != 0))")
    return Problem(q, str(ans), code)


def weekday_count(rng: random.Random, level: int) -> Problem:
    a = _rand_date(rng, 2001, 2029)
    b = a + dt.timedelta(days=rng.randint(60, 500 * level))
    wd = rng.randrange(7)
    ans = sum(1 for k in range((b - a).days + 1) if (a + dt.timedelta(days=k)).weekday() == wd)
    q = (f"How many {WEEKDAYS[wd]}s are there from {a.isoformat()} to {b.isoformat()}, both "
         f"dates included? Give the answer as an integer.")
    code = (f"from datetime import date, timedelta\n"
            f"a, b = date({a.year}, {a.month}, {a.day}), date({b.year}, {b.month}, {b.day})\n"
            f"print(sum(1 for k in range((b - a).days + 1) "
            f"if (a + timedelta(days=k)).weekday() == {wd}))")
    return Problem(q, str(ans), code)


# ---------------------------------------------------------------- level 3
def group_top_revenue(rng: random.Random, level: int) -> Problem:
    rows = [(rng.choice(NAMES[:8]), rng.choice(REGIONS), rng.randint(1, 60),
             Decimal(rng.randint(100, 9000)) / 100) for _ in range(16)]
    units: dict[str, int] = {}
    for _, reg, n, _ in rows:
        units[reg] = units.get(reg, 0) + n
    top = max(units.values())
    if list(units.values()).count(top) > 1:
        rows[0] = (rows[0][0], rows[0][1], rows[0][2] + 1, rows[0][3])
        units[rows[0][1]] += 1
    best = max(units, key=units.get)
    total = sum((n * p for _, reg, n, p in rows if reg == best), Decimal(0))
    table = "seller,region,units,unit_price\n" + "\n".join(
        f"{s},{r},{n},{p:.2f}" for s, r, n, p in rows)
    q = (f"Sales records (CSV):\n\n{table}\n\nFind the region that sold the most units in total. "
         f"What is that region's total revenue (units times unit price, summed over its rows)? "
         f"Give the answer in dollars, rounded to 2 decimal places.")
    code = (f"import csv, io\nfrom collections import defaultdict\ntable = '''{table}'''\n"
            f"rows = list(csv.DictReader(io.StringIO(table)))\nunits = defaultdict(int)\n"
            f"for r in rows:\n    units[r['region']] += int(r['units'])\n"
            f"best = max(units, key=units.get)\n"
            f"total = sum(int(r['units']) * float(r['unit_price']) for r in rows "
            f"if r['region'] == best)\nprint(f'{{total:.2f}}')")
    return Problem(q, f"{total:.2f}", code, decimals=2)


def digit_sum_count(rng: random.Random, level: int) -> Problem:
    d = rng.choice([4, 5])
    s = rng.randint(8, 9 * d - 8)
    ans = sum(1 for x in range(10 ** (d - 1), 10 ** d) if sum(map(int, str(x))) == s)
    q = (f"How many {d}-digit positive integers have digits that sum to {s}? "
         f"Give the answer as an integer.")
    code = (f"print(sum(1 for x in range(10 ** ({d} - 1), 10 ** {d}) "
            f"if sum(map(int, str(x))) == {s}))")
    return Problem(q, str(ans), code)


def population_std(rng: random.Random, level: int) -> Problem:
    while True:
        xs = [rng.randint(1, 200) for _ in range(12)]
        mean = Decimal(sum(xs)) / len(xs)
        var = sum(((Decimal(x) - mean) ** 2 for x in xs), Decimal(0)) / len(xs)
        ans = _round(var.sqrt(), 2)
        if ans is not None:
            break
    q = (f"What is the population standard deviation of these 12 numbers?\n{xs}\n"
         f"Give the answer rounded to 2 decimal places.")
    code = f"import statistics\nxs = {xs}\nprint(round(statistics.pstdev(xs), 2))"
    return Problem(q, f"{ans:.2f}", code, decimals=2)


def last_digits_power(rng: random.Random, level: int) -> Problem:
    while True:
        b, e = rng.randint(3, 97), rng.randint(500, 5000)
        ans = pow(b, e, 10000)
        if ans >= 1000:
            break
    q = (f"What are the last four digits of {b}^{e} (that is, {b} to the power {e}, "
         f"modulo 10000)? Give the answer as an integer.")
    return Problem(q, str(ans), f"print(pow({b}, {e}, 10000))")


Writer = Callable[[random.Random, int], Problem]
WRITERS: dict[int, list[Writer]] = {
    1: [sum_filtered, choose, days_between],
    2: [table_revenue, mean_median, count_divisible, weekday_count, choose],
    3: [group_top_revenue, digit_sum_count, population_std, last_digits_power, weekday_count,
        table_revenue],
}


def question_numbers(text: str) -> list[str]:
    """The numbers written in a question (unsigned; dates give year, month and day)."""
    return _NUM.findall(text)


def draw(rng: random.Random, level: int) -> tuple[Writer, Problem]:
    """A problem of `level` whose answer is not one of the question's numbers."""
    writer = rng.choice(WRITERS[level])
    for _ in range(50):
        p = writer(rng, level)
        if Decimal(p.answer) not in {Decimal(x) for x in question_numbers(p.question)}:
            return writer, p
    raise RuntimeError(f"{writer.__name__}: no problem whose answer is not in the question")
