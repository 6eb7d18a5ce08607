"""Hostile programs against gymkit.sandbox.

Every case must end with the right status, leave the host unchanged (checked on disk),
leave no sandbox process behind (checked in /proc), and leave the sandbox serving the
next request (checked by `hostile`, which wraps every case).
"""
import io
import os
import socket
import zipfile
from pathlib import Path

import pytest

from gymkit.sandbox import client, isolation_report, run, run_tests

ROOT = Path(__file__).resolve().parents[1]
MARK = "gymkit_redteam_marker"
TARGETS = [ROOT / MARK, Path("/tmp") / MARK, Path.home() / MARK, Path("/dev/shm") / MARK]


@pytest.fixture(scope="module", autouse=True)
def strong_mode():
    if isolation_report()["mode"] != "namespaces":
        pytest.skip("red-team guarantees need namespaces mode (root); see docs/sandbox.md")


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (ppid, uid) for every host process."""
    table = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = dict(ln.split(":", 1) for ln in Path(f"/proc/{pid}/status").read_text()
                          .splitlines() if ":" in ln)
        except OSError:
            continue  # exited while we looked
        table[int(pid)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]))
    return table


def sandbox_processes() -> list[int]:
    """Processes of this test's fork server that run as a sandbox uid (must be none).

    Scoped to our own server's descendants: other sessions may use the sandbox meanwhile."""
    table = _proc_table()
    server = client.get_server().proc.pid
    uids = range(client.UID_BASE, client.UID_BASE + 4096)
    found = []
    for pid, (_ppid, uid) in table.items():
        chain, cur = 0, pid
        while cur in table and cur != server and chain < 64:
            cur, chain = table[cur][0], chain + 1
        if cur == server and uid in uids:
            found.append(pid)
    return found


@pytest.fixture()
def hostile():
    """Wraps a case: the host before == after, nothing left running, next run served."""
    project_before = sorted(os.listdir(ROOT))
    yield
    assert not [t for t in TARGETS if t.exists()], "a write escaped the sandbox"
    assert sorted(os.listdir(ROOT)) == project_before
    assert sandbox_processes() == [], "a sandboxed process outlived its run"
    assert run("print(6 * 7)").stdout == "42\n"


def test_fork_bomb(hostile):
    res = run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
              "        pass", timeout_s=1)
    assert res.status == "timeout"
    res = run(":(){ :|:& };:; sleep 5", language="bash", timeout_s=1)
    assert res.status == "timeout"


def test_memory_bomb(hostile):
    assert run("x = bytearray(8 * 1024 ** 3)", memory_mb=256).status == "oom"
    res = run("chunks = []\nwhile True:\n    chunks.append(b'x' * 10 ** 7)", memory_mb=256)
    assert res.status == "oom" and "MemoryError" in res.stderr


def test_infinite_loop(hostile):
    res = run("while True:\n    pass", timeout_s=0.5)
    assert res.status == "timeout" and res.wall_s < 2


def test_setsid_sleeper_and_daemon_do_not_outlive_the_run(hostile):
    res = run("import os, subprocess, time\n"
              "subprocess.Popen(['sleep', '987'], start_new_session=True)\n"
              "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
              "        time.sleep(986)\n    os._exit(0)\nprint('parent done')")
    assert res.status == "ok" and res.stdout == "parent done\n"
    res = run("setsid nohup sleep 985 >/dev/null 2>&1 & disown; echo bye", language="bash")
    assert res.status == "ok" and res.stdout == "bye\n"


def test_one_gigabyte_print(hostile):
    res = run("import sys\nchunk = 'x' * 2 ** 20\nfor _ in range(1024):\n"
              "    sys.stdout.write(chunk)", timeout_s=10)
    assert res.status == "killed" and "output" in res.reason
    assert res.stdout_truncated and len(res.stdout) <= 2 ** 20


def test_loopback_socket_to_a_port_the_host_opened(hostile):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        res = run(f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)"
                  "\nprint('connected')")
        assert res.status == "error" and "connected" not in res.stdout
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody ever reached us


def test_writes_outside_the_working_dir(hostile):
    for target in TARGETS + [Path("/root") / MARK, Path("/var/tmp") / MARK]:
        res = run(f"open({str(target)!r}, 'w').write('pwned')")
        assert res.status == "error", (target, res)
        assert "Errno" in res.stderr
    res = run(f"touch {ROOT}/{MARK} /tmp/{MARK} ~/../{MARK}; echo $?", language="bash")
    assert res.stdout.strip() == "1"


def test_env_secrets_do_not_reach_the_program(hostile, monkeypatch):
    monkeypatch.setenv("GYMKIT_TEST_SECRET_TOKEN", "s3cr3t-value")
    client.reset_server()  # a server started now inherits nothing from this environment
    res = run("import os, glob\nprint(dict(os.environ))\n"
              "for p in glob.glob('/proc/*/environ'):\n"
              "    try:\n        print(open(p, 'rb').read())\n    except OSError:\n"
              "        pass")
    assert res.status == "ok" and "s3cr3t" not in res.stdout
    assert "s3cr3t" not in run("env; cat /proc/1/environ", language="bash").stdout


