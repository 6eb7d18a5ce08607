"""The math verifiers: boxed extraction, the isolated worker, final forms, equivalence.

The adversarial cases live in tests/fidelity/math and tests/fidelity/algebra (tests/test_fidelity.py).
"""
import functools
import os
import time

import pytest

from gymkit.verifiers.isolated import (CallTimeout, IsolatedWorker, RemoteError, WorkerCrashed,
                                       WorkerStartFailed)
from gymkit.verifiers.math_answer import extract_boxed_answers, find_boxed
from gymkit.verifiers.answer_form import pathological, power_depth
from gymkit.verifiers.final_number import read_number
from gymkit.verifiers.math_equiv import check_answers, score_boxed
from gymkit.verifiers.algebra_check import parse_solutions, same_solutions
from gymkit.verifiers.symbolic import ParseError, equivalent, parse_math

@pytest.mark.parametrize("text,boxes", [
    ("so \\boxed{42}.", ["42"]),
    ("\\boxed{\\frac{1}{\\sqrt{2}}}", ["\\frac{1}{\\sqrt{2}}"]),
    ("$\\boxed 5$ and \\fbox{6}", ["5", "6"]),
    ("\\boxed{\\{1, 2\\}}", ["\\{1, 2\\}"]),
    ("\\boxed{unclosed", []),
    ("\\boxedx{3}", []),
    ("no box at all: 42", []),
    ("\\boxed{3} or \\boxed\n{4}", ["3", "4"]),  # TeX skips newlines and comments here
    ("\\boxed{3} or \\boxed%\n{4}", ["3", "4"]),
    ("\\framebox[1cm][c]{4} \\boxed*{5}", ["4", "5"]),
    ("\\colorbox{yellow}{4} \\fcolorbox{red}{white}{5}", ["4", "5"]),
    ("\\bbox[yellow]{4} \\enclose{box}[mathcolor=red]{5}", ["4", "5"]),  # MathJax boxes
])
def test_find_boxed(text, boxes):
    assert find_boxed(text) == boxes


def test_extraction_policy():
    assert extract_boxed_answers("the answer is 7").reason == "no \\boxed answer"
    assert extract_boxed_answers("\\boxed{ }").reason == "empty \\boxed answer"
    assert extract_boxed_answers("\\boxed{7} so \\boxed{ 7 }.").answers == ["7"]
    assert extract_boxed_answers("\\boxed{7} or \\boxed{8}").answers == ["7", "8"]
    assert "hedging" in extract_boxed_answers(" ".join(f"\\boxed{{{i}}}" for i in range(30))).reason


def test_unclosed_or_hidden_box_voids_the_answer():
    for text in ["\\boxed{4 \\boxed{3}", "\\boxed{3} \\colorbox{y}{4", "\\boxed{3} \\boxed%" + "x" * 300 + "\n{4}"]:
        assert extract_boxed_answers(text).reason == "an unclosed or malformed \\boxed answer", text
    assert "spraying" in extract_boxed_answers("\\boxed{3}" * 64 + "\\boxed{4}").reason


def test_extraction_is_linear_on_a_megabyte():
    text = "\\boxed{" * 200_000 + "1"
    t = time.perf_counter()
    assert extract_boxed_answers(text).answers == []
    assert time.perf_counter() - t < 2.0


def test_isolated_worker_timeout_crash_error_and_respawn():
    with IsolatedWorker(timeout=0.5) as w:
        assert w.call(pow, 2, 10) == 1024
        with pytest.raises(CallTimeout):
            w.call(time.sleep, 30)
        assert w.call(pow, 3, 3) == 27  # a fresh worker after the kill
        with pytest.raises(WorkerCrashed):
            w.call(os._exit, 3)
        with pytest.raises(RemoteError, match="ValueError") as e:
            w.call(int, "not a number")
        assert "invalid literal" in e.value.message
        assert w.call(abs, -5) == 5
        assert w.restarts == 2


