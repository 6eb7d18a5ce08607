"""The math verifiers: boxed extraction, the isolated worker, equivalence, and the fidelity suite."""
import functools
import json
import os
import time
from pathlib import Path

import pytest

from gymkit.chat import strip_thinking
from gymkit.verifiers.isolated import CallTimeout, IsolatedWorker, RemoteError, WorkerCrashed
from gymkit.verifiers.math_answer import extract_boxed_answers, find_boxed
from gymkit.verifiers.math_equiv import check_answers, math_worker, score_boxed
from gymkit.verifiers.symbolic import ParseError, equivalent, parse_math, parse_solutions, same_solutions

FIDELITY = Path(__file__).parent / "data" / "math_fidelity.jsonl"


@pytest.mark.parametrize("text,boxes", [
    ("so \\boxed{42}.", ["42"]),
    ("\\boxed{\\frac{1}{\\sqrt{2}}}", ["\\frac{1}{\\sqrt{2}}"]),
    ("$\\boxed 5$ and \\fbox{6}", ["5", "6"]),
    ("\\boxed{\\{1, 2\\}}", ["\\{1, 2\\}"]),
    ("\\boxed{unclosed", []),
    ("\\boxedx{3}", []),
    ("no box at all: 42", []),
])
def test_find_boxed(text, boxes):
    assert find_boxed(text) == boxes


def test_extraction_policy():
    assert extract_boxed_answers("the answer is 7").reason == "no \\boxed answer"
    assert extract_boxed_answers("\\boxed{ }").reason == "empty \\boxed answer"
    assert extract_boxed_answers("\\boxed{7} so \\boxed{ 7 }.").answers == ["7"]
    assert extract_boxed_answers("\\boxed{7} or \\boxed{8}").answers == ["7", "8"]
    assert "hedging" in extract_boxed_answers(" ".join(f"\\boxed{{{i}}}" for i in range(30))).reason


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
        with pytest.raises(RemoteError, match="ValueError"):
            w.call(abs, 1)


def test_math_timeout_is_a_status_not_wrong():
    v = check_answers("x^2-5x+6", ["(x-2)(x-3)"], timeout=0.001)
    assert v.status == "timeout"
    assert check_answers("x^2-5x+6", ["(x-2)(x-3)"]).status == "correct"  # respawned, still right


def test_power_tower_is_refused_fast():
    t = time.perf_counter()
    s = score_boxed("\\boxed{2^{2^{2^{2^{2^{2}}}}}}", "7")
    assert s.reward == 0 and s.status in ("wrong", "timeout")
    assert time.perf_counter() - t < 3


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


def test_fidelity_suite():
    """Zero accepted wrong answers, fewer than 1 in 200 rejected correct ones."""
    rows = [json.loads(line) for line in FIDELITY.read_text().splitlines() if line.strip()]
    assert len(rows) >= 300
    math_worker().start()
    false_accepts, false_rejects = [], []
    for r in rows:
        text = strip_thinking(r["response"])
        ok = text is not None and score_boxed(text, r["gold"], r.get("question")).status == "correct"
        if ok and not r["expected"]:
            false_accepts.append(r)
        if r["expected"] and not ok:
            false_rejects.append(r)
    n_correct = sum(r["expected"] for r in rows)
    assert false_accepts == []
    assert len(false_rejects) / n_correct < 1 / 200, false_rejects
