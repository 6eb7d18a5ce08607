"""Word problems that need a few conversions and computations, each solved by a tool plan.

A problem writer draws numbers from `rng`, states the question, and solves it through a
`Plan`, which records each tool call and computes its result with the same code the tools
run, so the gold calls and the gold answer cannot disagree with the env.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .calculator import evaluate, format_number
from .units import convert


@dataclass
class Plan:
    """The tool calls that solve a problem, in order, with their results."""

    calls: list[tuple[str, dict]] = field(default_factory=list)
    results: list[str] = field(default_factory=list)

    def convert(self, value: float, from_unit: str, to_unit: str) -> str:
        out = format_number(convert(value, from_unit, to_unit))
        self.calls.append(("convert", {"value": value, "from_unit": from_unit, "to_unit": to_unit}))
        self.results.append(out)
        return out

    def calculate(self, expression: str) -> str:
        out = format_number(evaluate(expression))
        self.calls.append(("calculate", {"expression": expression}))
        self.results.append(out)
        return out


Problem = tuple[str, Plan, str]  # question, solution plan, unit of the answer
Writer = Callable[[random.Random, int], Problem]


def _num(rng: random.Random, lo: float, hi: float, level: int) -> float:
    """A value with more decimals at higher levels (harder to do in one's head)."""
    return round(rng.uniform(lo, hi), level - 1) if level > 1 else float(rng.randint(int(lo), int(hi)))


def fuel_cost(rng: random.Random, level: int) -> Problem:
    gallons, price = _num(rng, 8, 25, level), round(rng.uniform(1.2, 2.4), 2)
    p = Plan()
    litres = p.convert(gallons, "gal", "l")
    p.calculate(f"{litres} * {price}")
    q = (f"A car's fuel tank holds {gallons:g} US gallons. Fuel costs ${price:.2f} per litre. "
         "How much does it cost to fill the empty tank, in dollars?")
    return q, p, "dollars"


def recipe_scale(rng: random.Random, level: int) -> Problem:
    cups, serves, want = _num(rng, 2, 5, level), rng.randint(3, 6), rng.randint(7, 20)
    p = Plan()
    scaled = p.calculate(f"{cups:g} * {want} / {serves}")
    p.convert(float(scaled), "cup", "ml")
    q = (f"A recipe uses {cups:g} cups of milk for {serves} servings. How many millilitres of "
         f"milk are needed for {want} servings (US cups)?")
    return q, p, "ml"


def burn_snack(rng: random.Random, level: int) -> Problem:
    kcal, rate = rng.randint(150, 650), _num(rng, 30, 60, level)
    p = Plan()
    kj = p.convert(float(kcal), "kcal", "kJ")
    p.calculate(f"{kj} / {rate:g}")
    q = (f"A snack bar contains {kcal} kcal. Jogging burns {rate:g} kJ per minute. "
         "How many minutes of jogging burn off the snack?")
    return q, p, "minutes"


def discount_tax(rng: random.Random, level: int) -> Problem:
    price, off, tax = _num(rng, 40, 400, level + 1), rng.choice([10, 15, 20, 25, 30, 35]), \
        rng.choice([5.5, 6.25, 7, 8.25, 8.875, 9.5])
    p = Plan()
    p.calculate(f"{price:g} * (1 - {off}/100) * (1 + {tax:g}/100)")
    q = (f"A jacket is priced at ${price:g}. It is discounted by {off}%, and then {tax:g}% "
         "sales tax is added to the discounted price. What is the final price in dollars?")
    return q, p, "dollars"


def ride_speed(rng: random.Random, level: int) -> Problem:
    miles, minutes = _num(rng, 6, 40, level), rng.randint(25, 150)
    p = Plan()
    km = p.convert(miles, "mi", "km")
    hours = p.convert(float(minutes), "min", "h")
    p.calculate(f"{km} / {hours}")
    q = (f"A cyclist rides {miles:g} miles in {minutes} minutes. "
         "What is her average speed in km/h?")
    return q, p, "km/h"


def run_time(rng: random.Random, level: int) -> Problem:
    km, pace = _num(rng, 5, 42, level), round(rng.uniform(6.5, 11.5), 1)
    p = Plan()
    mi = p.convert(km, "km", "mi")
    p.calculate(f"{mi} * {pace:g}")
    q = (f"A runner keeps a pace of {pace:g} minutes per mile over a {km:g} km course. "
         "How many minutes does the course take?")
    return q, p, "minutes"


def oven(rng: random.Random, level: int) -> Problem:
    start, hotter = rng.randrange(300, 450, 5), rng.randint(10, 40)
    p = Plan()
    c = p.convert(float(start), "F", "C")
    target = p.calculate(f"{c} + {hotter}")
    p.convert(float(target), "C", "F")
    q = (f"An oven is set to {start} °F. The recipe needs it {hotter} °C hotter. "
         "What should the new setting be, in °F?")
    return q, p, "°F"


def flooring(rng: random.Random, level: int) -> Problem:
    a, b, price = _num(rng, 9, 24, level), _num(rng, 8, 18, level), rng.randint(18, 65)
    p = Plan()
    ft2 = p.calculate(f"{a:g} * {b:g}")
    m2 = p.convert(float(ft2), "ft2", "m2")
    p.calculate(f"{m2} * {price}")
    q = (f"A room measures {a:g} ft by {b:g} ft. Flooring costs ${price} per square metre. "
         "How much does it cost to cover the floor, in dollars?")
    return q, p, "dollars"


def parcels(rng: random.Random, level: int) -> Problem:
    lb, oz, g = _num(rng, 2, 15, level), rng.randint(3, 15), rng.randint(200, 1900)
    p = Plan()
    a = p.convert(lb, "lb", "kg")
    b = p.convert(float(oz), "oz", "kg")
    c = p.convert(float(g), "g", "kg")
    p.calculate(f"{a} + {b} + {c}")
    q = (f"Three parcels weigh {lb:g} lb, {oz} oz and {g} g. "
         "What is their total mass in kilograms?")
    return q, p, "kg"


def round_trip(rng: random.Random, level: int) -> Problem:
    nmi, out_kn, back_kn = rng.randint(12, 60), rng.randint(8, 20), rng.randint(8, 20)
    p = Plan()
    km = p.convert(float(nmi), "nmi", "km")
    out_kmh = p.convert(float(out_kn), "knot", "km/h")
    back_kmh = p.convert(float(back_kn), "knot", "km/h")
    p.calculate(f"2 * {km} / ({km} / {out_kmh} + {km} / {back_kmh})")
    q = (f"A ferry crosses {nmi} nautical miles at {out_kn} knots and returns at {back_kn} "
         "knots. What is its average speed over the round trip, in km/h?")
    return q, p, "km/h"


WRITERS: dict[int, list[Writer]] = {
    1: [fuel_cost, recipe_scale, burn_snack, discount_tax],
    2: [ride_speed, run_time, oven, flooring],
    3: [parcels, round_trip, ride_speed, flooring, oven],
}
