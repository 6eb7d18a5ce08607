"""The fidelity scorecards as a gate: no false positive, no crash, no unlisted false negative.

Every registered env has a suite in tests/fidelity/<env>/ (at least 50 cases; math, code and
algebra at least 200). `gymkit scorecard -v` shows the failing cases with their reasons.
"""
import pytest

from gymkit.registry import env_names
from gymkit.scorecard import load_cases, run_suite, suite_envs

MIN_CASES = {"math": 200, "code": 200, "algebra": 200}
ENVS = [n for n in env_names() if not n.startswith("test_")]


def test_every_env_has_a_suite_of_the_required_size():
    have = set(suite_envs())
    missing = [n for n in ENVS if n not in have]
    assert not missing, f"envs without a fidelity suite: {missing}"
    small = {n: len(load_cases(n)[0]) for n in ENVS if len(load_cases(n)[0]) < MIN_CASES.get(n, 50)}
    assert not small, f"suites below the minimum size: {small}"


@pytest.mark.parametrize("env", suite_envs())
def test_suite_has_no_false_positive_crash_or_unlisted_false_negative(env):
    suite = run_suite(env)
    lines = [f"{r.outcome} {r.case.id}: got {r.status}/{r.reward:g} ({r.detail}); "
             f"expected {r.case.expect}: {r.case.reason}" for r in suite.failures]
    assert not lines, f"{env}: {len(lines)} failing cases\n" + "\n".join(lines)


@pytest.mark.parametrize("env", suite_envs())
def test_suite_covers_both_verdicts(env):
    cases, _ = load_cases(env)
    expects = {c.expect for c in cases}
    assert expects == {"correct", "wrong"}, f"{env}: a suite needs gold-like and hostile cases"
