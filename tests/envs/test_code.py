import json
from pathlib import Path

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.code import CodeEnv
from gymkit.verifiers.code_extract import assemble_function, extract_python
from gymkit.verifiers.code_tests import same_stdout, spec_from_row, verify_code

FIDELITY = Path(__file__).parent.parent / "data" / "code_fidelity"
# solution-file prefix -> task id in tasks.jsonl (the rows keep their own formats' id fields)
FIDELITY_TASKS = {"running_max": "fid/running_max", "vowel_positions": "fid/vowel_positions",
                  "digit_sum": "9001", "find_missing": "9002", "max_block": "9101",
                  "two_sum": "9102", "max_profit": "9201"}


@pytest.fixture(scope="module")
def env():
    return CodeEnv()


@pytest.fixture(scope="module")
def fn_task(env):  # a function task: MBPP-style asserts
    return env.generate(1, seed=0, difficulty=1)[0]


@pytest.fixture(scope="module")
def io_task(env):  # a stdin/stdout program task
    return env.generate(1, seed=0, difficulty=3)[0]


@pytest.fixture(scope="module")
def fidelity(env):
    tasks = {t.id: t for t in env.load(FIDELITY / "tasks.jsonl")}
    return tasks, sorted((FIDELITY / "solutions").glob("*.py"))


def say(text):
    return [{"role": "assistant", "content": text}]


def py(code):
    return f"```python\n{code}\n```"


def score(env, task, text):
    return play(env, task, say(text))[1]


def gold_code(task):
    return extract_python(task.gold_text)


def test_check_env(env):
    assert check_env(env) == []


def test_gold_scores_on_every_level(env):
    for t in env.generate(9, seed=4):
        s = play(env, t, env.gold_actions(t))[1]
        assert (s.reward, s.status) == (1.0, "correct"), (t.id, s.info)


def test_wrong_solution_scores_zero_with_per_test_results(env, fn_task):
    name = fn_task.data["tests"]["tests"][0].split("(")[0].removeprefix("assert ")
    s = score(env, fn_task, py(f"def {name}(*args):\n    return None"))
    assert (s.reward, s.status) == (0.0, "wrong")
    assert s.info["total"] == len(s.info["results"]) > 1 and not all(s.info["results"])


def test_fraction_reward(fn_task):
    tests = fn_task.data["tests"]
    first = tests["tests"][0]  # hard-code the visible example only
    call, expected = first.removeprefix("assert ").split(" == ", 1)
    name = call.split("(")[0]
    hack = py(f"def {name}(*a):\n    return {expected} if {call.replace(name, 'list', 1)} == "
              f"list(a) else None")
    s = verify_code(tests, hack, reward="fraction")
    assert s.status == "wrong" and 0 < s.reward < 1
    assert s.reward == pytest.approx(s.info["passed"] / s.info["total"])
    assert verify_code(tests, hack).reward == 0.0  # default: all tests must pass


def test_stdout_comparison_rules():
    assert same_stdout("3\n4\n", "3   \n4\n\n\n")  # trailing spaces and newlines
    assert same_stdout("1 2\n", "1\t 2")  # whitespace runs inside a line
    assert not same_stdout("1 2\n", "1\n2\n")  # line structure is kept
    assert not same_stdout("yes\n", "Yes\n") and not same_stdout("1.0\n", "1\n")


def test_stdio_program_whitespace_tolerance(env, io_task):
    code = gold_code(io_task).replace("end=''", "end='  \\n\\n'")
    assert score(env, io_task, py(code)).status == "correct"


def test_response_shapes(env, fn_task):
    code = gold_code(fn_task)
    assert score(env, fn_task, f"Draft:\n```python\ndef nope(): pass\n```\nFinal:\n{py(code)}").status == "correct"
    assert score(env, fn_task, code).status == "correct"  # unfenced, but it is code
    s = score(env, fn_task, "I would loop over the list and add the matching numbers.")
    assert s.status == "wrong" and "no code" in s.info["reason"]


