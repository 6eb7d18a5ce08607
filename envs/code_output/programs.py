"""Seeded Python programs with deterministic output, built from snippet templates.

Every snippet prints something and uses its own variable names (suffix `_{k}`), so snippets
combine freely. No sets of strings are printed (their order depends on the hash seed), no
time, no randomness, no I/O besides print: the output is a function of the text alone.
"""
from __future__ import annotations

import random
from collections.abc import Callable

Snippet = Callable[[random.Random, int], str]
WORDS = ["apple", "river", "stone", "cloud", "tiger", "lemon", "orbit", "pixel", "maple"]


def loop_accumulate(rng: random.Random, k: int) -> str:
    a, n, m, d = rng.randint(-5, 20), rng.randint(3, 9), rng.randint(1, 6), rng.randint(2, 4)
    return (f"total_{k} = {a}\nfor i in range({n}):\n    if i % {d} == 0:\n"
            f"        total_{k} += i * {m}\n    else:\n        total_{k} -= {m}\nprint(total_{k})\n")


def string_slices(rng: random.Random, k: int) -> str:
    w = rng.choice(WORDS) + rng.choice(WORDS)
    a, b, step = rng.randint(0, 3), rng.randint(4, 9), rng.choice([1, 2, 3, -1])
    return (f"s_{k} = {w!r}\nprint(s_{k}[{a}:{b}:{step}], s_{k}[::-1][:{a + 2}].upper(), "
            f"len(s_{k}) * {rng.randint(2, 5)})\n")


def int_division(rng: random.Random, k: int) -> str:
    a, b = rng.randint(-30, 30), rng.choice([-7, -4, -3, 2, 3, 5, 6])
    return f"a_{k}, b_{k} = {a}, {b}\nprint(a_{k} // b_{k}, a_{k} % b_{k}, -a_{k} // b_{k}, divmod(a_{k}, b_{k}))\n"


def sort_by_key(rng: random.Random, k: int) -> str:
    xs = [rng.randint(-9, 20) for _ in range(rng.randint(4, 7))]
    m, top = rng.randint(2, 5), rng.randint(2, 4)
    return (f"xs_{k} = {xs}\nxs_{k}.sort(key=lambda v: (v % {m}, -v))\n"
            f"print(xs_{k}[:{top}], sum(xs_{k}[{top}:]))\n")


def dict_count(rng: random.Random, k: int) -> str:
    text = "".join(rng.choice("abcab ") for _ in range(rng.randint(6, 12)))
    return (f"counts_{k} = {{}}\nfor ch in {text!r}:\n    if ch != ' ':\n"
            f"        counts_{k}[ch] = counts_{k}.get(ch, 0) + 1\n"
            f"print(sorted(counts_{k}.items(), key=lambda kv: (-kv[1], kv[0])))\n")


def collatz(rng: random.Random, k: int) -> str:
    n = rng.randint(3, 40)
    return (f"n_{k}, steps_{k} = {n}, 0\nwhile n_{k} != 1:\n"
            f"    n_{k} = n_{k} // 2 if n_{k} % 2 == 0 else 3 * n_{k} + 1\n"
            f"    steps_{k} += 1\nprint(steps_{k})\n")


def recursion(rng: random.Random, k: int) -> str:
    c, n = rng.randint(1, 3), rng.randint(4, 9)
    return (f"def f_{k}(n):\n    if n < 2:\n        return n\n"
            f"    return f_{k}(n - 1) + {c} * f_{k}(n - 2)\nprint([f_{k}(i) for i in range({n})][-3:])\n")


def formatting(rng: random.Random, k: int) -> str:
    a, b, c = rng.randint(1, 999), rng.randint(1, 9999) / 100, rng.randint(10, 4095)
    w = rng.randint(5, 8)
    return f"print(f'{{{a}:>{w}}}|{{{b}:.1f}}|{{{c}:x}}|{{{a}:0{w}d}}')\n"


def exceptions(rng: random.Random, k: int) -> str:
    xs = [rng.randint(0, 9) for _ in range(rng.randint(2, 5))]
    idx = rng.randint(0, 7)
    div = rng.choice([0, 1, 2])
    return (f"xs_{k} = {xs}\ntry:\n    v_{k} = xs_{k}[{idx}] // {div}\n    print('got', v_{k})\n"
            f"except IndexError:\n    print('index', {idx}, 'out of range')\n"
            f"except ZeroDivisionError as e:\n    print('zero:', e)\nfinally:\n    print('done')\n")


def zip_enumerate(rng: random.Random, k: int) -> str:
    xs = [rng.randint(1, 9) for _ in range(4)]
    ys = [rng.randint(1, 9) for _ in range(rng.randint(3, 5))]
    t = rng.randint(5, 30)
    return (f"for i, (a, b) in enumerate(zip({xs}, {ys})):\n    if a * b > {t}:\n"
            f"        print(i, a * b)\n    elif a == b:\n        break\nelse:\n    print('no break')\n")


def generators(rng: random.Random, k: int) -> str:
    n, m = rng.randint(5, 12), rng.randint(2, 4)
    return (f"def gen_{k}(n):\n    for i in range(n):\n        if i % {m}:\n            yield i * i\n"
            f"g_{k} = gen_{k}({n})\nprint(next(g_{k}), list(g_{k})[-2:], sum(gen_{k}({n})))\n")


LEVELS: dict[int, tuple[list[Snippet], int]] = {  # (snippet pool, snippets per program)
    1: ([loop_accumulate, string_slices, int_division, formatting], 1),
    2: ([loop_accumulate, string_slices, int_division, sort_by_key, dict_count, collatz,
         formatting, zip_enumerate], 2),
    3: ([sort_by_key, dict_count, recursion, exceptions, zip_enumerate, generators, collatz,
         int_division], 3),
}


def make_program(rng: random.Random, difficulty: int) -> str:
    """A program of one to three snippets, drawn without repetition."""
    pool, count = LEVELS[difficulty]
    return "\n".join(s(rng, k) for k, s in enumerate(rng.sample(pool, count)))
