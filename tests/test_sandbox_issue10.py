"""Issue 10 red team: one test per attack class that once forged a pass, leaked the tests,
crossed between runs, or turned a candidate's own mess into a sandbox `error`."""
import time

import pytest

from gymkit.sandbox import SandboxError, Workspace, isolation_report, run, run_tests

CHECK = "assert f(3) == 13\nassert f(5) == 29\n"   # f(x) = x*x + 4
WRONG = "def f(x):\n    return 0\n"
# A probe that earns the pass exactly when its attack got through (so the test can fail).
REWARD_IF_GOT = "def f(x):\n    return x * x + 4 if got else 0\n"


@pytest.fixture(scope="module", autouse=True)
def strong_mode():
    rep = isolation_report()
    if rep["mode"] != "namespaces":
        pytest.skip("these guarantees need namespaces mode (root); see docs/sandbox.md")


def _fails(cand: str, tests=CHECK) -> list[str]:
    tr = run_tests(cand, [tests], timeout_s=5.0)
    assert not tr.passed and tr.results == [False], (tr.details, tr.runs[0].stderr[-800:])
    return tr.details


# 1. Rewriting the harness through f_back.f_globals or sys.modules.
HARNESS_REWRITES = {
    "f_back_finish_code": "import sys\ng = sys._getframe(0).f_back.f_globals\n"
                          "def fin(*a):\n    a[5](True)\n"
                          "g['_finish'].__code__ = fin.__code__\n" + WRONG,
    "sys_modules_finish_code": "import sys\nm = [v for k, v in sys.modules.items() if k.endswith"
                               "('.jail')][0]\ndef fin(*a):\n    a[5](True)\n"
                               "m._finish.__code__ = fin.__code__\n" + WRONG,
    "finish_defaults": "import sys\ng = sys._getframe(0).f_back.f_globals\n"
                       "g['_finish'].__defaults__ = (1,) * 7\n" + WRONG,
    "rebind_finish": "import sys\ng = sys._getframe(0).f_back.f_globals\n"
                     "g['_finish'] = lambda *a: a[5](True)\n" + WRONG,
    "record_rewrite": "import sys\ng = sys._getframe(0).f_back.f_globals\n"
                      "g['_failure_record'].__code__ = (lambda *a: b'').__code__\n" + WRONG,
}


@pytest.mark.parametrize("name", sorted(HARNESS_REWRITES))
def test_harness_functions_cannot_be_rewritten(name):
    _fails(HARNESS_REWRITES[name])


# 2. Raw memory: _ctypes under any name, numpy's __array_interface__.
RAW_MEMORY = {
    "ctypes_cached": "import sys\nassert '_ctypes' not in sys.modules\nimport _ctypes\n" + WRONG,
    "ctypes_other_name": "import glob, sys, importlib.util as u\n"
                        "p = glob.glob(sys.path[-1] + '/_ctypes.*so')[0]\n"
                        "s = u.spec_from_file_location('innocent._ctypes', p)\nm = u.module_from_spec(s)\n"
                        "s.loader.exec_module(m)\n" + WRONG,
    "ctypes_subclasses": "cd = [c for c in object.__subclasses__() if c.__name__ == '_CData']\n"
                         "assert cd, 'no _ctypes type in this process'\n" + WRONG,
    "numpy_interface": "import numpy\n" + WRONG,
    "numpy_by_path": "import sys, glob\nsys.path += glob.glob('/usr/lib*/python3*/*-packages') + "
                     "glob.glob('/usr/local/lib*/python3*/*-packages') + "
                     "glob.glob('/work/*/.venv/lib/python3*/site-packages')\ntry:\n"
                     "    import numpy\n    got = True\nexcept ImportError:\n    got = False\n"
                     + REWARD_IF_GOT,
    "any_ctypes_file": "import glob, importlib.util as u\nloaded = []\n"
                       "for p in glob.glob('/usr/lib*/python3*/lib-dynload/_ctypes.*so') + "
                       "glob.glob('/usr/local/lib*/python3*/lib-dynload/_ctypes.*so') + "
                       "glob.glob('/root/.pyenv/versions/*/lib/python3*/lib-dynload/_ctypes.*so'):\n"
                       "    try:\n        u.module_from_spec(u.spec_from_file_location('pkg._ctypes', p))\n"
                       "        loaded.append(p)\n    except ImportError:\n        pass\n"
                       "got = bool(loaded)\n" + REWARD_IF_GOT,
    "testcapi": "import importlib.util as u, glob, sys\n"
                "p = glob.glob(sys.path[-1] + '/_testcapi.*so')[0]\n"
                "s = u.spec_from_file_location('_testcapi', p)\nu.module_from_spec(s)\n" + WRONG,
    "proc_self_mem": "open('/proc/self/mem', 'rb')\n" + WRONG,
}


