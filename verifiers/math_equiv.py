"""Is a final answer equal to the gold? Final-form rules, exact numbers, math-verify, sympy.

All parsing and comparison runs in a warm `IsolatedWorker` with a hard timeout: math-verify's
own timeouts (`signal.alarm`) only work in a main thread, and power towers hang it, so it is
called with `parsing_timeout=None, timeout_seconds=None`.

Status rule: nothing the response controls may leave a rollout unscored. An answer that runs
the worker past its budget, or makes it raise or die (twice), is `wrong` with the reason
("verifier budget exceeded on this answer"); only a worker that cannot start is `error`.

Order of checks for one (gold, answer) pair (gold always goes first: math-verify is asymmetric):
1. a text gold (`Monday`): case-insensitive text comparison (math-verify reads words as products
   of symbols, so `Dynamo` would equal `Monday`);
2. the same text as the gold (spacing aside): correct;
3. `answer_form.pathological`: length, nesting, power towers, relations (`380 \\le 381`), big
   operators the gold lacks (`\\prod`, `\\binom`, `!`): wrong, before any parser;
4. a numeric gold (`380`, `0.75`, `\\frac{3}{4}`, `25\\%`, `3\\times10^{8}`): the answer must be a
   number in a final form (`final_number.read_number`: no arithmetic left to do, no second
   value, units only as the question names them, lowest terms where asked) and equal exactly;
   `25\\%` is 0.25, and also 25 when the gold carries `%` or the question asks for a percent;
5. any other gold: an answer naming infinity/NaN/undefined is wrong unless the gold does; an
   equation whose left side is not a name (`answer_form.equation_problem`), arithmetic between
   literals, operations the gold does not use, the question's own expression echoed back, and
   second values hidden where math-verify does not look (`\\text{}`, subscripts, zero factors,
   inner boxes) are wrong (`answer_form.not_final`); numbers or products the safe parser
   refuses to build (`(10^{10000})^{10000}`, `(x+1)^{60}(x+2)^{60}(x+3)^{60}`) are wrong; then math-verify `parse` + `verify`, with
   numbers re-checked exactly or to 40 digits and both sides required finite (it compares tiny
   values too tolerantly, and |a - oo| <= tol * oo is true); then `symbolic.equivalent`.
Several boxes must each equal the gold (a hedge fails); they are joined only when the gold is a
list (`2, 3`), never into one number (`\\boxed{2}\\boxed{500}` is not 2,500).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from gymkit.types import Score

from .answer_form import equation_problem, non_finite, not_final, pathological
from .final_number import NumberReading, asks_lowest_terms, read_number
from .isolated import CallTimeout, RemoteError, WorkerCrashed, WorkerStartFailed, shared_worker
from .math_answer import extract_boxed_answers, normalize_answer_text

log = logging.getLogger(__name__)
VERIFY_TIMEOUT = 5.0  # seconds per response: generous for sympy, short for a hung worker
_WORD = re.compile(r"[A-Za-z][A-Za-z \-']*[A-Za-z]")
_MATH_WORDS = {"pi", "sin", "cos", "tan", "log", "ln", "exp", "sqrt", "infty", "inf", "oo"}
# exceptions that say the worker's own code is missing, not that the answer was hostile
_INFRA_ERRORS = {"ImportError", "ModuleNotFoundError"}


@dataclass
class Verdict:
    """The outcome of comparing answers with a gold: status plus a short reason."""

    status: str  # correct | wrong | error
    reason: str = ""


def clean_answer(s: str) -> str:
    """Spellings that math-verify misreads, rewritten to ones it reads (see module docstring)."""
    s = s.strip().replace("−", "-").replace("\\!", "")
    s = re.sub(r"^\\text\{\s*([^{}]*)\}$", r"\1", s).strip()
    s = re.sub(r"(?<=\d)(\{,\}|\\,|\\ |\\;|~|,)(?=\d{3}(?!\d))", "", s)
    s = re.sub(r"^([-+]?\d+(?:\.\d+)?)\s*[eE]\s*([-+]?\d+)$", r"\1\\times10^{\2}", s)
    s = re.sub(r"\\text\{\s*(or|and)\s*\}|\s(or|and)\s", ", ", s)  # a list, never `2,500`
    return s.rstrip(".").strip()


def _text_answer(s: str) -> str | None:
    t = re.sub(r"\\text(bf|rm)?\{([^{}]*)\}|\\mathrm\{([^{}]*)\}", r"\2\3", s).strip(" .$")
    if _WORD.fullmatch(t) and len(t) >= 3 and t.lower() not in _MATH_WORDS:
        return re.sub(r"\s+", " ", t.lower())
    return None


def _finite(e) -> bool:
    import sympy

    if not isinstance(e, sympy.Basic):
        return True
    return not (e.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan) or e.has(sympy.AccumBounds))


def _values_agree(g, a) -> bool:
    """math-verify said equal: re-check numbers exactly (it is too tolerant on tiny values)."""
    import sympy

    from .symbolic import numbers_equal

    if _finite(g) != _finite(a):
        return False  # |a - oo| <= tol * oo is true: never let a tolerance meet an infinity
    if isinstance(g, sympy.Eq) and isinstance(a, sympy.Eq):
        return (g.lhs == a.lhs or _values_agree(g.lhs, a.lhs)) and _values_agree(g.rhs, a.rhs)
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


def _refused_by_safe_parser(answer: str) -> str | None:
    """Numbers too big to build (towers, huge powers and factorials) hang math-verify: refuse."""
    from .symbolic import ParseError, TooLarge, parse_math

    try:
        parse_math(answer)
    except TooLarge as e:
        return f"too large to compare: {e}"
    except ParseError:
        return None  # math-verify may still read what the safe parser does not
    return None


def _sympy_equal(gold: str, answer: str) -> bool:
    from .symbolic import ParseError, equivalent, parse_math

    try:
        return equivalent(parse_math(gold), parse_math(answer))
    except ParseError:
        return False


def _numbers_match(gold: NumberReading, ans: NumberReading, percent_ok: bool) -> bool:
    """Exact comparison with the percent conventions of the module docstring."""
    g, a = gold.value, ans.value
    if gold.percent:
        return a == g if ans.percent else a in (g, g / 100)
    if ans.percent:  # a number of percent was asked: `25\\%` is 25 (and 2500% is not)
        return a == g if percent_ok else a / 100 == g
    return a == g


def pair_equal(gold: str, answer: str, percent_ok: bool = False,
               question: str | None = None) -> tuple[bool, str]:
    """Worker side: is one answer equal to the gold? Returns (equal, how it was decided)."""
    g, a = clean_answer(gold), clean_answer(answer)
    text = _text_answer(g)
    if text is not None:
        return _text_answer(a) == text, "text"
    if normalize_answer_text(a) == normalize_answer_text(g):
        return True, "identical"
    bad = pathological(a, g)
    if bad:
        return False, bad
    gold_number = read_number(g)
    if gold_number.value is not None:
        ans = read_number(a, question, lowest_terms=asks_lowest_terms(question))
        if ans.value is None:
            return False, ans.reason
        ok = _numbers_match(gold_number, ans, percent_ok)
        return ok, "exact" if ok else "not equal"
    if non_finite(a) and not non_finite(g):
        return False, "a non-finite value (infinity, NaN, undefined or division by 0)"
    why = (equation_problem(a, g) or not_final(a, g, question, normalize_answer_text)
           or _refused_by_safe_parser(a))
    if why:
        return False, why
    if _math_verify_equal(g, a):
        return True, "math-verify"
    if _sympy_equal(g, a):
        return True, "sympy"
    return False, "not equal"


def _is_list(gold: str) -> bool:
    from .answer_form import top_level_split

    return len(top_level_split(clean_answer(gold))) > 1


def answers_equal(gold: str, answers: list[str], percent_ok: bool = False,
                  question: str | None = None) -> tuple[bool, str]:
    """Worker side: all boxed answers equal the gold (a hedge fails), or they jointly list it."""
    if len(answers) > 1 and _is_list(gold):  # `\\boxed{2}` and `\\boxed{3}` for the set {2, 3}
        ok, how = pair_equal(gold, ", ".join(answers), percent_ok, question)
        if ok:
            return True, f"boxed parts ({how})"
    for ans in answers:
        ok, how = pair_equal(gold, ans, percent_ok, question)
        if not ok:
            why = "hedged: several different boxed answers" if len(answers) > 1 else how
            return False, f"{why} ({ans[:60]!r} vs gold {gold[:60]!r})"
    return True, how


def _warm_up() -> None:
    """Worker initializer: import and exercise math-verify once, so the first call is fast."""
    # it warns once that its own timeouts are off: ours is the worker's hard timeout
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    pair_equal("\\frac{1}{2}", "x^2+1")
    pair_equal("x^2", "x \\cdot x")


def math_worker():
    """The process-wide math verification worker (started on first use, kept warm)."""
    return shared_worker("math", initializer=_warm_up, timeout=VERIFY_TIMEOUT,
                         max_memory_mb=4096)


def verify_isolated(fn, *args, timeout: float = VERIFY_TIMEOUT) -> Verdict:
    """Run a worker-side check `fn(*args) -> (ok, reason)` and turn every outcome into a Verdict.

    The arguments carry the response, so whatever happens during the call is the answer's
    doing: running past `timeout`, raising (RecursionError, MemoryError...) or killing the
    worker twice in a row is `wrong`, with the reason. Only a worker that cannot start (or a
    missing module) is `error`: that is infrastructure, and stays out of the gradient.
    """
    name = getattr(fn, "__name__", "check")
    for attempt in (1, 2):
        try:
            ok, how = math_worker().call(fn, *args, timeout=timeout)
            return Verdict("correct" if ok else "wrong", how)
        except WorkerStartFailed as e:
            return Verdict("error", f"verifier worker cannot start: {e}"[:500])
        except CallTimeout:
            return Verdict("wrong", f"verifier budget exceeded on this answer ({name} ran past "
                                    f"{timeout:g} s)")
        except WorkerCrashed as e:  # once may be the machine (OOM killer); twice is the answer
            if attempt == 2:
                return Verdict("wrong", f"the answer crashed the verifier twice ({e})"[:300])
        except RemoteError as e:
            if e.type_name in _INFRA_ERRORS:
                return Verdict("error", str(e)[:500])
            log.warning("%s raised on a response (scored wrong): %s\n%s", name, e,
                        e.remote_traceback)
            return Verdict("wrong", f"the answer made the verifier fail ({e.type_name})")
    raise AssertionError("unreachable")


def asks_for_percent(question: str | None) -> bool:
    """True when the question asks for a number of percent (then `25\\%` may mean 25)."""
    return bool(question) and bool(re.search(r"\bpercent(age)?\b|\bin %|\(%\)", question, re.I))


def check_answers(gold: str, answers: list[str], question: str | None = None,
                  timeout: float = VERIFY_TIMEOUT) -> Verdict:
    """Compare extracted answers with the gold: shape checks here, values in the worker."""
    for ans in answers:  # cheap, in-process: a tower or a relation never costs a worker call
        a = clean_answer(ans)
        bad = None if normalize_answer_text(a) == normalize_answer_text(clean_answer(gold)) \
            else pathological(a, clean_answer(gold))
        if bad:
            return Verdict("wrong", f"{bad} ({ans[:60]!r})")
    return verify_isolated(answers_equal, gold, answers, asks_for_percent(question), question,
                           timeout=timeout)


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
    return Score.failed(v.reason, status="error")
