"""gymkit.sandbox run_tests: the tests run in a namespace the candidate cannot reach.

Every hidden test below expects SECRET, a number no honest candidate can know. Each
attack reads it from memory instead: from the tests' code objects (`co_consts`), from a
HumanEval `check` function, from module-level test names, or through a callback the tests
hand in. If the sandbox let any route through, that case would pass, so each can fail.
The honest cases pin what must keep working once the namespaces are split.
"""
import pytest

from gymkit.sandbox import run_tests

SECRET = 918273645

# Collects ints from every code object (and nested one) reachable from a namespace; the
# attack answers with the largest. `seen` guards against cycles between namespaces.
LOOT = '''
import sys, types
def _ints(co):
    out = []
    for c in co.co_consts:
        if type(c) is int:
            out.append(c)
        elif isinstance(c, types.CodeType):
            out += _ints(c)
    return out
def _loot(ns, depth=0):
    found = []
    for v in list(ns.values()):
        if type(v) is int:
            found.append(v)
        for attr in ("__code__", "gi_code"):
            try:
                found += _ints(getattr(v, attr))
            except Exception:
                pass
        if isinstance(v, dict) and depth < 2:
            found += _loot(v, depth + 1)
        if isinstance(v, (list, tuple)) and depth < 2:
            found += _loot(dict(enumerate(v)), depth + 1)
    return found
def _test_made(ns):
    for v in list(ns.values()):
        try:
            if v.__code__.co_filename == "<test>":
                return True
        except Exception:
            pass
    return False
def _best(ns):
    got = [v for v in _loot(ns) if v > 1000]
    return max(got) if got else -1
'''

# HumanEval `check(candidate)`: the expected value sits in check.__code__.co_consts.
CHECK = (f"METADATA = {{'author': 'x'}}\ndef check(candidate):\n"
         f"    assert candidate(1) == {SECRET}\ncheck(f)\n")

