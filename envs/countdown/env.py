"""The `countdown` env: reach a target with + - * / and parentheses, each number at most once.

The expression is parsed with `ast` and evaluated by hand over exact fractions: never `eval`.
The generator builds a random expression tree over the drawn numbers, so every instance is
solvable by construction, and stores that expression as the gold.
"""
from __future__ import annotations

import ast
import random
import re
from collections import Counter
from fractions import Fraction
from typing import Any

from gymkit import BaseEnv, Score, Task
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.verifiers.math_answer import extract_boxed_answers

MAX_EXPR_CHARS = 300
_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
LEVELS = {1: (3, 10), 2: (4, 25), 3: (5, 100)}  # difficulty -> (how many numbers, largest)


class ExprError(ValueError):
    """The answer is not a legal countdown expression (says why)."""


def evaluate(node: ast.AST, used: list[int]) -> Fraction:
    """Exact value of an arithmetic AST; integer literals are appended to `used`."""
    if isinstance(node, ast.Expression):
        return evaluate(node.body, used)
    if isinstance(node, ast.Constant) and type(node.value) is int:
        used.append(node.value)
        return Fraction(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = evaluate(node.left, used), evaluate(node.right, used)
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if b == 0:
            raise ExprError("division by zero")
        return a / b
    raise ExprError(f"only integers, + - * / and parentheses are allowed, not {type(node).__name__}")


def check_expression(text: str, numbers: list[int], target: int) -> tuple[bool, str]:
    """Is `text` an expression over `numbers` (each used at most once) equal to `target`?"""
    expr, *stated = text.strip().split("=")  # `3*4+5 = 17` states the result; the left side counts
    if len(stated) > 1:
        return False, "a chain of equations, not one expression"
    if stated and stated[0].replace("$", "").strip().rstrip(".").strip() != str(target):
        # `8 - 2 = 7`: the right side must be the target itself, not a false claim
        return False, f"states a result other than the target {target}"
    expr = expr.replace("\\times", "*").replace("\\cdot", "*").replace("×", "*").replace("÷", "/")
    expr = expr.replace("\\div", "/").replace("\\left", "").replace("\\right", "").replace("−", "-")
    expr = expr.replace("$", "").strip()
    for _ in range(8):  # \frac{a}{b} -> (a)/(b), innermost first; deeper nesting stays refused
        expr, n = _FRAC.subn(r"(\1)/(\2)", expr)
        if not n:
            break
    if not expr or len(expr) > MAX_EXPR_CHARS or not re.fullmatch(r"[\d\s+\-*/()]+", expr):
        return False, "not an arithmetic expression over the given numbers"
    if "**" in expr or "//" in expr:
        return False, "only + - * / are allowed"
    try:
        tree = ast.parse(expr, mode="eval")
        used: list[int] = []
        value = evaluate(tree, used)
    except (SyntaxError, RecursionError, ExprError) as e:
        return False, f"invalid expression: {e}"
    extra = Counter(used) - Counter(numbers)
    if extra:
        return False, f"uses numbers not available: {sorted(extra.elements())}"
    if value != target:
        return False, f"evaluates to {value}, not {target}"
    return True, "reaches the target"


def _random_expression(rng: random.Random, numbers: list[int]) -> tuple[str, Fraction]:
    """Combine all `numbers` into one expression with random ops (no division by zero)."""
    items = [(str(n), Fraction(n)) for n in numbers]
    while len(items) > 1:
        (ta, a), (tb, b) = items.pop(rng.randrange(len(items))), items.pop(rng.randrange(len(items)))
        ops = ["+", "-", "*"] + (["/"] if b != 0 and (a / b).denominator == 1 else [])
        op = rng.choice(ops)
        val = {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else a}[op]
        items.append((f"({ta} {op} {tb})", val))
    return items[0]


@register_env
class CountdownEnv(BaseEnv):
    """Reach the target number with the given numbers (each at most once) and + - * /."""

    name = "countdown"
    family = "math"
    verifier = "boxed expression parsed to an AST, exact rational evaluation, multiset of numbers"
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        count, top = LEVELS[difficulty]
        while True:  # redraw until the target is a positive integer (a few tries at most)
            numbers = [rng.randint(1, top) for _ in range(count)]
            expr, value = _random_expression(rng, numbers)
            if value.denominator == 1 and 0 < value <= 10 * top * top:
                break
        target = int(value)
        return self._task(f"countdown-{difficulty}-{index}", numbers, target, expr[1:-1])

    def _task(self, task_id: str, numbers: list[int], target: int, gold: str | None) -> Task:
        prompt = (f"Using the numbers {numbers}, make an expression that equals {target}. Use "
                  "+, -, *, / and parentheses; use each number at most once (you need not use "
                  "all). Put only the expression in \\boxed{}, e.g. \\boxed{(1 + 2) * 3}.")
        return Task(id=task_id, env=self.name, prompt=[{"role": "user", "content": prompt}],
                    data={"numbers": numbers, "target": target, "gold_expression": gold},
                    gold=[{"role": "assistant", "content": f"\\boxed{{{gold}}}"}] if gold else None)

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Countdown rows: `{numbers|nums, target}` (TinyZero / Countdown-Tasks style)."""
        if "prompt" in row and "env" in row:
            return super().task_from_row(row, index)
        nums, target = row.get("numbers", row.get("nums")), row.get("target")
        if not isinstance(nums, list) or not all(isinstance(n, int) for n in nums) or \
                not isinstance(target, int):
            raise GymkitError(f"countdown row {index} needs `numbers` (list of int) and `target` "
                              f"(int); it has keys {sorted(row)}")
        gold = row.get("solution") or row.get("gold_expression")
        if gold is not None and not check_expression(str(gold), nums, target)[0]:
            raise GymkitError(f"countdown row {index}: its solution {gold!r} does not reach {target}")
        return self._task(f"countdown-row-{index}", nums, target, gold)

    def score(self, task: Task, response: str) -> Score:
        ex = extract_boxed_answers(response)
        if not ex.ok:
            return Score.wrong(ex.reason or "no answer")
        if len(ex.answers) > 1:
            return Score.wrong("several different boxed expressions (hedging)")
        ok, why = check_expression(ex.answers[0], task.data["numbers"], task.data["target"])
        return Score.correct(answer=ex.answers[0][:200]) if ok else Score.wrong(why, answer=ex.answers[0][:200])