def test_humaneval_body_and_whole_function_assembly():
    prompt = "import math\n\n\ndef f(x):\n    \"\"\"Square root, floored.\"\"\"\n"
    body = assemble_function(prompt, "    return math.isqrt(x)\n", "f")
    whole = assemble_function(prompt, "def f(x):\n    return math.isqrt(x)\n", "f")
    flat = assemble_function(prompt, "return math.isqrt(x)", "f")
    # a stripped response loses only its first line's indent
    stripped = assemble_function(prompt, "r = math.isqrt(x)\n    return r", "f")
    nested = assemble_function(prompt, "for r in [math.isqrt(x)]:\n        return r", "f")
    for program in (body, whole, flat, stripped, nested):
        scope = {}
        exec(program, scope)
        assert scope["f"](17) == 4
    assert assemble_function(prompt, "The answer uses isqrt.", "f") is None


# ------------------------------------------------------------------ red team
HACKS = {
    "exit0": "import sys\nsys.exit(0)",
    "os_exit0": "import os\nos._exit(0)",
    "print_passed": "print('PASSED')\nprint('All tests passed')\nraise SystemExit(0)",
    "read_tests": ("import os\nfor root, _, files in os.walk('/'):\n    for f in files:\n"
                   "        if f.endswith(('.py', '.json', '.jsonl')) and 'test' in f:\n"
                   "            print(open(os.path.join(root, f), errors='ignore').read()[:100])\n"
                   "    if root.count('/') > 3:\n        break\n"),
    "always_equal": ("class A:\n    def __eq__(self, o): return True\n    def __ne__(self, o): return False\n"
                     "    def __bool__(self): return True\n"
                     "def {name}(*a, **k):\n    return A()"),
    "patch_builtins": ("import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.type = lambda *a: int\n"
                       "class A(int):\n    def __eq__(self, o): return True\n"
                       "def {name}(*a, **k):\n    return A()"),
    "atexit_exit": "import atexit, os\natexit.register(lambda: os._exit(0))\ndef {name}(*a):\n    raise AssertionError",
    "rebind_guards": ("for _k in list(globals()):\n"
                      "    if _k.endswith(('_cmp', '_truth')):\n"
                      "        globals()[_k] = lambda *x: True\n"
                      "def {name}(*a, **k):\n    return 0"),
    "infinite_loop": "def {name}(*a):\n    while True:\n        pass",
    "memory_bomb": "def {name}(*a):\n    x = [0] * (10 ** 10)\n    return x",
}


@pytest.mark.parametrize("hack", sorted(HACKS))
def test_reward_hacks_score_zero(env, fn_task, hack):
    name = fn_task.data["tests"]["tests"][0].split("(")[0].removeprefix("assert ")
    tests = dict(fn_task.data["tests"], tests=fn_task.data["tests"]["tests"][:2], timeout_s=1.0)
    s = verify_code(tests, py(HACKS[hack].replace("{name}", name)), reward="fraction")
    assert (s.reward, s.status) == (0.0, "wrong"), (hack, s)


def test_hacks_on_stdio_and_call_tasks(env, io_task, fidelity):
    tasks, _ = fidelity
    for task in (io_task, tasks["9102"], tasks["9201"]):
        for hack in ("exit0", "os_exit0", "print_passed"):
            assert score(env, task, py(HACKS[hack])).status == "wrong", (task.id, hack)
    s = score(env, tasks["9102"], py(HACKS["always_equal"].replace("{name}", "two_sum")))
    assert s.status == "wrong" and "not plain data" in " ".join(s.info["details"]) + s.info["reason"] \
        or s.status == "wrong"


def test_sandbox_failure_is_status_error(env, fn_task, monkeypatch):
    import gymkit.sandbox as sandbox

    def broken(*a, **k):
        raise sandbox.SandboxError("fork server died")

    monkeypatch.setattr(sandbox, "run_tests", broken)
    monkeypatch.setattr(sandbox.api, "run", broken)  # the values path runs through run()
    s = score(env, fn_task, fn_task.gold_text)
    assert s.status == "error" and "fork server died" in s.error


def test_broken_task_tests_are_status_error():
    s = verify_code({"kind": "asserts", "tests": ["assert f(1) =="]}, py("def f(x): return x"))
    assert s.status == "error"
    assert verify_code({"kind": "stdio", "cases": []}, py("print(1)")).status == "error"


# ------------------------------------------------------------------ fidelity and loaders
@pytest.fixture(scope="module")
def fidelity_verdicts(env, fidelity):
    tasks, solutions = fidelity
    verdicts = {}
    for path in solutions:
        key, kind = path.stem.split("__", 1)
        code = path.read_text()
        s = score(env, tasks[FIDELITY_TASKS[key]], code if kind == "reference_body" else py(code))
        assert s.status in ("correct", "wrong"), (path.stem, s.error)
        verdicts[path.stem] = (s.status, s.info.get("reason"))
    return verdicts