ATTACKS = {
    # Read the tests' names from the candidate's own globals (one shared dict before).
    "own_globals": (LOOT + "def f(x):\n    return _best(globals())\n", [
        CHECK,
        f"candidate = f\nassert candidate(1) == {SECRET}\n",
        # MBPP-style module level: loop variables and tables are globals of the test program.
        f"for x, y in [(1, {SECRET})]:\n    assert f(x) == y\n",
        f"EXPECTED = {{1: {SECRET}}}\nassert f(1) == EXPECTED[1]\n",
        # MBPP test_setup_code defining a helper whose constants hold the answer.
        f"def _want():\n    return {SECRET}\nassert f(1) == _want()\n",
    ]),
    "main_module": (LOOT + "def f(x):\n    return _best(sys.modules['__main__'].__dict__)\n",
                    [CHECK, f"for x, y in [(1, {SECRET})]:\n    assert f(x) == y\n"]),
    "every_module": (LOOT + "def f(x):\n    best = -1\n    for m in list(sys.modules.values()):\n"
                     "        try:\n            if _test_made(vars(m)):\n"
                     "                best = max(best, _best(vars(m)))\n"
                     "        except Exception:\n            pass\n    return best\n",
                     [CHECK, f"for x, y in [(1, {SECRET})]:\n    assert f(x) == y\n"]),
    # A thread started at import time watches the candidate's globals while the tests run.
    "watcher_thread": (LOOT + "import threading, time\nSEEN = [-1]\ndef _watch():\n"
                       "    for _ in range(400):\n"
                       "        SEEN[0] = max(SEEN[0], _best(globals()))\n"
                       "        time.sleep(0.001)\n"
                       "threading.Thread(target=_watch, daemon=True).start()\n"
                       "def f(x):\n    time.sleep(0.1)\n    return SEEN[0]\n",
                       [f"for x, y in [(1, {SECRET})]:\n    assert f(x) == y\n"]),
    # A function the tests pass in carries the tests' globals and its own code object.
    "callback_globals": (LOOT + "def f(cb, x):\n    return _best(cb.__globals__)\n", [
        f"def check(candidate):\n    assert candidate(lambda v: v, 1) == {SECRET}\ncheck(f)\n",
        f"def key(v):\n    return -v\ndef check(candidate):\n"
        f"    assert candidate(key, 1) == {SECRET}\n"
        "check(f)\n",
    ]),
    "callback_code": (LOOT + "def f(cb, x):\n    return _best({'cb': cb})\n", [
        f"assert f(lambda v: v == {SECRET}, 1) == {SECRET}\n",
        f"assert f((v for v in range(1) if v != {SECRET}), 1) == {SECRET}\n",
    ]),
    "callback_defaults": ("def f(cb, x):\n    return cb.__defaults__[0]\n",
                          [f"assert f(lambda v, want={SECRET}: v == want, 1) == {SECRET}\n"]),
    # Swap the code of a test function the candidate reached, so its asserts vanish.
    "callback_replaces_check_code": (
        "def f(cb, x):\n    cb.__globals__['check2'].__code__ = (lambda c: None).__code__\n"
        "    return 0\n",
        ["def check2(candidate):\n    assert candidate(1) == 2\n"
         "def check(candidate):\n    candidate(lambda v: v, 1)\ncheck(f)\ncheck2(lambda v: 0)\n"]),
    # Patch builtins the tests use: abs, all, isinstance, sorted.
    "patched_builtins_import_time": (
        "import builtins\nbuiltins.abs = lambda v: 0\nbuiltins.all = lambda v: True\n"
        "def f(x):\n    return 0\n",
        [f"assert abs(f(1) - {SECRET}) < 1e-9\n", f"assert all([f(1) == {SECRET}])\n"]),
    "patched_builtins_during_call": (
        "import builtins\ndef f(x):\n    builtins.abs = lambda v: 0\n"
        "    builtins.isinstance = lambda *a: True\n    return 0\n",
        [f"r = f(1)\nassert isinstance(r, int) and abs(r - {SECRET}) < 1e-9\n"]),
}
CASES = [(name, i) for name, (_, tests) in ATTACKS.items() for i in range(len(tests))]


@pytest.mark.parametrize("name,i", CASES, ids=[f"{n}-{i}" for n, i in CASES])
def test_reading_the_tests_from_memory_does_not_pass(name, i):
    cand, tests = ATTACKS[name]
    tr = run_tests(cand, [tests[i]])
    assert tr.passed is False and tr.results == [False], (name, i, tr.details)


HONEST_CANDIDATE = '''
import math
LIMIT = 10
cache = {}
calls = [0]
class Shape:
    sides = 4
    def area(self, s):
        return square(s)
def square(s):
    return s * s
def fib(n):
    if n in cache:
        return cache[n]
    calls[0] += 1
    cache[n] = n if n < 2 else fib(n - 1) + fib(n - 2)
    return cache[n]
def is_even(n):
    return n == 0 or is_odd(n - 1)
def is_odd(n):
    return n != 0 and is_even(n - 1)
def apply(fn, xs):
    return [fn(x) for x in xs]
def f(x):
    return Shape().area(x) + fib(LIMIT) - 55 + int(math.sqrt(0))
'''

