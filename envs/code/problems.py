"""Problem templates for the `code` env. Each template draws its constants and test inputs
from the seed and gives a reference solution (source text, trusted: it is ours). Expected
outputs are computed by running the reference in-process at generation time."""
from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Problem:
    """A drawn problem: `kind` "function" (tests are calls of `fn`) or "stdio" (tests are
    stdin texts; the reference defines `main(text) -> str`)."""

    kind: str
    text: str
    ref: str
    fn: str = ""
    inputs: list = field(default_factory=list)  # function: argument tuples; stdio: stdin texts


def _ints(rng: random.Random, n: int, lo: int = -20, hi: int = 40) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(n)]


def _lists(rng: random.Random, count: int, lo: int = -20, hi: int = 40) -> list:
    return [(_ints(rng, rng.randint(0, 9), lo, hi),) for _ in range(count)] + [([],)]


# ------------------------------------------------------------------ level 1
def sum_divisible(rng: random.Random) -> Problem:
    k = rng.randint(2, 7)
    return Problem("function", f"Write a function `sum_divisible(nums)` that returns the sum of "
                   f"the integers in the list `nums` that are divisible by {k} (0 for none).",
                   f"def sum_divisible(nums):\n    return sum(x for x in nums if x % {k} == 0)\n",
                   "sum_divisible", _lists(rng, 7))


def count_chars(rng: random.Random) -> Problem:
    chars = "".join(sorted(rng.sample(string.ascii_lowercase, rng.randint(3, 5))))
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz  ") for _ in range(rng.randint(0, 14)))
             for _ in range(7)]
    return Problem("function", f"Write a function `count_chars(s)` that returns how many "
                   f"characters of the string `s` are one of the letters '{chars}' "
                   f"(lower-case only).",
                   f"def count_chars(s):\n    return sum(1 for c in s if c in {chars!r})\n",
                   "count_chars", [(w,) for w in words] + [("",)])


def reverse_words(rng: random.Random) -> Problem:
    sep = rng.choice([" ", ",", "-"])
    pool = ["red", "fox", "sky", "tree", "moon", "lake", "wind", "stone"]
    inputs = [(sep.join(rng.sample(pool, rng.randint(1, 5))),) for _ in range(6)] + [("",)]
    return Problem("function", f"Write a function `reverse_words(s)` that takes words joined by "
                   f"{sep!r} and returns them joined by {sep!r} in reverse order.",
                   f"def reverse_words(s):\n    return {sep!r}.join(reversed(s.split({sep!r})))\n",
                   "reverse_words", inputs)


def second_largest(rng: random.Random) -> Problem:
    inputs = _lists(rng, 7, -5, 9) + [([3, 3, 3],), ([4],)]
    return Problem("function", "Write a function `second_largest(nums)` that returns the second "
                   "largest distinct value in the list `nums`, or None when there are fewer "
                   "than two distinct values.",
                   "def second_largest(nums):\n    values = sorted(set(nums))\n"
                   "    return values[-2] if len(values) > 1 else None\n",
                   "second_largest", inputs)


def clamp_all(rng: random.Random) -> Problem:
    lo = rng.randint(-10, 5)
    hi = lo + rng.randint(3, 20)
    return Problem("function", f"Write a function `clamp_all(nums)` that returns a new list in "
                   f"which each value x of `nums` is replaced by {lo} if x < {lo}, by {hi} if "
                   f"x > {hi}, and kept otherwise.",
                   f"def clamp_all(nums):\n    return [min(max(x, {lo}), {hi}) for x in nums]\n",
                   "clamp_all", _lists(rng, 7))


# ------------------------------------------------------------------ level 2
def run_length(rng: random.Random) -> Problem:
    inputs = ["".join(rng.choice("ab" if i % 2 else "abc") * rng.randint(1, 4)
                      for _ in range(rng.randint(0, 6))) for i in range(7)]
    return Problem("function", "Write a function `run_length(s)` that encodes the string `s` as "
                   "a list of [character, count] pairs, one per maximal run of equal "
                   "characters, in order. Example: 'aab' gives [['a', 2], ['b', 1]].",
                   "def run_length(s):\n    out = []\n    for c in s:\n"
                   "        if out and out[-1][0] == c:\n            out[-1][1] += 1\n"
                   "        else:\n            out.append([c, 1])\n    return out\n",
                   "run_length", [(s,) for s in inputs])


def balanced(rng: random.Random) -> Problem:
    pairs = rng.sample(["()", "[]", "{}", "<>"], rng.randint(2, 3))
    alphabet = "".join(pairs) + "x"
    inputs = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10))) for _ in range(6)]
    inputs += ["".join(pairs), pairs[0][0] + pairs[1][0] + pairs[0][1] + pairs[1][1]]
    closers = {p[1]: p[0] for p in pairs}
    return Problem("function", f"Write a function `balanced(s)` that returns True when the "
                   f"brackets {' '.join(pairs)} in the string `s` are balanced and properly "
                   f"nested, and False otherwise. Other characters are ignored.",
                   f"def balanced(s):\n    closers = {closers!r}\n    stack = []\n"
                   f"    for c in s:\n        if c in closers.values():\n"
                   f"            stack.append(c)\n        elif c in closers:\n"
                   f"            if not stack or stack.pop() != closers[c]:\n"
                   f"                return False\n    return not stack\n",
                   "balanced", [(s,) for s in inputs])


def rotate(rng: random.Random) -> Problem:
    direction = rng.choice(["right", "left"])
    sign = "-" if direction == "right" else ""
    inputs = [(_ints(rng, rng.randint(0, 7)), rng.randint(-9, 15)) for _ in range(8)]
    return Problem("function", f"Write a function `rotate(nums, k)` that returns the list "
                   f"`nums` rotated {direction} by k positions (k may be negative, meaning the "
                   f"other direction, or larger than the length).",
                   f"def rotate(nums, k):\n    if not nums:\n        return []\n"
                   f"    k = ({sign}k) % len(nums)\n    return nums[k:] + nums[:k]\n",
                   "rotate", inputs)