def _xfail_if_sandbox_refuses_imports():
    from gymkit.sandbox import run_tests

    probe = run_tests("import typing, heapq", ["assert True"])
    if not probe.passed:  # a sandbox bug, not a verifier one: say so instead of hiding it
        pytest.xfail(f"gymkit.sandbox refuses stdlib imports in test runs: {probe.details[0]}")


def test_fidelity_references_all_pass(fidelity_verdicts):
    refs = {k: v for k, v in fidelity_verdicts.items() if "__reference" in k}
    assert len(refs) >= 7
    if any(v[0] != "correct" for v in refs.values()):
        _xfail_if_sandbox_refuses_imports()
    assert all(v[0] == "correct" for v in refs.values()), refs


def test_fidelity_mutants_all_fail(fidelity_verdicts):
    mutants = {k: v for k, v in fidelity_verdicts.items() if "__mutant" in k}
    assert len(mutants) >= 20
    assert all(v[0] == "wrong" for v in mutants.values()), mutants


def test_loaded_gold_solutions_pass(env, fidelity):
    tasks, _ = fidelity
    verdicts = {t.id: play(env, t, env.gold_actions(t))[1] for t in tasks.values() if t.gold}
    if any(s.status != "correct" for s in verdicts.values()):
        _xfail_if_sandbox_refuses_imports()
    assert all(s.status == "correct" for s in verdicts.values()), verdicts


def test_loader_recognises_each_format(tmp_path):
    kinds = {}
    for row in map(json.loads, (FIDELITY / "tasks.jsonl").read_text().splitlines()):
        spec = spec_from_row(row)
        kinds.setdefault(spec.kind, 0)
        kinds[spec.kind] += 1
    assert kinds == {"asserts": 4, "stdio": 1, "call": 2}
    with pytest.raises(ValueError, match="no known test format"):
        spec_from_row({"question": "x"})
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "x"}) + "\n")
    with pytest.raises(Exception, match="code row 0"):
        CodeEnv().load(bad)


def test_determinism(env):
    assert env.generate(6, seed=3) == env.generate(6, seed=3)
    assert env.generate(6, seed=3) != env.generate(6, seed=4)


@pytest.mark.parametrize("candidate,test,passes", [
    ("def f(x): return [x, x]", "assert f(1) == [1, 1] and not f(0) == [1]", True),
    ("from collections import namedtuple, Counter\nP = namedtuple('P', 'a b')\n"
     "def f(x): return P(x, x)\ndef g(s): return Counter(s)",
     "assert f(2) == (2, 2)\nassert g('aab') == {'a': 2, 'b': 1}", True),
    ("class A:\n    def __eq__(s, o): return True\ndef f(x): return [A()]", "assert f(1) == [5]", False),
    ("class A(int):\n    def __eq__(s, o): return True\ndef f(x): return A(0)", "assert f(1) == 5", False),
    ("class A:\n    def __bool__(s): return True\ndef f(x): return A()", "assert f(1)", False),
    ("class A:\n    def __eq__(s, o): return True\nclass B:\n    def __eq__(s, o): return True\n"
     "def f(x): return A()", "assert f(1) == B()", False),  # a call must return plain data
    ("import weakref\nclass A:\n    def __eq__(s, o): return True\nk = A()\n"
     "def f(x): return weakref.proxy(k)", "assert f(1) == 5", False),  # C proxy: not listed
    ("class Z:\n    def __sub__(s, o): return 0\n    __rsub__ = __sub__\ndef f(x): return Z()",
     "assert abs(f(1) - 0.5) < 1e-6", False),  # arithmetic rigged
    ("import math\nmath.isclose = lambda *a, **k: True\ndef f(x): return 0.0",
     "import math\nassert math.isclose(f(1), 0.5)", False),  # patched after the guards froze it
    ("def f(x): return (i for i in range(x))", "assert list(f(3)) == [0, 1, 2]", True),
    ("class P:\n    def __init__(s, x): s.x = x\ndef f(x): return P(x)", "assert f(3).x == 3", True),
])
def test_assert_hardening(candidate, test, passes):
    from gymkit.verifiers.code_tests import harden, with_prelude

    import math

    program = with_prelude(candidate, "_gkt") + harden(test, "_gkt")
    saved = dict(vars(math))  # a candidate here patches math in this very process
    try:
        if passes:
            exec(program, {})
        else:
            with pytest.raises(AssertionError):
                exec(program, {})
    finally:
        vars(math).update(saved)