def test_kill_the_parent(hostile):
    res = run("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)")
    assert res.status == "error" and "PermissionError" in res.stderr
    res = run("import os, signal\nos.kill(1, signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)")
    assert res.status == "error"  # the runner (pid 1) is out of reach, and -1 skips itself


EXIT_EARLY = [
    "import sys\nsys.exit(0)",
    "import os\nos._exit(0)",
    "print('PASSED'); print('All tests passed'); import os; os._exit(0)",
    "raise SystemExit",
    "import os\nos.write(3, b'0' * 32)\nos._exit(0)",
    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)",
]


@pytest.mark.parametrize("prelude", EXIT_EARLY)
def test_exit_before_the_asserts_does_not_pass(hostile, prelude):
    tr = run_tests(prelude + "\ndef f(x):\n    return 0\n", ["assert f(1) == 2"])
    assert tr.passed is False and tr.results == [False]


PATCH_HARNESS = [
    # replace what the harness calls
    "import os\nos._exit = lambda c: None\nos.write = lambda fd, b: len(b)",
    "import builtins\nbuiltins.exec = lambda *a, **k: None\nbuiltins.compile = lambda *a, **k: 0",
    # climb to the harness's frame to read the nonce or the tests
    "import sys\nf = sys._getframe(1)\nprint(f.f_locals)",
    "try:\n    1/0\nexcept Exception as e:\n    print(e.__traceback__.tb_frame.f_back.f_locals)",
    "import gc\nprint([o for o in gc.get_objects() if isinstance(o, str) and len(o) == 32])",
    "import sys\nprint(sys._current_frames())",
    "import sys\nsys.settrace(lambda *a: None)",
    "import sys\nsys.addaudithook(lambda *a: None)\nimport gc\ngc.get_objects()",
    "import ctypes\nctypes.string_at(id(1), 8)",
    "import sys\nsys.modules['ctypes'].string_at(id(1), 8)",
    "print(open('/proc/self/mem', 'rb'))",
    "import signal\nsignal.signal(signal.SIGUSR1, lambda s, f: print(f.f_back.f_locals))",
    # make every assert pass
    "import builtins\nbuiltins.AssertionError = type('AE', (Exception,), {})\n"
    "import sys\nsys.excepthook = lambda *a: None",
]


@pytest.mark.parametrize("attack", PATCH_HARNESS)
def test_patching_the_harness_does_not_pass(hostile, attack):
    tr = run_tests(attack + "\ndef f(x):\n    return 0\n", ["assert f(1) == 2"])
    assert tr.passed is False and tr.results == [False]
    assert run_tests("def f(x):\n    return 2\n", ["assert f(1) == 2"]).passed


def test_hidden_tests_are_not_on_disk(hostile):
    probe = ("import os\nfound = []\n"
             "for top in ('/tmp', '/proc', os.getcwd(), '/dev/shm'):\n"
             "    for d, _, fs in os.walk(top):\n"
             "        found += [os.path.join(d, f) for f in fs]\n"
             "assert not any('SECRET_TEST_MARK' in open(p, errors='ignore').read()\n"
             # Unreadable files (other processes' /dev/shm segments) cannot leak to us.
             "               for p in found if os.path.isfile(p) and os.access(p, os.R_OK)),"
             " found\n"
             "def f():\n    return 1\n")
    tr = run_tests(probe, ["# SECRET_TEST_MARK\nassert f() == 1"])
    assert tr.passed, tr.details


def test_deep_recursion(hostile):
    res = run("def f(n):\n    return f(n + 1)\nf(0)")
    assert res.status == "error" and "RecursionError" in res.stderr
    res = run("import sys, json\nsys.setrecursionlimit(10 ** 7)\njson.loads('[' * 10 ** 6)")
    assert res.status == "error" and "SIGSEGV" in res.reason  # a C-stack overflow: a crash
    tr = run_tests("def f(n):\n    return f(n + 1)\n", ["f(0)"])
    assert not tr.passed and "RecursionError" in tr.details[0]


def test_signal_tampering(hostile):
    res = run("import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM,"
              " signal.SIGXCPU, signal.SIGHUP):\n    signal.signal(s, signal.SIG_IGN)\n"
              "while True:\n    pass", timeout_s=1)
    assert res.status == "timeout"
    res = run("trap '' TERM INT HUP XCPU; while :; do :; done", language="bash", timeout_s=1)
    assert res.status == "timeout"


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zeros = bytes(48 * 2 ** 20)
        for i in range(7):  # 7 x 48 MB = 336 MB unpacked > the 256 MB run disk
            zf.writestr(f"part{i}.bin", zeros)
    return buf.getvalue()


def test_zip_bomb_written_to_disk(hostile):
    res = run("import zipfile\nzipfile.ZipFile('bomb.zip').extractall('out')",
              files={"bomb.zip": _zip_bomb()}, timeout_s=10)
    assert res.status == "error" and ("No space left" in res.stderr or "too large" in res.stderr)
    # The run's disk was a size-capped tmpfs: nothing of it may land in the host's /tmp.
    leftovers = [os.path.join(d, f) for d, _, fs in os.walk(client.BASE_DIR) for f in fs]
    assert sum(os.path.getsize(p) for p in leftovers) < 2 ** 20
    assert not [n for n in os.listdir("/tmp") if n.startswith("gymkit-run-")]