def test_isolated_worker_reports_a_broken_initializer():
    with IsolatedWorker(initializer=functools.partial(int, "x")) as w:
        with pytest.raises(WorkerStartFailed, match="ValueError"):
            w.call(abs, 1)


def test_budget_exceeded_on_an_answer_is_wrong_not_a_status():
    """The response controls what the worker chews on: running past the budget is `wrong`."""
    v = check_answers("x^2-5x+6", ["(x-2)(x-3)"], timeout=0.001)
    assert v.status == "wrong" and "budget exceeded" in v.reason
    assert check_answers("x^2-5x+6", ["(x-2)(x-3)"]).status == "correct"  # respawned, still right


def test_a_worker_that_cannot_start_is_an_error(monkeypatch):
    from gymkit.verifiers import math_equiv

    broken = IsolatedWorker(initializer=functools.partial(int, "x"))
    monkeypatch.setattr(math_equiv, "math_worker", lambda: broken)
    try:
        assert check_answers("7", ["7"]).status == "error"
    finally:
        broken.close()


def test_an_answer_that_raises_or_kills_the_worker_is_wrong():
    from gymkit.verifiers.math_equiv import verify_isolated

    v = verify_isolated(int, "not a number")  # a RemoteError from the call: the answer's doing
    assert v.status == "wrong" and "ValueError" in v.reason
    v = verify_isolated(os._exit, 3)  # dies, is retried once on a fresh worker, dies again
    assert v.status == "wrong" and "crashed the verifier twice" in v.reason
    assert check_answers("7", ["7"]).status == "correct"  # and the next answer is scored


def test_power_tower_is_refused_fast():
    t = time.perf_counter()
    s = score_boxed("\\boxed{2^{2^{2^{2^{2^{2}}}}}}", "7")
    assert s.reward == 0 and s.status == "wrong"
    assert time.perf_counter() - t < 0.5


@pytest.mark.parametrize("bad", ["__import__('os').system('true')", "x.__class__", "lambda: 1",
                                 "[x for x in ()]", "open('f')", "exec('1')", "9**9**9**9", "'x'",
                                 "x" * 2000])
def test_safe_parser_refuses_code(bad):
    with pytest.raises(ParseError):
        parse_math(bad)


def test_symbolic_equivalence():
    p = parse_math
    assert equivalent(p("21x(61x^3+78x+9)"), p("1281x^4+1638x^2+189x"))
    assert not equivalent(p("21x(61x^3+78x+9)"), p("1281x^4+1638x^2+188x"))
    assert equivalent(p("sin(x)^2 + cos(x)^2"), p("1"))
    assert not equivalent(p("sqrt(x^2)"), p("x"))
    assert not equivalent(p("\\frac{1}{2004!}"), p("\\frac{1}{2006!}"))
    assert equivalent(p("0.5x"), p("\\frac{x}{2}")) and not equivalent(p("0.333"), p("1/3"))
    assert same_solutions(parse_solutions("x = 2 or x = -1/2", "x"), parse_solutions("\\{-\\frac12, 2\\}"))
    assert not same_solutions(parse_solutions("2, 3"), parse_solutions("2, 3, 4"))