def digit_root(rng: random.Random) -> Problem:
    base = rng.choice([2, 3, 5, 7, 10])
    inputs = [(rng.randint(0, 10 ** rng.randint(1, 7)),) for _ in range(8)] + [(0,)]
    return Problem("function", f"Write a function `digit_root(n)` that, for a non-negative "
                   f"integer n, repeatedly replaces n by the sum of its base-{base} digits "
                   f"until n < {base}, and returns it.",
                   f"def digit_root(n):\n    while n >= {base}:\n        total = 0\n"
                   f"        while n:\n            total += n % {base}\n            n //= {base}\n"
                   f"        n = total\n    return n\n",
                   "digit_root", inputs)


def pair_sums(rng: random.Random) -> Problem:
    inputs = []
    for _ in range(7):
        nums = _ints(rng, rng.randint(0, 8), -5, 12)
        inputs.append(f"{len(nums)} {rng.randint(-3, 15)}\n{' '.join(map(str, nums))}\n")
    return Problem("stdio", "Write a program that reads two integers n and t on the first line "
                   "of standard input and n integers on the second line, and prints the number "
                   "of index pairs i < j whose values sum to t.",
                   "def main(text):\n    n, t, *nums = map(int, text.split())\n    seen, count = {}, 0\n"
                   "    for x in nums:\n        count += seen.get(t - x, 0)\n"
                   "        seen[x] = seen.get(x, 0) + 1\n    return f'{count}\\n'\n", "", inputs)


# ------------------------------------------------------------------ level 3: programs
def grid_path(rng: random.Random) -> Problem:
    inputs = []
    for _ in range(7):
        r, c = rng.randint(2, 7), rng.randint(2, 7)
        rows = ["".join("#" if rng.random() < 0.3 else "." for _ in range(c)) for _ in range(r)]
        rows[0] = "." + rows[0][1:]
        rows[-1] = rows[-1][:-1] + "."
        inputs.append(f"{r} {c}\n" + "\n".join(rows) + "\n")
    return Problem("stdio", "Write a program that reads R and C, then R lines of C characters "
                   "('.' free, '#' wall), and prints the fewest moves (up, down, left, right) "
                   "from the top-left to the bottom-right cell, or -1 if it cannot be reached.",
                   "from collections import deque\n\n\ndef main(text):\n"
                   "    head, *rows = text.split()\n    r, c = int(head), int(rows[0])\n"
                   "    grid = rows[1:]\n    dist = {(0, 0): 0}\n    queue = deque([(0, 0)])\n"
                   "    while queue:\n        y, x = queue.popleft()\n"
                   "        for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):\n"
                   "            if 0 <= ny < r and 0 <= nx < c and grid[ny][nx] == '.' "
                   "and (ny, nx) not in dist:\n"
                   "                dist[(ny, nx)] = dist[(y, x)] + 1\n"
                   "                queue.append((ny, nx))\n"
                   "    return f'{dist.get((r - 1, c - 1), -1)}\\n'\n", "", inputs)


def merge_intervals(rng: random.Random) -> Problem:
    inputs = []
    for _ in range(7):
        spans = [(a, a + rng.randint(0, 6)) for a in (rng.randint(0, 30) for _ in range(rng.randint(1, 7)))]
        inputs.append(f"{len(spans)}\n" + "".join(f"{a} {b}\n" for a, b in spans))
    touching = rng.choice([True, False])
    rule = "overlap or touch (share an end point)" if touching else "overlap by more than a point"
    op = "<=" if touching else "<"
    return Problem("stdio", f"Write a program that reads n, then n lines 'a b' (closed intervals "
                   f"with a <= b), merges intervals that {rule}, and prints the merged "
                   f"intervals sorted by start, one 'a b' per line.",
                   f"def main(text):\n    nums = list(map(int, text.split()))[1:]\n"
                   f"    spans = sorted(zip(nums[0::2], nums[1::2]))\n    out = []\n"
                   f"    for a, b in spans:\n        if out and a {op} out[-1][1]:\n"
                   f"            out[-1][1] = max(out[-1][1], b)\n        else:\n"
                   f"            out.append([a, b])\n"
                   f"    return ''.join(f'{{a}} {{b}}\\n' for a, b in out)\n", "", inputs)


def longest_run(rng: random.Random) -> Problem:
    strict = rng.choice([True, False])
    inputs = [" ".join(map(str, _ints(rng, rng.randint(1, 12), 0, 9))) + "\n" for _ in range(7)]
    word, op = ("strictly increasing", ">") if strict else ("non-decreasing", ">=")
    return Problem("stdio", f"Write a program that reads integers separated by spaces from one "
                   f"line of standard input and prints the length of the longest {word} "
                   f"subsequence (not necessarily contiguous).",
                   f"def main(text):\n    nums = list(map(int, text.split()))\n"
                   f"    best = [1] * len(nums)\n    for i in range(len(nums)):\n"
                   f"        for j in range(i):\n            if nums[i] {op} nums[j]:\n"
                   f"                best[i] = max(best[i], best[j] + 1)\n"
                   f"    return f'{{max(best, default=0)}}\\n'\n", "", inputs)


TEMPLATES: dict[int, list[Callable[[random.Random], Problem]]] = {
    1: [sum_divisible, count_chars, reverse_words, second_largest, clamp_all],
    2: [run_length, balanced, rotate, digit_root, pair_sums],
    3: [grid_path, merge_intervals, longest_run],
}
