"""gymkit.sandbox run_tests: honest stdlib/frame use passes, frame walks to the tests fail.

The audit hook hands out a frame only if its whole back-chain (f_back is not audited in
CPython 3.11) avoids the test code, the harness, and resumable generator frames. Each
hostile case below would *pass* the test if the guard let it through, so they can fail.
"""
import pytest

from gymkit.sandbox import run, run_tests

# HumanEval-style check: the expected value `y` sits in the test frame's locals.
CHECK = ("def check(candidate):\n    for x, y in [(1, 11), (2, 22), (3, 33)]:\n"
         "        assert candidate(x) == y\ncheck(f)\n")

HONEST = {
    "typing": "from typing import List, Dict, Optional, NamedTuple, TypeVar, Tuple\n"
              "T = TypeVar('T')\nclass N(NamedTuple):\n    a: int\n"
              "def f(x: int) -> Optional[int]:\n    return N(x).a * 11\n",
    "namedtuple": "from collections import namedtuple\nP = namedtuple('P', 'a b')\n"
                  "def f(x):\n    return P(x, 11).a * P(x, 11).b\n",
    "enum_functional": "from enum import Enum, IntEnum\nC = Enum('C', 'a b')\n"
                       "class K(IntEnum):\n    Z = 11\n"
                       "def f(x):\n    return x * K.Z if C.b.value == 2 else 0\n",
    "dataclasses": "import dataclasses\nfrom typing import List\n"
                   "@dataclasses.dataclass(order=True, frozen=True)\nclass D:\n    x: int\n"
                   "    ys: List[int] = dataclasses.field(default_factory=list)\n"
                   "def f(x):\n    return sorted([D(x * 11), D(0)])[1].x\n",
    "json_fractions_decimal": "import json, fractions, decimal\n"
                              "def f(x):\n    q = fractions.Fraction(x * 22, 2)\n"
                              "    d = decimal.Decimal(json.loads(json.dumps(str(q))))\n"
                              "    return int(d)\n",
    "datetime_heapq_bisect": "import datetime, heapq, bisect, statistics\n"
                             "def f(x):\n    d = datetime.date(2000, 1, 1) + datetime.timedelta(days=x * 11)\n"
                             "    h = [5, (d - datetime.date(2000, 1, 1)).days]\n"
                             "    heapq.heapify(h)\n    return max(heapq.nsmallest(2, h))\n",
    "own_getframe0": "import sys, inspect\nME = sys._getframe(0).f_code.co_filename\n"
                     "HERE = inspect.currentframe().f_code.co_name\n"
                     "def f(x):\n    return x * 11 if (ME, HERE) == ('<candidate>', '<module>') else 0\n",
    "traceback_at_module_level": "import traceback\ntry:\n    1 / 0\nexcept ZeroDivisionError:\n"
                                 "    TB = traceback.format_exc()\n"
                                 "def f(x):\n    return x * 11 if 'ZeroDivisionError' in TB else 0\n",
    # Called from the tests, these stdlib helpers are refused a frame (a ValueError, as
    # at the top of a stack) and fall back to a default __module__.
    "namedtuple_enum_inside_tested_code": "from collections import namedtuple\nfrom enum import Enum\n"
                                          "from typing import NamedTuple\ndef f(x):\n"
                                          "    P = namedtuple('P', 'a')\n    C = Enum('C', 'a b')\n"
                                          "    N = NamedTuple('N', [('q', int)])\n"
                                          "    return P(x).a * 11 * C.a.value * N(1).q\n",
    "not_preloaded_stdlib": "import textwrap, calendar, difflib, csv, zlib, uuid, fnmatch\n"
                            "def f(x):\n    return len(textwrap.dedent(' ' * 3 + 'a' * x * 11))\n",
}


@pytest.mark.parametrize("name", sorted(HONEST))
def test_honest_candidates_pass(name):
    tr = run_tests(HONEST[name], [CHECK, "assert f(2) == 22"])
    assert tr.passed and tr.status == "ok", tr.details


def test_honest_candidate_that_is_wrong_still_fails():
    tr = run_tests(HONEST["typing"].replace("* 11", "* 12"), [CHECK])
    assert not tr.passed and tr.details[0].startswith("AssertionError")


