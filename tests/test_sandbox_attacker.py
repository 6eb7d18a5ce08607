"""A scripted attacker: every route to a false pass we could think of, beyond issue 10's.

Each candidate below is WRONG (f(3) should be 13, f(5) should be 29) and tries one trick
to get `run_tests` to report a pass anyway. All must fail, with the test failed (never a
SandboxError). Then one honest candidate must still pass, so the tests can fail.
"""
import pytest

from gymkit.sandbox import isolation_report, run_tests

CHECK = "assert f(3) == 13\nassert f(5) == 29\n"
WRONG = "def f(x):\n    return 0\n"

ATTACKS = {
    # Ending the process early, or pretending the tests ran.
    "exit0_module": "import sys\nsys.exit(0)\n",
    "os_exit0_in_f": "import os\ndef f(x):\n    os._exit(0)\n",
    "systemexit_in_f": "def f(x):\n    raise SystemExit(0)\n",
    "keyboardinterrupt": "def f(x):\n    raise KeyboardInterrupt\n",
    "write_fd3_junk": "import os\nos.write(3, b'0' * 32)\n" + WRONG,
    "forked_writer": "import os, time\nif os.fork() == 0:\n    time.sleep(0.2)\n"
                     "    os.write(3, b'f' * 32)\n    os._exit(0)\n" + WRONG,
    "kill_self": "import os, signal\ndef f(x):\n    os.kill(os.getpid(), signal.SIGKILL)\n",
    # Releasing the main thread early, or racing it.
    "release_early": "import sys\nfr = sys._getframe(0).f_back\nfr.f_locals['release']()\n"
                     "import time\ntime.sleep(0.5)\n" + WRONG,
    "failures_clear": "import sys\nfl = sys._getframe(0).f_back.f_locals['failures']\n"
                      "import threading, time\n"
                      "def wipe():\n    for _ in range(200):\n        fl.clear(); time.sleep(0.001)\n"
                      "threading.Thread(target=wipe).start()\n" + WRONG,
    "pending_peek": "import sys\np = sys._getframe(0).f_back.f_locals['pending']\n"
                    "p[0][5](True) if p else None\n" + WRONG,
    # Patching what the tests or the harness use.
    "patch_assertionerror": "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n"
                            + WRONG,
    "patch_os_write": "import os\n_w = os.write\nos.write = lambda fd, b: _w(fd, b)\n" + WRONG,
    "patch_thread": "import _thread\n_thread.allocate_lock = None\n" + WRONG,
    "excepthook": "import sys, threading\nsys.excepthook = threading.excepthook = "
                  "lambda *a: None\n" + WRONG,
    "main_module_swap": "import sys, types\nsys.modules['__main__'] = types.ModuleType('m')\n"
                        + WRONG,
    "eq_on_int": "class I(int):\n    def __eq__(s, o):\n        return True\n    __hash__ = int.__hash__\n"
                 "def f(x):\n    return I(0)\n",
    # Reaching frames, code and objects the guard hides.
    "getframe_deep": "import sys\ndef f(x):\n    fr = sys._getframe(1)\n    return fr.f_locals\n",
    "inspect_stack": "import inspect\ndef f(x):\n    return inspect.stack()[1].frame.f_locals\n",
    "traceback_walk": "import sys\ndef f(x):\n    try:\n        1/0\n    except Exception as e:\n"
                      "        t = e.__traceback__.tb_frame.f_back\n        return t.f_locals\n",
    "generator_frame": "def f(x):\n    g = (i for i in [1])\n    return g.gi_frame.f_back\n",
    "gc_referrers": "import gc\ndef f(x):\n    return gc.get_referrers(f)\n",
    "gc_objects": "import gc\nobjs = gc.get_objects()\n" + WRONG,
    "current_frames": "import sys\nfr = sys._current_frames()\n" + WRONG,
    "settrace": "import sys\nsys.settrace(lambda *a: None)\n" + WRONG,
    "threading_settrace": "import threading, sys\nthreading.settrace(lambda *a: None)\n"
                          "threading.Thread(target=lambda: None).start()\n" + WRONG,
    "setprofile": "import sys\nsys.setprofile(lambda *a: None)\n" + WRONG,
    "addaudithook": "import sys\nsys.addaudithook(lambda *a: None)\n" + WRONG,
    "code_replace": "def f(x):\n    return 0\nf.__code__.replace(co_consts=(None, 1))\n",
    "function_new": "import types\ng = types.FunctionType((lambda: 0).__code__, {})\n" + WRONG,
    "marshal_code": "import marshal\nc = marshal.loads(marshal.dumps((lambda: 0).__code__))\n"
                    "exec(c)\n" + WRONG,
    "pyc_import": "import sys, py_compile\nsys.pycache_prefix = None\n"
                  "open('m.py', 'w').write('X = 1')\npy_compile.compile('m.py', 'm.pyc')\n"
                  "import importlib.machinery as im\n"
                  "im.SourcelessFileLoader('m', 'm.pyc').load_module()\n" + WRONG,
    "callback_code": "def f(x):\n    return 0\n",  # paired with a test that passes a lambda
    "subinterpreter": "import _xxsubinterpreters\n" + WRONG,
    "faulthandler": "import faulthandler, sys\nfaulthandler.dump_traceback(sys.stderr)\n" + WRONG,
    "signal_in_worker": "import signal\nsignal.signal(signal.SIGALRM, lambda *a: None)\n" + WRONG,
    "itimer_kill": "import signal\nsignal.setitimer(signal.ITIMER_REAL, 0.01)\n"
                   "def f(x):\n    import time; time.sleep(1)\n",
    "write_exec_so": "open('x.so', 'wb').write(b'\\x7fELF')\nimport importlib.util as u\n"
                     "s = u.spec_from_file_location('x', 'x.so')\nu.module_from_spec(s)\n" + WRONG,
    "proc_fd3": "open('/proc/self/fd/3', 'w').write('x' * 32)\n" + WRONG,
    "keyring_read": "import os\nos.system('keyctl show @u')\n" + WRONG,
}


@pytest.fixture(scope="module", autouse=True)
def strong_mode():
    if isolation_report()["mode"] != "namespaces":
        pytest.skip("attacker guarantees need namespaces mode (root)")


KNOWN_LIMITS = {"eq_on_int": "test semantics are Python's: an always-equal result passes "
                             "`==` asserts; code tasks compare values on the trusted side "
                             "instead (sandbox/calls.py, verifiers/code_tests.py)"}


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(
    strict=True, reason=KNOWN_LIMITS[n])) if n in KNOWN_LIMITS else n for n in sorted(ATTACKS)])
def test_attack_gets_no_pass(name):
    tests = CHECK
    if name == "callback_code":
        tests = "assert f(lambda: 13) == 13 or (lambda: 13).__code__\n"
    tr = run_tests(ATTACKS[name], [tests, "assert f(5) == 29"], timeout_s=3)
    assert tr.results == [False, False] and not tr.passed, (name, tr.details)
    assert tr.status in ("error", "timeout", "killed", "oom"), tr.status


def test_the_honest_candidate_passes():
    tr = run_tests("def f(x):\n    return x * x + 4\n", [CHECK, "assert f(5) == 29"])
    assert tr.passed and tr.results == [True, True], tr.details
