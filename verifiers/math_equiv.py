"""Is a final answer equal to the gold? math-verify first, a sympy fallback, exact numbers.

All parsing and comparison runs in a warm `IsolatedWorker` with a hard timeout: math-verify's
own timeouts (`signal.alarm`) only work in a main thread, and power towers hang it, so it is
called with `parsing_timeout=None, timeout_seconds=None`. A timeout is status `timeout` (no
verdict), never `wrong`.

Order of checks for one (gold, answer) pair (gold always goes first: math-verify is asymmetric):
1. clean both: unicode minus, thousands separators (`1,234`, `1{,}234`, `1\\,234`), scientific
   notation (`1.2e5`), `or`/`and` between values (a hedge becomes a set, which fails a scalar gold);
2. both plain numbers (`-12`, `0.5`, `3/4`): exact rational comparison (0.5 = 1/2, 0.333 != 1/3);
3. gold a word (`Monday`): case-insensitive text comparison (math-verify reads words as products
   of symbols, so `Dynamo` would equal `Monday`);
4. math-verify `parse` + `verify`; when it says equal, numbers are re-checked exactly or to 40
   significant digits, because it compares tiny values too tolerantly (1/2004! vs 1/2006!) and
   rounds decimals (0.333333 vs 1/3);
5. if math-verify could not parse or said no: `symbolic.parse_math` on both and `equivalent`.
Percent: `25\\%` is 0.25; it also counts as 25 when the gold carries `%` or the question asks
for a percent.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from fractions import Fraction

from gymkit.types import Score

from .isolated import CallTimeout, IsolatedError, shared_worker
from .math_answer import extract_boxed_answers, normalize_answer_text

VERIFY_TIMEOUT = 5.0  # seconds per response: generous for sympy, short for a hung worker
_NUM = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
_FRAC = re.compile(r"([-+]?)\\[dt]?frac\{(\d+)\}\{(\d+)\}|([-+]?\d+)/(\d+)")
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d+)?")
_WORD = re.compile(r"[A-Za-z][A-Za-z \-']*[A-Za-z]")
_MATH_WORDS = {"pi", "sin", "cos", "tan", "log", "ln", "exp", "sqrt", "infty", "inf", "oo"}


@dataclass
class Verdict:
    """The outcome of comparing answers with a gold: status plus a short reason."""

    status: str  # correct | wrong | timeout | error
    reason: str = ""


def clean_answer(s: str) -> str:
    """Spellings that math-verify misreads, rewritten to ones it reads (see module docstring)."""
    s = s.strip().replace("−", "-").replace("\\!", "")
    s = re.sub(r"^\\text\{\s*([^{}]*)\}$", r"\1", s).strip()
    s = re.sub(r"(?<=\d)(\{,\}|\\,|\\ |\\;|~)(?=\d{3}\b)", ",", s)
    bare = s.replace(" ", "")
    if _THOUSANDS.fullmatch(bare.lstrip("\\$").rstrip(".")):
        s = bare.replace(",", "")
    s = re.sub(r"^([-+]?\d+(?:\.\d+)?)\s*[eE]\s*([-+]?\d+)$", r"\1\\times10^{\2}", s)
    s = re.sub(r"\\text\{\s*(or|and)\s*\}|\s(or|and)\s", ",", s)
    return s.rstrip(".").strip()


def _rational(s: str) -> Fraction | None:
    t = s.replace(" ", "").strip("$").removeprefix("\\$")
    if _NUM.fullmatch(t):
        return Fraction(t)
    m = _FRAC.fullmatch(t)
    if m:
        sign, a, b = (m.group(1), m.group(2), m.group(3)) if m.group(2) else ("", m.group(4), m.group(5))
        if int(b) != 0:
            return Fraction(sign + a) / int(b)
    return None


def _text_answer(s: str) -> str | None:
    t = re.sub(r"\\text(bf|rm)?\{([^{}]*)\}|\\mathrm\{([^{}]*)\}", r"\2\3", s).strip(" .$")
    if _WORD.fullmatch(t) and len(t) >= 3 and t.lower() not in _MATH_WORDS:
        return re.sub(r"\s+", " ", t.lower())
    return None


def _percent_variants(answer: str, percent_ok: bool) -> list[str]:
    if not re.search(r"\\?%$", answer):
        return [answer]
    bare = re.sub(r"\\?%$", "", answer).strip()
    return [f"({bare})/100"] + ([bare] if percent_ok else [])


def _values_agree(g, a) -> bool:
    """math-verify said equal: re-check numbers exactly (it is too tolerant on tiny values)."""
    import sympy

    from .symbolic import numbers_equal

    if isinstance(g, sympy.Eq) and isinstance(a, sympy.Eq):
        return _values_agree(g.rhs, a.rhs)
    if isinstance(g, sympy.Eq) and g.lhs.is_Symbol:
        g = g.rhs
    if isinstance(a, sympy.Eq) and a.lhs.is_Symbol:
        a = a.rhs
    if isinstance(g, (sympy.Tuple, sympy.FiniteSet)) and isinstance(a, type(g)):
        ga, aa = list(g.args), list(a.args)
        if isinstance(g, sympy.FiniteSet):
            return len(ga) == len(aa) and all(any(_values_agree(x, y) for y in aa) for x in ga)
        return len(ga) == len(aa) and all(_values_agree(x, y) for x, y in zip(ga, aa))
    if isinstance(g, sympy.Expr) and isinstance(a, sympy.Expr) and g.is_number and a.is_number:
        return numbers_equal(g, a)
    return True


def _math_verify_equal(gold: str, answer: str) -> bool | None:
    from math_verify import LatexExtractionConfig, parse, verify

    cfg = [LatexExtractionConfig(boxed_match_priority=0)]
    g = parse("\\boxed{" + gold + "}", cfg, parsing_timeout=None)
    a = parse("\\boxed{" + answer + "}", cfg, parsing_timeout=None)
    if not g or not a or isinstance(g[0], str) or isinstance(a[0], str):
        return None
    if not verify(g, a, timeout_seconds=None):
        return False
    return _values_agree(g[0], a[0])


def _too_big(answer: str) -> bool:
    """Power towers hang math-verify: refuse numbers the safe parser will not build."""
    from .symbolic import ParseError, parse_math

    if "^" not in answer and "**" not in answer:
        return False
    try:
        parse_math(answer)
    except ParseError as e:
        return "too large" in str(e)
    return False


def _sympy_equal(gold: str, answer: str) -> bool:
    from .symbolic import ParseError, equivalent, parse_math

    try:
        return equivalent(parse_math(gold), parse_math(answer))
    except ParseError:
        return False


def pair_equal(gold: str, answer: str, percent_ok: bool = False) -> tuple[bool, str]:
    """Worker side: is one answer equal to the gold? Returns (equal, how it was decided)."""
    g = clean_answer(gold)
    text = _text_answer(g)
    if text is not None:
        return _text_answer(clean_answer(answer)) == text, "text"
    golds = [g]
    if re.search(r"\\?%$", g):  # a percent gold: 25% is both "25" and 0.25
        percent_ok = True
        bare = re.sub(r"\\?%$", "", g).strip()
        golds = [bare, f"({bare})/100"]
    a0 = clean_answer(answer)
    if normalize_answer_text(a0) == normalize_answer_text(g):
        return True, "identical"
    if _too_big(a0):
        return False, "a number too large to compare (power tower?)"
    for g, a in itertools.product(golds, _percent_variants(a0, percent_ok)):
        gr, ar = _rational(g), _rational(a)
        if gr is not None and ar is not None:
            if gr == ar:
                return True, "exact"
            continue
        if _math_verify_equal(g, a):
            return True, "math-verify"
        if _sympy_equal(g, a):
            return True, "sympy"
    return False, "not equal"


def answers_equal(gold: str, answers: list[str], percent_ok: bool = False) -> tuple[bool, str]:
    """Worker side: all boxed answers equal the gold (a hedge fails), or they jointly spell it."""
    for ans in answers:
        ok, how = pair_equal(gold, ans, percent_ok)
        if not ok:
            if len(answers) > 1 and "," in gold and pair_equal(gold, ", ".join(answers))[0]:
                return True, "boxed parts"  # `\boxed{2}` and `\boxed{3}` for the set {2, 3}
            why = "hedged: several different boxed answers" if len(answers) > 1 else how
            return False, f"{why} ({ans[:60]!r} vs gold {gold[:60]!r})"
    return True, how


def _warm_up() -> None:
    """Worker initializer: import and exercise math-verify once, so the first call is fast."""
    import logging

    # it warns once that its own timeouts are off: ours is the worker's hard timeout
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    pair_equal("\\frac{1}{2}", "x^2+1")


def math_worker():
    """The process-wide math verification worker (started on first use, kept warm)."""
    return shared_worker("math", initializer=_warm_up, timeout=VERIFY_TIMEOUT,
                         max_memory_mb=4096)


def asks_for_percent(question: str | None) -> bool:
    """True when the question asks for a number of percent (then `25\\%` may mean 25)."""
    return bool(question) and bool(re.search(r"\bpercent(age)?\b|\bin %|\(%\)", question, re.I))


def check_answers(gold: str, answers: list[str], question: str | None = None,
                  timeout: float = VERIFY_TIMEOUT) -> Verdict:
    """Compare extracted answers with the gold in the isolated worker."""
    try:
        ok, how = math_worker().call(answers_equal, gold, answers, asks_for_percent(question),
                                     timeout=timeout)
    except CallTimeout as e:
        return Verdict("timeout", str(e))
    except IsolatedError as e:
        return Verdict("error", str(e))
    return Verdict("correct" if ok else "wrong", how)


def score_boxed(response: str, gold: str, question: str | None = None) -> Score:
    """Score a response whose final answer must be boxed against a gold answer string."""
    ex = extract_boxed_answers(response)
    if not ex.ok:
        return Score.wrong(ex.reason or "no answer")
    v = check_answers(gold, ex.answers, question)
    if v.status == "correct":
        return Score.correct(method=v.reason, answer=ex.answers[0][:200])
    if v.status == "wrong":
        return Score.wrong(v.reason, answer=ex.answers[0][:200])
    return Score.failed(v.reason, status="timeout" if v.status == "timeout" else "error")
