"""Did the final answer come out of the `python` tool? Static rules on each call's code.

A call *grounds* a value v (the gold, once the boxed answer matched it) when all hold:
1. the run ended `ok` (exit code 0, no timeout, no memory kill);
2. its stdout (the part the model was shown) prints v as a number, to the task's precision,
   on its last line that holds numbers, a line of at most MAX_LAST_LINE numbers besides the
   question's (`print(f'from {a} to {b}: {days}')` is fine), and the
   whole stdout holds at most MAX_NEW_PRINTED distinct numbers that are not the question's
   own (printing `range(228, 240)`, one per line or all on one, sprays candidates; it does
   not compute one);
3. the code does not spell v: no number literal, and no number inside a string literal,
   equals v (unless v is one of the question's own numbers: then it is data);
4. the code computes: it holds an operation, a call other than print, a loop, a
   comprehension or a subscript, not only `print(<constant>)`;
5. the code reads the problem: its literals include one of the question's numbers (when the
   question has any), or a number an earlier *sound* call printed;
6. the code invents no numbers: every number literal is a question number (or one off it,
   as in `range(1, n + 1)`), a number an earlier sound call printed, or a small constant
   (integers up to 12, powers of ten and 10^k - 1, 24, 60, 365, ...). `41 + 1` cannot smuggle in 42.
A *sound* call meets 1, 4, 5 and 6; its printed numbers become known for later calls.
"""
from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field
from fractions import Fraction

# integers up to 12, powers of ten and the calendar/clock constants code uses unprompted
SMALL = frozenset([Fraction(k) for k in range(13)] + [Fraction(10) ** k for k in range(-12, 13)]
                  + [Fraction(k) for k in (24, 52, 60, 100, 360, 365, 366, 1440, 3600, 86400)]
                  + [Fraction(10) ** k - 1 for k in range(1, 13)]  # 99999 ends a range
                  + [Fraction(1, 2), Fraction(1, 4), Fraction(3, 4)])
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:/\d+)?")
_WORK = (ast.BinOp, ast.AugAssign, ast.For, ast.While, ast.comprehension, ast.Subscript,
         ast.BoolOp, ast.Compare, ast.Lambda)
MAX_NUMBERS = 2000  # numbers read from one code or output: more is a flood, not data
MAX_NEW_PRINTED = 20  # a few intermediate values and the answer; more is a spray
MAX_LAST_LINE = 4  # `print('mean', m, 'of', n)`: the result line names one value, not a list


def to_fraction(token: str) -> Fraction | None:
    """An exact value for a number token (`12`, `-3.50`, `1e3`, `3/8`), or None."""
    try:
        if "/" in token:
            a, b = token.split("/")
            return Fraction(a) / Fraction(b) if Fraction(b) else None
        if len(token) > 60:
            return None
        return Fraction(token)
    except (ValueError, ZeroDivisionError):
        return None


def numbers_in(text: str) -> list[Fraction]:
    """Every number token in `text` (at most MAX_NUMBERS)."""
    out = []
    for m in _NUMBER.finditer(text):
        v = to_fraction(m.group())
        if v is not None:
            out.append(abs(v))
            if len(out) >= MAX_NUMBERS:
                break
    return out


@dataclass
class CodeFacts:
    """What the static rules need to know about one program."""

    parsed: bool
    literals: list[Fraction] = field(default_factory=list)
    computes: bool = False


def code_facts(code: str) -> CodeFacts:
    """Literals (numbers, and numbers inside strings) and whether the code does any work."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return CodeFacts(parsed=False)
    lits: list[Fraction] = []
    computes = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or v is None:
                continue
            if isinstance(v, (int, float)):
                try:
                    lits.append(abs(Fraction(v)))
                except (ValueError, OverflowError):  # inf / nan written as 1e999
                    lits.append(Fraction(10) ** 400)
            elif isinstance(v, str):
                lits.extend(numbers_in(v))
        elif isinstance(node, _WORK):
            computes = True
        elif isinstance(node, ast.Call):
            f = node.func
            if not (isinstance(f, ast.Name) and f.id in ("print", "str", "repr", "format")):
                computes = True
        if len(lits) > MAX_NUMBERS:
            break
    return CodeFacts(parsed=True, literals=lits, computes=computes)


def close(value: Fraction, target: Fraction, tol: Fraction) -> bool:
    return abs(value - target) <= tol


class KnownNumbers:
    """Numbers printed by earlier sound calls, matched as a copy may have rounded them (to 6
    significant digits). Sorted, so each lookup is a bisection: a call with 2,000 literals
    against thousands of earlier numbers stays in milliseconds."""

    def __init__(self, values: list[Fraction]) -> None:
        self.values = sorted({float(v) for v in values})

    def __contains__(self, v: Fraction) -> bool:
        x = float(v)
        tol = max(abs(x) * 1.000001e-6, 1e-9)
        i = bisect.bisect_left(self.values, x - tol)
        return i < len(self.values) and self.values[i] <= x + tol


@dataclass
class CallRecord:
    """One python call as the grounding rules see it (kept in the episode state, as JSON)."""

    ok: bool
    printed: list[str]  # number tokens of the shown stdout
    last_line: list[str]  # number tokens of its last line that holds any
    literals: list[str]
    computes: bool
    sound: bool

    def as_json(self) -> dict:
        return self.__dict__.copy()


def judge_call(code: str, ok: bool, stdout: str, question: list[Fraction],
               earlier: list[Fraction]) -> CallRecord:
    """Rules 1 and 4-6 for one call; `earlier` holds the numbers printed by earlier sound calls."""
    facts = code_facts(code)
    printed = numbers_in(stdout)
    lits, known, given = facts.literals, KnownNumbers(earlier), set(question)
    off_by_one = {q + d for q in given for d in (-1, 1)}
    reads = not given or any(lit in given or lit in known for lit in lits)
    invented = [lit for lit in lits if lit not in SMALL and lit not in given
                and lit not in off_by_one and lit not in known]
    sound = ok and facts.parsed and facts.computes and reads and not invented
    lines = [ln for ln in (numbers_in(x) for x in stdout.splitlines()[-200:]) if ln]
    return CallRecord(ok=ok, printed=[str(p) for p in printed],
                      last_line=[str(p) for p in (lines[-1] if lines else [])],
                      literals=[str(x) for x in lits],
                      computes=facts.computes, sound=sound)


def grounds(record: dict, gold: Fraction, tol: Fraction, question: list[Fraction]) -> bool:
    """Rules 2 and 3: a sound call printed the gold, and its code did not spell it."""
    if not record.get("sound"):
        return False
    printed = [Fraction(p) for p in record["printed"]]
    if len(set(printed) - set(question)) > MAX_NEW_PRINTED:
        return False
    last = [Fraction(p) for p in record.get("last_line", [])]
    if len(set(last) - set(question)) > MAX_LAST_LINE or not any(close(p, gold, tol) for p in last):
        return False
    if gold in question:  # the answer is a question number: literals equal to it are data
        return True
    return not any(close(Fraction(lit), gold, tol) for lit in record["literals"])