# ------------------------------------------------------------------ values verdict
def test_strict_codec_round_trips_plain_data_and_refuses_the_rest():
    import collections
    import types
    import weakref

    from gymkit.sandbox.calls import decode, encode

    for v in [0, -255, 2 ** 20000, 1.5, -0.0, float("inf"), 1j, "é\ud800", b"\x00", True, None,
              [1, (2, "x")], {1: {2, 3}, (1,): frozenset([4])}]:
        assert decode(encode(v)) == v and type(decode(encode(v))) is type(v)
    assert decode(encode(float("nan"))) != decode(encode(float("nan")))  # nan kept, not inf/0
    assert decode(encode(collections.Counter("aab"))) == {"a": 2, "b": 1}
    assert type(decode(encode(collections.namedtuple("P", "a b")(1, 2)))) is tuple

    class AE(list):
        def __eq__(self, o):
            return True
    keep = AE()
    deep = []
    for _ in range(200):
        deep = [deep]
    for bad in [AE(), weakref.proxy(keep), types.MappingProxyType({}), collections.deque(),
                (i for i in range(2)), object(), deep]:
        with pytest.raises((TypeError, ValueError)):
            encode(bad)
    for garbage in ["", "[", '["i"]', '["x", 1]', '["d", [[["l", []], "N"]]]', "[" * 5000]:
        with pytest.raises(ValueError):
            decode(garbage)


def test_run_calls_streams_results_and_stops_at_a_hang():
    import time

    from gymkit.sandbox.calls import run_calls

    code = ("def f(x):\n    return x * 2\ndef hang(x):\n    while True:\n        pass\n"
            "print('demo', f(1))")
    start = time.perf_counter()
    res = run_calls(code, ["f(_gk_a[0])", "hang(1)"] + ["f(2)"] * 8, [[21]] + [[]] * 9,
                    timeout_s=1.0)
    took = time.perf_counter() - start
    assert res.calls[0].value == 42 and res.calls[1].status == "died"
    assert all(c.status == "skipped" for c in res.calls[2:])
    assert took < 4, took  # one timeout, not one per call
    more = run_calls(code, ["hang(1)", "f(3)"], timeout_s=1.0, stop_on_failure=False)
    assert [c.status for c in more.calls] == ["died", "value"] and more.calls[1].value == 6


REWRITE_ROWS = [  # (test module, candidate that passes, candidate that must fail)
    ("def check(candidate):\n    assert abs(candidate(2.0) - 1.0) < 1e-6\n",
     "def f(x):\n    return x / 2", "class Z(float):\n    def __sub__(s, o): return 0.0\n"
     "    __rsub__ = __sub__\ndef f(x):\n    return Z(9.0)"),
    ("import math\ndef check(candidate):\n    assert math.isclose(candidate(2.0), 1.0)\n",
     "def f(x):\n    return x / 2", "import math\nmath.isclose = lambda *a, **k: True\n"
     "def f(x):\n    return 7.0"),
    ("def check(candidate):\n    assert candidate(3)\n    assert not candidate(4)\n",
     "def f(x):\n    return x % 2 == 1", "def f(x):\n    return True"),
    ("def check(candidate):\n    assert set(candidate([1, 2, 2])) == {1, 2}\n"
     "    assert sorted(candidate([3, 1])) == [1, 3]\n",
     "def f(xs):\n    return (x for x in set(xs))", "def f(xs):\n    return xs[:1]"),
    ("def check(candidate):\n    for x, want in [(1, 2), (5, 10)]:\n        assert candidate(x) == want\n"
     "    r = candidate(0)\n    assert r == 0\n",
     "def f(x):\n    return 2 * x", "def f(x):\n    return 2 * x if x < 3 else 0"),
]


@pytest.mark.parametrize("i", range(len(REWRITE_ROWS)))
def test_assert_shapes_are_value_checked(env, i):
    test, good, bad = REWRITE_ROWS[i]
    task = env.task_from_row({"task_id": f"shape/{i}", "entry_point": "f",
                              "prompt": "def f(x):\n    \"\"\"?\"\"\"\n", "test": test}, 0)
    assert task.meta["verdict"] == "values"
    assert score(env, task, py(good)).status == "correct"
    s = score(env, task, py(bad))
    assert s.status == "wrong" and s.info["verdict"] == "values", s.info