@pytest.mark.parametrize("name", sorted(RAW_MEMORY))
def test_no_raw_memory_in_a_test_process(name):
    _fails(RAW_MEMORY[name])


# 4. Learning the tests: failure formatting, linecache, keyrings across runs.
def test_failure_text_runs_no_candidate_code_and_shows_no_test_source():
    cand = ("import linecache, sys\nclass E(Exception):\n    def __str__(self):\n"
            "        sys.stderr.write('LEAK' + repr(linecache.cache.get('<test>')))\n"
            "        return 'LEAK'\n    __repr__ = __str__\n"
            "class R:\n    def __repr__(self):\n        sys.stderr.write('LEAKR'); return 'R'\n"
            "    __str__ = __repr__\n    def __eq__(self, o):\n        return False\n"
            "def f(x):\n    if x == 5:\n        raise E('x')\n    return R()\n")
    for test in (CHECK, "assert f(5) == 29\n"):
        tr = run_tests(cand, [test])
        assert not tr.passed
        assert "LEAK" not in tr.runs[0].stderr and "LEAK" not in tr.details[0], tr.details
        assert "test line" in tr.details[0], tr.details


def test_keyrings_and_sysv_ipc_are_refused():
    code = ("import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "for nr in (248, 249, 250, 29, 64, 68):\n"  # add_key request_key keyctl shm sem msg
            "    r = libc.syscall(nr, b'user', b'k', b'v', 1, -2)\n"
            "    print(nr, r, ctypes.get_errno())\n")
    res = run(code)
    assert res.status == "ok", res.stderr
    for line in res.stdout.split("\n")[:-1]:
        nr, r, err = map(int, line.split())
        assert r == -1 and err == 1, line  # EPERM from the seccomp filter


def test_a_wrong_program_never_learns_across_runs():
    cand = ("import os\np = '/tmp/../learned'\n"
            "def f(x):\n    try:\n        return int(open(p).read())\n    except OSError:\n"
            "        pass\n    try:\n        open(p, 'w').write('13')\n    except OSError:\n"
            "        pass\n    return 0\n")
    assert [run_tests(cand, ["assert f(3) == 13\n"]).passed for _ in range(3)] == [False] * 3


# 5. Host files: no project tree, task data, home or .git.
def test_host_tree_is_not_visible():
    code = ("import os\nfor p in ('/work/main/README.md', '/work/main/.git', '/root/.bashrc',"
            " '/work/main/envs', '/work/main/tests', '/tmp/gymkit-sandbox/ws'):\n"
            "    print(p, os.path.exists(p))\n")
    res = run(code)
    assert res.status == "ok" and "True" not in res.stdout, (res.stdout, res.stderr)
    res = run("ls /work/main /root /home 2>&1; echo END", language="bash")
    assert res.status == "ok" and "README" not in res.stdout and "envs" not in res.stdout, \
        res.stdout
    tr = run_tests("import os, sys\nseen = [p for p in sys.path if p and os.path.isdir(p)"
                   " and 'site-packages' in p and os.listdir(p)]\n"
                   "def f(x):\n    return x * x + 4\n", [CHECK + "assert not seen\n"])
    assert tr.passed, tr.details


# Side channels: abstract unix sockets between concurrent runs.
def test_no_abstract_unix_socket():
    code = ("import socket\ns = socket.socket(socket.AF_UNIX)\ns.bind('\\0gymkit-chan')\n")
    res = run(code)
    assert res.status == "error" and "Operation not permitted" in res.stderr, res.stderr
    tr = run_tests("import socket\nsocket.socket(socket.AF_UNIX)\n" + WRONG, ["assert 1"])
    assert not tr.passed
    assert run("import socket\na, b = socket.socketpair()\na.send(b'x')\n"
               "print(b.recv(1))").stdout.strip() == "b'x'"