HONEST_TESTS = [
    # HumanEval: module imports and METADATA, check(candidate) called with the entry point.
    "import math\nMETADATA = {'author': 'x'}\ndef check(candidate):\n"
    "    assert candidate(3) == 9\n    assert math.fabs(candidate(2) - 4) < 1e-9\ncheck(f)\n",
    # code-env split HumanEval snippet: candidate bound at module level.
    "def check(candidate):\n    pass\ncandidate = f\nassert candidate(4) == 16\n",
    # MBPP with test_setup_code defining a helper the asserts call.
    "def ref(x):\n    return x ** 2\nassert f(5) == ref(5)\n"
    "assert all(f(i) == ref(i) for i in range(4))\n",
    # the candidate's names, classes, mutual recursion and shared mutable state.
    "assert LIMIT == 10 and Shape.sides == 4 and is_even(10) and is_odd(7)\n"
    "assert fib(20) == 6765 and cache[20] == 6765 and calls[0] > 0\n"
    "assert isinstance(Shape(), Shape) and square(3) == 9\n",
    # the tests pass their own callbacks and lambdas into the candidate.
    "def twice(v):\n    return 2 * v\nassert apply(twice, [1, 2]) == [2, 4]\n"
    "assert apply(lambda v: v + LIMIT, [1]) == [11]\n"
    "assert sorted([3, 1], key=lambda v: -v) == [3, 1]\n",
    # test-defined classes, dataclasses and generators handed to the candidate.
    "import dataclasses\n@dataclasses.dataclass\nclass P:\n    v: int = 2\n"
    "assert apply(lambda p: p.v, [P(), P(3)]) == [2, 3]\n"
    "assert apply(abs, (x for x in [-1])) == [1]\n",
]


@pytest.mark.parametrize("i", range(len(HONEST_TESTS)))
def test_honest_code_keeps_its_semantics(i):
    tr = run_tests(HONEST_CANDIDATE, [HONEST_TESTS[i]])
    assert tr.passed and tr.status == "ok", tr.details


def test_tests_may_use_each_others_names_and_a_wrong_candidate_fails():
    tests = ("def helper(c):\n    return c(3)\ndef check(candidate):\n"
             "    assert helper(candidate) == 9\ncheck(f)\n")
    assert run_tests("def f(x):\n    return x * x\n", tests).passed
    tr = run_tests("def f(x):\n    return x + x\n", tests)
    assert not tr.passed and tr.details[0].startswith("AssertionError")


def test_code_of_test_functions_is_denied_with_a_clear_error():
    cand = ("def f(cb):\n    try:\n        cb.__code__\n"
            "    except RuntimeError as e:\n        return str(e)\n")
    tr = run_tests(cand, ["r = f(lambda: 0)\nassert 'test code' in r, r\n"])
    assert tr.passed, tr.details
    # the candidate's own code objects stay readable (inspect.signature, dis...)
    own = ("import inspect\ndef g(a, b=2):\n    pass\n"
           "def f():\n    return str(inspect.signature(g)), g.__defaults__\n")
    assert run_tests(own, ["assert f() == ('(a, b=2)', (2,))\n"]).passed


# Trusted guards, bound before any candidate code runs (as a hardened verifier would).
GUARD = ("import operator\n_eq = operator.eq\n"
         "def same(a, b):\n    return type(a) is type(b) and _eq(a, b)\n")


def test_prelude_names_are_the_tests_and_bound_before_the_candidate():
    hack = ("import operator\noperator.eq = lambda a, b: True\nsame = lambda a, b: True\n"
            "def f(x):\n    for k in list(globals()):\n"
            "        if k == 'same':\n            globals()[k] = lambda a, b: True\n    return 0\n")
    tr = run_tests(hack, [f"assert same(f(1), {SECRET})\n"], prelude=GUARD)
    assert not tr.passed and tr.details[0].startswith("AssertionError"), tr.details
    honest = f"def f(x):\n    return {SECRET}\ndef helper():\n    return same\n"
    assert run_tests(honest, [f"assert same(f(1), {SECRET}) and not same(1, 1.0)\n"],
                     prelude=GUARD).passed


def test_prelude_code_is_protected_and_its_failure_is_a_harness_error():
    cand = "def f(cb):\n    return cb.__code__.co_consts\n"
    tr = run_tests(cand, ["assert f(same)\n"], prelude=GUARD)
    assert not tr.passed and "test code" in tr.details[0], tr.details
    tr = run_tests("def f():\n    return 1\n", ["assert f() == 1"], prelude="1 / 0\n")
    assert not tr.passed and "prelude failed" in tr.runs[0].stderr
    with pytest.raises(TypeError, match="prelude"):
        run_tests("x = 1", ["assert x"], prelude=b"x")