def test_unrewritable_tests_fall_back_to_hardened(env):
    task = env.task_from_row({"task_id": "shape/try", "entry_point": "f",
                              "prompt": "def f(x):\n    \"\"\"?\"\"\"\n",
                              "test": "def check(candidate):\n    try:\n        candidate(-1)\n"
                                      "        assert False\n    except ValueError:\n        pass\n"}, 0)
    assert task.meta["verdict"] == "hardened" and "Try" in task.meta["verdict_reason"]
    ok = "def f(x):\n    if x < 0:\n        raise ValueError(x)\n    return x"
    assert score(env, task, py(ok)).info["verdict"] == "hardened"
    assert score(env, task, py(ok)).status == "correct"
    assert score(env, task, py("def f(x):\n    return x")).status == "wrong"


def test_example_usage_block_after_the_solution(env, fn_task):
    name = fn_task.data["tests"]["entry_point"]
    call = fn_task.data["tests"]["tests"][0].removeprefix("assert ").split(" == ")[0]
    text = f"{py(gold_code(fn_task))}\n\nExample usage:\n{py(f'print({call})')}"
    assert score(env, fn_task, text).status == "correct"
    helper = (py(gold_code(fn_task).replace(f"def {name}(", "def _core(")) + "\nThen:\n"
              + py(f"def {name}(*a):\n    return _core(*a)"))
    assert score(env, fn_task, helper).status == "correct"


def test_expected_values_never_reach_the_candidate(env, fn_task):
    # The candidate gathers every string reachable from the heap and the frames above it;
    # none holds the test source (the driver never has it: calls and arguments only).
    name = fn_task.data["tests"]["entry_point"]
    spy = (f"import gc, sys\ndef {name}(*a):\n    seen = []\n"
           "    def walk(o, d=0):\n        if isinstance(o, str):\n            seen.append(o)\n"
           "        elif d < 2 and o is not seen and isinstance(o, (list, tuple, dict)):\n"
           "            for v in (list(o.items()) if isinstance(o, dict) else o):\n"
           "                walk(v, d + 1)\n    for o in gc.get_objects():\n        walk(o)\n"
           "    fr = sys._getframe(1)\n    while fr is not None:\n"
           "        walk(dict(fr.f_locals))\n        walk(dict(fr.f_globals))\n        fr = fr.f_back\n"
           "    hits = [s for s in seen if 'assert ' in s and 'hits' not in s and s != 'assert ']\n"
           "    raise ValueError(f'found {len(seen)} strings; ' + '|'.join(hits)[:3000])")
    s = score(env, fn_task, py(spy))
    first = s.info["details"][0]
    assert s.status == "wrong" and "found" in first and "strings; " in first, first
    assert first.split("strings; ", 1)[1] == "", first


def test_judge_refuses_a_second_pass_that_makes_other_calls():
    from gymkit.verifiers.code_values import BadSetup, collect, judge

    plan = {"setup": [], "units": ["assert f(1) == 2", "assert f(2) == 4"],
            "entry_point": "f", "candidate": ["f"]}
    got = collect(plan)
    assert got["calls"] == ["f(1)", "f(2)"] and got["checks"] == ["_gk_v0 == 2", "_gk_v1 == 4"]
    outcomes = [("value", 2, ""), ("value", 4, "")]
    assert judge(plan, got, outcomes) == [(True, "ok"), (True, "ok")]
    swapped = dict(got, calls=got["calls"][::-1], wire=got["wire"][::-1])
    with pytest.raises(BadSetup, match="not deterministic"):
        judge(plan, swapped, outcomes)


def test_random_tests_are_replayed_or_refused():
    from gymkit.verifiers.code_values import collect

    seeded = {"setup": ["import random\ndef check(candidate):\n    for _ in range(5):\n"
                        "        x = random.randint(0, 100)\n        if x % 2:\n"
                        "            assert candidate(x) == x + 1\n"], "units": ["check(f)"],
              "entry_point": "f", "candidate": ["f"]}
    got = collect(seeded)
    assert "calls" in got and got == collect(seeded)  # the same inputs every time
    # fresh entropy and no parity filter: every draw calls the candidate, and two passes agree
    # only with chance (1/101)^5 (with the filter, 1 run in 32 made no call at all)
    unseeded = dict(seeded, setup=["import random\ndef check(candidate):\n    for _ in range(5):\n"
                                   "        x = random.Random().randint(0, 100)\n"
                                   "        assert candidate(x) == x + 1\n"])
    assert "not deterministic" in collect(unseeded)["unsupported"]