# Denial of service: memory across processes and memfds, inodes, dirs, depth, cleanup.
def test_memfd_and_children_are_capped_together():
    memfd = ("import os\nfd = os.memfd_create('x')\nfor _ in range(300):\n"
             "    os.write(fd, b'x' * (1 << 20))\nprint('held')\n")
    res = run(memfd, memory_mb=64, timeout_s=10)
    assert res.status == "oom" and "held" not in res.stdout, (res.status, res.reason)
    kids = ("import os, time\nfor _ in range(6):\n    if os.fork() == 0:\n"
            "        b = bytearray(100 << 20)\n        for i in range(0, len(b), 4096):\n"
            "            b[i] = 1\n        time.sleep(5)\n        os._exit(0)\n"
            "time.sleep(3)\n")
    res = run(kids, memory_mb=128, timeout_s=10)  # 600 MB wanted in all, 128 MB allowed
    assert res.status == "oom", (res.status, res.reason)
    tmpfile = ("b = b'x' * (1 << 20)\nwith open('big', 'wb') as fh:\n    for _ in range(200):\n"
               "        fh.write(b)\n" + WRONG)  # tmpfs pages count too
    tr = run_tests(tmpfile, ["assert f(1) == 5", "assert f(2) == 5"], memory_mb=64)
    assert tr.results == [False, False] and tr.status == "oom", tr.details
    assert run_tests("def f(x):\n    return x * x + 4\n", [CHECK], memory_mb=64).passed


def test_file_flood_is_capped_and_cleanup_costs_the_caller_nothing():
    flood = ("import os\nn = 0\ntry:\n    while True:\n        open(f'f{n}', 'w').close(); n += 1\n"
             "except OSError as e:\n    print(n, e.errno)\n")
    t0 = time.monotonic()
    res = run(flood, timeout_s=20)
    n, errno = map(int, res.stdout.split())
    assert n < 20000 and errno == 28, res.stdout  # ENOSPC at the inode cap
    assert time.monotonic() - t0 < 15
    tr = run_tests(flood + WRONG, ["assert f(1) == 5"], timeout_s=5)
    assert tr.results == [False] and tr.status == "error"


def test_workspace_dirs_count_and_depth_never_break_later_runs():
    with Workspace(disk_mb=1) as ws:
        res = ws.run("mkdir -p $(seq -f d%g 1 5000) && echo made")
        assert "made" in res.stdout and "not saved" in res.reason, res.reason
        assert ws.snapshot() == {}
        res = ws.run("p=.; for i in $(seq 70); do p=$p/d; done; mkdir -p $p && echo deep")
        assert "deep" in res.stdout and "not saved" in res.reason, res.reason
        res = ws.run("echo ok > a && cat a")
        assert res.status == "ok" and res.stdout == "ok\n" and ws.snapshot() == {"a": b"ok\n"}


def test_a_flood_cannot_produce_a_sandbox_error():
    """Every flood at once, in run, run_tests and a Workspace: all end as the candidate's
    failure (a status), none as SandboxError."""
    floods = [
        "import os\nwhile True:\n    os.makedirs(os.urandom(4).hex(), exist_ok=True)\n",
        "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
        "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
        "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\ntime.sleep(60)\n",
    ]
    for code in floods:
        try:
            res = run(code, timeout_s=2, memory_mb=128)
            tr = run_tests(code + WRONG, ["assert f(1) == 5"], timeout_s=2, memory_mb=128)
        except SandboxError as exc:  # the one thing a candidate must never cause
            pytest.fail(f"flood produced SandboxError: {exc}\n{code}")
        assert res.status in ("timeout", "killed", "oom", "error"), res.status
        assert not tr.passed and tr.status != "ok"


def test_a_full_tmp_never_reaches_the_next_test_or_run():
    """A candidate that uses up its tmp's inodes fails its own tests; the next test of
    the same call, and the next caller on the same slot, start on an empty tmp."""
    flood = ("n = 0\ntry:\n    while True:\n        open(f'f{n}', 'w').close(); n += 1\n"
             "except OSError:\n    pass\n" + WRONG)
    for _ in range(2):
        tr = run_tests(flood, ["assert f(1) == 5", "assert f(2) == 5"], timeout_s=10)
        assert tr.results == [False, False] and all("AssertionError" in d for d in tr.details), \
            tr.details
        for _ in range(2):  # two slots on this machine: the next callers land on either
            tr = run_tests("open('x', 'w').write('1')\ndef f(x):\n    return x * x + 4\n",
                           [CHECK])
            assert tr.passed, tr.details
