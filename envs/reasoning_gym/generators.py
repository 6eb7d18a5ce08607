"""The reasoning-gym generators gymkit vets: answer kind, difficulty knobs, and a gold audit.

Each entry says how to read an answer (`kind`, see `answers.py`), which of the generator's
config fields each gymkit difficulty sets, and `audit(entry)`: the gold recomputed from the
entry's metadata without the library's code. An entry whose audit fails is redrawn (basic
arithmetic stores floor-division results for about 1% of its expressions: `-1 / -(27)` has
gold `-1`), and a dataset row that fails it is skipped.
"""
from __future__ import annotations

import ast
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Callable

Entry = dict[str, Any]


@dataclass(frozen=True)
class Generator:
    """One vetted reasoning-gym generator."""

    kind: str  # number | base_digits | word | word_list | number_list | factors
    levels: dict[int, dict[str, Any]]  # gymkit difficulty -> the generator's config fields
    audit: Callable[[Entry], str | None]  # why the entry's gold is wrong, or None


class _NotArithmetic(ValueError):
    """An expression node outside + - * / on integers."""


def exact_value(expr: str) -> Fraction:
    """The exact value of an integer expression with + - * / (true division) and unary minus."""
    def ev(n: ast.AST) -> Fraction:
        if isinstance(n, ast.Constant) and type(n.value) is int:
            return Fraction(n.value)
        if isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
            return -ev(n.operand) if isinstance(n.op, ast.USub) else ev(n.operand)
        if isinstance(n, ast.BinOp) and isinstance(n.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            a, b = ev(n.left), ev(n.right)
            if isinstance(n.op, ast.Div):
                if b == 0:
                    raise _NotArithmetic("division by zero")
                return a / b
            if isinstance(n.op, ast.Mult):
                return a * b
            return a + b if isinstance(n.op, ast.Add) else a - b
        raise _NotArithmetic(type(n).__name__)

    return ev(ast.parse(expr, mode="eval").body)


def _int(text: Any) -> int | None:
    return int(text) if isinstance(text, str) and re.fullmatch(r"-?\d{1,60}", text) else None


def _expression_gold(entry: Entry) -> str | None:
    try:
        value = exact_value(str(entry["metadata"]["expression"]))
    except (_NotArithmetic, SyntaxError, RecursionError, KeyError):
        return "its expression is not plain integer arithmetic"
    gold = _int(entry["answer"])
    if value.denominator != 1 or gold != value:
        return f"gold {entry['answer']} but the expression is exactly {value}"
    return None


def _gcd_gold(entry: Entry) -> str | None:
    nums = entry["metadata"]["numbers"]
    return None if _int(entry["answer"]) == math.gcd(*nums) else "gold is not the gcd"


def _legs_gold(entry: Entry) -> str | None:
    meta = entry["metadata"]
    return None if _int(entry["answer"]) == meta["total_legs"] else "gold differs from total_legs"


def _letters_gold(entry: Entry) -> str | None:
    meta = entry["metadata"]
    letter, span = meta["target_letter"], meta["span"]
    if any(letter.upper() in w for w in span) and letter.upper() != letter:
        # the library counts "T" for "t": a reader who counts case-sensitively differs
        return "the letter also appears in upper case (ambiguous count)"
    return None if _int(entry["answer"]) == sum(w.count(letter) for w in span) else "miscount"


def _equation_gold(entry: Entry) -> str | None:
    import sympy

    meta = entry["metadata"]
    x, value = sympy.Symbol(meta["variable"]), _int(entry["answer"])
    lhs, _, rhs = str(meta["equation"]).partition("=")
    try:
        left, right = sympy.sympify(lhs, locals={meta["variable"]: x}), sympy.sympify(rhs)
        poly = sympy.Poly(left - right, x)
    except (sympy.SympifyError, sympy.PolynomialError, SyntaxError, TypeError):
        return "the equation does not parse as a polynomial"
    if value is None or poly.degree() != 1 or poly.eval(value) != 0:
        return "the gold does not solve a linear equation"
    return None


def _gsm_gold(entry: Entry) -> str | None:
    value = entry["metadata"].get("answer_value")
    try:
        gold = Decimal(str(entry["answer"]))
    except InvalidOperation:
        return "gold is not a number"
    # the library's scorer reads `-4` as 4 (its regex starts at a word boundary): no negatives
    if not gold.is_finite() or gold < 0 or not isinstance(value, (int, float)) or value != gold:
        return "gold is not the stored non-negative answer_value"
    return None


def _digits(value: int, base: int) -> str:
    out = ""
    while value:
        value, d = divmod(value, base)
        out = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + out
    return out or "0"


def _base_gold(entry: Entry) -> str | None:
    m = entry["metadata"]
    if not m["source_repr"] or int(m["source_repr"], m["source_base"]) != m["decimal_value"]:
        return "source numeral does not spell the value"
    return None if entry["answer"] == _digits(m["decimal_value"], m["target_base"]) else "bad gold"


def _words_gold(entry: Entry) -> str | None:
    m = entry["metadata"]
    words = m["transformed_words"]
    expect = sorted(words, reverse=m["direction"] == "descending")
    if len(set(words)) != len(words) or not all(re.fullmatch(r"\w+", w) for w in words):
        return "repeated words, or words with separators"
    ok = m["sorted_words"] == expect and entry["answer"] == ", ".join(expect)
    return None if ok else "gold is not the words sorted"


def _backward_gold(entry: Entry) -> str | None:
    word = entry["metadata"]["word"]
    ok = re.fullmatch(r"\w+", word) and entry["answer"] == word[::-1]
    return None if ok else "gold is not the word reversed"


def _numbers_gold(entry: Entry) -> str | None:
    m = entry["metadata"]
    try:
        given = sorted((Decimal(x) for x in m["original_numbers"]),
                       reverse=m["direction"] == "descending")
        gold = [Decimal(x) for x in m["sorted_numbers"]]
    except (InvalidOperation, TypeError):
        return "numbers do not parse"
    if gold != given or not all(d.is_finite() for d in gold):
        return "sorted_numbers is not the given numbers sorted"
    ok = entry["answer"] == str(list(m["sorted_numbers"]))
    return None if ok else "answer differs from metadata"


def _is_prime(n: int) -> bool:
    return n > 1 and all(n % p for p in range(2, math.isqrt(n) + 1))


def _factors_gold(entry: Entry) -> str | None:
    m = entry["metadata"]
    factors = [int(f) for f in str(entry["answer"]).split(" × ")]
    ok = math.prod(factors) == m["number"] and factors == sorted(factors)
    ok = ok and all(map(_is_prime, factors))
    return None if ok else "gold is not the sorted prime factorization"


GENERATORS: dict[str, Generator] = {
    "basic_arithmetic": Generator("number", {
        1: dict(min_terms=2, max_terms=3, min_digits=1, max_digits=2),
        2: dict(min_terms=3, max_terms=4, min_digits=1, max_digits=3),
        3: dict(min_terms=4, max_terms=6, min_digits=2, max_digits=4)}, _expression_gold),
    "chain_sum": Generator("number", {
        1: dict(min_terms=2, max_terms=3, min_digits=1, max_digits=2),
        2: dict(min_terms=3, max_terms=5, min_digits=1, max_digits=3),
        3: dict(min_terms=4, max_terms=8, min_digits=2, max_digits=5, allow_negation=True)},
        _expression_gold),
    "gcd": Generator("number", {
        1: dict(min_numbers=2, max_numbers=2, min_value=1, max_value=100),
        2: dict(min_numbers=2, max_numbers=2, min_value=1, max_value=1000),
        3: dict(min_numbers=2, max_numbers=3, min_value=1, max_value=10000)}, _gcd_gold),
    "leg_counting": Generator("number", {
        1: dict(min_animals=2, max_animals=3, min_instances=1, max_instances=5),
        2: dict(min_animals=3, max_animals=6, min_instances=1, max_instances=15),
        3: dict(min_animals=6, max_animals=12, min_instances=1, max_instances=50)}, _legs_gold),
    "letter_counting": Generator("number", {
        1: dict(min_words=5, max_words=7), 2: dict(min_words=7, max_words=11),
        3: dict(min_words=11, max_words=15)}, _letters_gold),
    "simple_equations": Generator("number", {
        1: dict(min_terms=2, max_terms=3, min_value=1, max_value=20),
        2: dict(min_terms=2, max_terms=4, min_value=1, max_value=100),
        3: dict(min_terms=3, max_terms=5, min_value=1, max_value=1000)}, _equation_gold),
    "gsm_symbolic": Generator("number", {1: {}, 2: {}, 3: {}}, _gsm_gold),
    "base_conversion": Generator("base_digits", {
        1: dict(min_base=2, max_base=10, min_value=0, max_value=100),
        2: dict(min_base=2, max_base=16, min_value=0, max_value=1000),
        3: dict(min_base=2, max_base=36, min_value=0, max_value=100000)}, _base_gold),
    "word_sorting": Generator("word_list", {
        1: dict(min_words=3, max_words=5), 2: dict(min_words=5, max_words=10),
        3: dict(min_words=10, max_words=20)}, _words_gold),
    "spell_backward": Generator("word", {
        1: dict(min_word_len=3, max_word_len=5), 2: dict(min_word_len=5, max_word_len=8),
        3: dict(min_word_len=8, max_word_len=10)}, _backward_gold),
    "number_sorting": Generator("number_list", {
        1: dict(min_numbers=3, max_numbers=5, min_decimals=0, max_decimals=1),
        2: dict(min_numbers=5, max_numbers=10, min_decimals=0, max_decimals=2),
        3: dict(min_numbers=10, max_numbers=20, min_decimals=1, max_decimals=3,
                min_value=-1000.0, max_value=1000.0)}, _numbers_gold),
    "prime_factorization": Generator("factors", {
        1: dict(min_value=2, max_value=100), 2: dict(min_value=2, max_value=1000),
        3: dict(min_value=1000, max_value=10000)}, _factors_gold),
}