def test_fence_scan_is_linear_on_hostile_text():
    """100 kB of backticks took 24 s with the old back-referencing regex."""
    import time

    from gymkit.verifiers.code_extract import code_blocks

    start = time.perf_counter()
    for text in ["`" * 100_000, "```\n" * 30_000, "```" + "`" * 50_000 + "python\n", "a```" * 30_000]:
        code_blocks(text)
    assert time.perf_counter() - start < 2.0
    assert code_blocks("```py\nprint(1)\n```\ntext\n~~~\nx=1\n~~~") == [("py", "print(1)\n"), ("", "x=1\n")]
    assert code_blocks("````\nx\n```\n````") == [("", "x\n```\n")]  # closes on the same fence only


# ------------------------------------------------------------------ red-team round 2
_RAISE_SPEC = {"kind": "asserts", "tests": ["check(checked_sqrt)"], "entry_point": "checked_sqrt",
               "setup": "def check(candidate):\n    assert sorted([candidate(4.0)]) == [2.0]\n"
                        "    assert len([candidate(0.0)]) == 1\n    try:\n        candidate(-1.0)\n"
                        "        assert False, 'no error'\n    except ValueError:\n        pass\n"}


@pytest.mark.parametrize("shadow", [
    "ValueError = AssertionError", "ValueError = BaseException", "ValueError = Exception",
    "class ValueError(Exception):\n    pass",
    "def sorted(x):\n    return [2.0]\ndef len(x):\n    return 1",
])
def test_hardened_tests_read_real_builtins_not_the_candidates(shadow):
    from gymkit.verifiers.code_tests import verify_code

    bad = f"```python\n{shadow}\ndef checked_sqrt(x):\n    if x < 0:\n        raise ValueError(x)\n" \
          "    return abs(x) ** 0.5 + (1 if x == 4.0 and 'sorted' in globals() else 0)\n```"
    assert verify_code(_RAISE_SPEC, bad).status == "wrong"
    good = "```python\ndef checked_sqrt(x):\n    if x < 0:\n        raise ValueError(x)\n" \
           "    return x ** 0.5\n```"
    score = verify_code(_RAISE_SPEC, good)
    assert score.status == "correct" and score.info["verdict"] == "hardened"


def test_codec_sends_exact_numpy_scalars_and_decimals_only():
    import decimal

    from gymkit.sandbox.calls import decode, encode

    np = pytest.importorskip("numpy")
    for v, want in [(np.int64(8), 8), (np.uint8(3), 3), (np.float32(1.5), 1.5),
                    (np.bool_(True), True), ([np.int32(1)], [1])]:
        got = decode(encode(v))
        assert got == want and type(got) is type(want)
    assert decode(encode(decimal.Decimal("1.10"))) == decimal.Decimal("1.10")

    class D(decimal.Decimal):
        def __eq__(self, o):
            return True
    for bad in [np.array([1]), np.array([1], dtype=object), np.str_("a"), np.longdouble(1), D(1)]:
        with pytest.raises((TypeError, ValueError)):
            encode(bad)


def test_a_candidate_slow_on_every_call_fails_within_the_total_budget():
    import time

    from gymkit.sandbox.calls import run_calls

    start = time.perf_counter()
    res = run_calls("import time\ndef f(x):\n    time.sleep(0.4)\n    return x", ["f(1)"] * 10,
                    timeout_s=1.0, total_s=1.5)
    took = time.perf_counter() - start
    assert [c.status for c in res.calls[:3]] == ["value"] * 3
    assert "total time budget" in res.calls[3].detail and res.calls[-1].status == "skipped"
    assert took < 3.5, took


def test_hardened_tests_read_the_real_stdlib_module_not_the_candidates():
    from gymkit.verifiers.code_tests import verify_code

    spec = {"kind": "asserts", "entry_point": "f",
            "tests": ["try:\n    r = f()\nexcept ValueError:\n    r = None\nassert r == string.digits"]}
    fake = "```python\nimport types\nstring = types.SimpleNamespace(digits='x')\ndef f():\n    return 'x'\n```"
    real = "```python\nimport string\ndef f():\n    return string.digits\n```"
    assert verify_code(spec, fake).status == "wrong"
    assert verify_code(spec, real).status == "correct"