FRAME_WALKS = {
    "getframe_1": "import sys\ndef f(x):\n    return sys._getframe(1).f_locals['y']\n",
    "getframe_deeper": "import sys\ndef f(x):\n    for k in range(1, 10):\n        try:\n"
                       "            loc = sys._getframe(k).f_locals\n        except ValueError:\n"
                       "            continue\n        if 'y' in loc:\n            return loc['y']\n",
    "own_frame_f_back": "import sys\ndef f(x):\n    return sys._getframe(0).f_back.f_locals['y']\n",
    "inspect_stack": "import inspect\ndef f(x):\n    return inspect.stack()[1].frame.f_locals['y']\n",
    "tb_frame_f_back": "def f(x):\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n"
                       "        return e.__traceback__.tb_frame.f_back.f_locals['y']\n",
    # A generator's frame taken at import time gets the tests as f_back once resumed by them.
    "generator_frame_resumed_later": "import sys\ndef gen():\n    me = sys._getframe(0)\n"
                                     "    yield None\n    while True:\n        yield me.f_back.f_back.f_locals['y']\n"
                                     "G = gen()\nnext(G)\ndef f(x):\n    return next(G)\n",
    "frame_of_generator_caller": "import sys\ndef inner():\n    return sys._getframe(1)\n"
                                 "def gen():\n    fr = inner()\n    yield None\n    while True:\n"
                                 "        yield fr.f_back.f_back.f_locals['y']\n"
                                 "G = gen()\nnext(G)\ndef f(x):\n    return next(G)\n",
    "gi_frame": "def gen():\n    while True:\n        yield FR.f_back.f_back.f_locals['y']\n"
                "G = gen()\nFR = G.gi_frame\ndef f(x):\n    return next(G)\n",
    # sys.audit can raise the event with a fake object: the hook must not run its code while
    # it is re-entrant (reading a real tb_frame unchecked).
    "fake_traceback_via_sys_audit": "import sys\nGOT = []\nclass T:\n    @property\n"
                                    "    def tb_frame(self):\n        GOT.append(TB[0].tb_frame)\n"
                                    "def f(x):\n    try:\n        1 / 0\n    except ZeroDivisionError as e:\n"
                                    "        TB[:] = [e.__traceback__]\n"
                                    "    try:\n        sys.audit('object.__getattr__', T(), 'tb_frame')\n"
                                    "    except ValueError:\n        pass\n"
                                    "    return GOT.pop().f_back.f_locals['y']\nTB = []\n",
    "exception_context_from_the_tests": "import sys\ndef f(x):\n    if x == 0:\n        raise KeyError\n"
                                        "    tb = sys.exc_info()[2]\n    return tb.tb_frame.f_locals['y']\n",
    # The worker's first frame is visible from the module frame: it must hold nothing useful.
    "boundary_frame_locals": "import sys, time\nL = sys._getframe(0).f_back.f_locals\n"
                             "for v in L.values():\n    if isinstance(v, list):\n"
                             "        for item in v:\n            if isinstance(item, tuple) and callable(item[-1]):\n"
                             "                item[-1](True)\n"
                             "L['release']()\ntime.sleep(0.3)\ndef f(x):\n    return 0\n",
    "boundary_release_early": "import sys, time\nsys._getframe(1).f_locals['release']()\n"
                              "time.sleep(0.3)\ndef f(x):\n    return 0\n",
}


@pytest.mark.parametrize("name", sorted(FRAME_WALKS))
def test_frame_walks_to_the_tests_do_not_pass(name):
    test = CHECK if name != "exception_context_from_the_tests" else (
        "def check(candidate):\n    y = 11\n    try:\n        candidate(0)\n"
        "    except KeyError:\n        assert candidate(1) == y\ncheck(f)\n")
    tr = run_tests(FRAME_WALKS[name], [test])
    assert tr.passed is False and tr.results == [False], tr.details


def test_frame_refusals_are_value_errors_and_say_why():
    cand = ("import sys\ndef f(x):\n    try:\n        sys._getframe(1)\n"
            "    except ValueError as e:\n        return str(e)\n")
    tr = run_tests(cand, ["r = f(1)\nassert 'not reachable' in r, r"])
    assert tr.passed, tr.details


def test_plain_run_has_no_frame_restrictions():
    res = run("import inspect\ndef g():\n    return len(inspect.stack())\nprint(g() >= 2)")
    assert res.status == "ok" and res.stdout == "True\n", res.stderr
