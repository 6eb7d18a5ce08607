"""Offline multiple-choice items: arithmetic, unit conversion, and facts stated in the question.

Each maker returns (question, correct option text, distractor texts), all from the given `rng`.
"""
from __future__ import annotations

import random

NAMES = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivan", "Jun"]
THINGS = ["a red kite", "a blue bicycle", "a green umbrella", "a yellow lamp", "a black guitar",
          "a white teapot", "a silver watch", "an orange scarf"]
CITIES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tallinn", "Hanoi", "Perth", "Cusco"]
UNITS = [("metres", "centimetres", 100), ("kilometres", "metres", 1000), ("hours", "minutes", 60),
         ("kilograms", "grams", 1000), ("litres", "millilitres", 1000), ("minutes", "seconds", 60)]


def _near(rng: random.Random, value: int, k: int) -> list[int]:
    """`k` distinct plausible wrong values near `value`."""
    flipped = int(str(abs(value))[::-1]) * (1 if value >= 0 else -1)  # a digit-order slip
    pool = {value + d for d in (-10, -2, -1, 1, 2, 10)} | {value * 2, value // 2 or 1, flipped}
    pool.discard(value)
    return rng.sample(sorted(pool), k)


def arithmetic(rng: random.Random, level: int, k: int):
    a, b = rng.randint(3, 10 ** (level + 1)), rng.randint(3, 30 * level)
    op = rng.choice(["+", "-", "\\times"])
    val = {"+": a + b, "-": a - b, "\\times": a * b}[op]
    return f"What is ${a} {op} {b}$?", str(val), [str(v) for v in _near(rng, val, k)]


def unit_conversion(rng: random.Random, level: int, k: int):
    big, small, factor = rng.choice(UNITS)
    amount = rng.randint(2, 9 * level) + (rng.choice([0, 0.5]) if level > 1 else 0)
    val = amount * factor
    wrong = {val * 10, val / 10, amount + factor, val / 100, val * 100, val + factor, val - factor}
    wrong.discard(val)

    def show(v: float) -> str:
        return f"{v:g}" if v < 1e15 else str(int(v))

    return (f"How many {small} are in {show(amount)} {big}?", show(val),
            [show(v) for v in rng.sample(sorted(wrong), k)])


def stated_fact(rng: random.Random, level: int, k: int):
    n = min(len(THINGS), len(CITIES), k + 1 + level)  # k + 1 <= 7 people always fit
    people = rng.sample(NAMES, n)
    owned = rng.sample(THINGS, n)
    lived = rng.sample(CITIES, n)
    facts = [f"{p} owns {t} and lives in {c}." for p, t, c in zip(people, owned, lived)]
    rng.shuffle(facts)
    i = rng.randrange(n)
    if rng.random() < 0.5:
        others = [c for j, c in enumerate(lived) if j != i]
        return (" ".join(facts) + f" Where does {people[i]} live?", lived[i], rng.sample(others, k))
    others = [t for j, t in enumerate(owned) if j != i]
    return (" ".join(facts) + f" What does {people[i]} own?", owned[i], rng.sample(others, k))


MAKERS = [arithmetic, unit_conversion, stated_fact]