@pytest.mark.parametrize("answer,question,value", [
    ("\\frac{3}{4}", None, "3/4"), ("0.75", None, "3/4"), ("2\\frac{1}{2}", None, "5/2"), ("½", None, "1/2"),
    ("-5", None, "-5"), ("1{,}000", None, "1000"), ("USD 191.40", None, "191.4"), ("\\$191.40", None, "191.4"),
    ("1 \\text{ million}", None, "1000000"), ("259 cookies", "How many cookies?", "259"),
    ("1.2 \\times 10^{5}", None, "120000"), ("x = 7", None, "7"),
    ("19 \\times 20", None, None), ("380 \\text{ (or 381)}", None, None), ("381 = 380", None, None),
    ("2, 500", None, None), ("\\infty", None, None), ("1/0", None, None), ("2^3", None, None),
    ("380 cm", "How many kilometres?", None), ("380 or more", None, None), ("\\sqrt{4}", None, None),
    ("1 45", None, None), ("1 4 5", None, None), ("12 345", None, "12345"), ("3\u200b", None, "3"),
    ("\\hspace{1em}3", None, "3"), ("516 kilometers", "How many kilometres is it?", "516"),
    ("516 km/h", "At 60 km/h, how many kilometres?", None), ("145 boxes", "12 boxes. How many pencils?", None),
    ("145 pencils", "12 boxes of pencils. How many more pencils?", "145"), ("3 h", "How many hours?", "3"),
])
def test_read_number_final_forms(answer, question, value):
    from fractions import Fraction

    r = read_number(answer, question)
    assert r.value == (Fraction(value) if value else None), (answer, r)
    assert value or r.reason


def test_lowest_terms_only_where_asked():
    assert read_number("\\frac{6}{8}").value == read_number("\\frac{3}{4}").value
    assert read_number("\\frac{6}{8}", lowest_terms=True).value is None
    assert read_number("0.75", lowest_terms=True).value is not None


def test_shape_checks_before_any_parser():
    assert power_depth("e^{x^2}") == 2 and power_depth("e^{e^{e^e}}") == 3 and power_depth("2**2**2") == 2
    for bad in ["380 \\le 381", "\\prod_{n=1}^{10^9} n", "\\binom{10^9}{10^8}", "(" * 500 + "1" + ")" * 500,
                "e^{e^{e^{e^e}}}", "1" * 3000]:
        assert pathological(bad), bad
    assert pathological("x^2+2x+1") is None and pathological("\\frac{\\sqrt{2}}{2}") is None


def test_equations_and_tiny_offsets_do_not_pass():
    from gymkit.verifiers.answer_form import equation_problem
    from gymkit.verifiers.symbolic import TooLarge, numbers_equal

    assert equation_problem("381 = 380") and equation_problem("19 \\times 20 = 380")
    assert equation_problem("x = 2, x = 3") is None and equation_problem("f'(x) = 3x^2") is None
    assert equation_problem("y = 2x + 1", gold="y = 2x + 1") is None
    p = parse_math
    assert not numbers_equal(p("e^2 + 10^{-100}"), p("e^2"))
    assert not numbers_equal(p("6.283185307179586476925286766559"), p("2\\pi"))
    assert numbers_equal(p("\\frac{\\sqrt{8}}{4}"), p("\\frac{1}{\\sqrt{2}}")) and numbers_equal(p("\\ln 8"), p("3\\ln 2"))
    assert not equivalent(p("x^2 + 10^{-30}"), p("x^2"))
    with pytest.raises(TooLarge):
        p("(x+1)^{60}(x+2)^{60}(x+3)^{60}")
    assert p("3(x-6)(x+1)(x+9)") is not None


@pytest.mark.parametrize("wrapper", ["G\\text{, i.e. }W", "G \\text{ (W)}", "G\\text{W}", "G + 0\\cdot W", "W \\times 0 + G",
                                     "G_{W}", "\\boxed{G}W", "G \\text{ or } W", "W = G", "G \\pm W", "G, W", "G \\le W"])
def test_a_second_value_wrapped_around_the_right_one_fails(wrapper):
    """Fuzz-found: math-verify drops `\\text{}`, subscripts and inner boxes, and 0 * W vanishes."""
    from gymkit.verifiers.math_equiv import answers_equal

    for gold, other in [("2\\sqrt{3}", "3\\sqrt{2}"), ("380", "381")]:
        answer = wrapper.replace("G", gold).replace("W", other)
        assert extract_boxed_answers(f"\\boxed{{{answer}}}").ok
        assert answers_equal(gold, extract_boxed_answers(f"\\boxed{{{answer}}}").answers)[0] is False, answer
