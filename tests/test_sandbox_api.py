"""gymkit.sandbox: the API contract (statuses, outputs, files, tests, workspaces, queueing)."""
import os
import subprocess
import sys
import threading

import pytest

from gymkit.sandbox import RunResult, Workspace, isolation_report, run, run_tests
from gymkit.sandbox import api, client


def test_python_stdout_stdin_and_exit_codes():
    res = run("import sys\nprint(input()[::-1])\nprint('e', file=sys.stderr)", stdin="abc")
    assert isinstance(res, RunResult)
    assert (res.status, res.exit_code, res.stdout, res.stderr) == ("ok", 0, "cba\n", "e\n")
    assert 0 < res.wall_s < 5
    assert run("import sys; sys.exit(3)").exit_code == 3
    assert run("import sys; sys.exit(3)").status == "error"
    bad = run("1/0")
    assert bad.status == "error" and "ZeroDivisionError" in bad.stderr and bad.exit_code == 1


def test_python_behaves_like_python_c():
    res = run("import atexit, threading, time\n"
              "atexit.register(lambda: print('atexit'))\n"
              "threading.Thread(target=lambda: (time.sleep(0.05), print('thread'))).start()\n"
              "print(__name__)")
    assert res.stdout.split() == ["__main__", "thread", "atexit"]
    assert run("syntax error here").status == "error"


def test_bash_and_files():
    res = run("cat data/in.txt | tr a-z A-Z; ls", language="bash",
              files={"data/in.txt": "hello\n", "b.bin": b"\x00\x01"})
    assert res.status == "ok", res
    assert res.stdout.splitlines() == ["HELLO", "b.bin", "data"]
    assert run("exit 7", language="bash").exit_code == 7


def test_each_run_gets_a_fresh_working_dir():
    run("open('left.txt', 'w').write('x')")
    res = run("import os; print(sorted(os.listdir('.')))")
    assert res.stdout.strip() == "[]"


def test_environment_is_scrubbed():
    res = run("import os, json; print(json.dumps(sorted(os.environ)))")
    assert set(eval(res.stdout)) <= {"PATH", "HOME", "TMPDIR", "PWD", "LANG", "LC_ALL",
                                     "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING"}


def test_timeout_and_output_cap(monkeypatch):
    res = run("while True: pass", timeout_s=0.5)
    assert res.status == "timeout" and 0.5 <= res.wall_s < 3
    monkeypatch.setattr(api, "OUTPUT_CAP", 1000)
    res = run("print('y' * 5000)")
    assert res.status == "ok" and res.stdout_truncated and len(res.stdout) == 1000


def test_bad_arguments_give_one_line_errors():
    with pytest.raises(ValueError, match="language 'ruby'"):
        run("x", language="ruby")
    with pytest.raises(ValueError, match="timeout_s"):
        run("x", timeout_s=0)
    with pytest.raises(ValueError, match="stay inside"):
        run("x", files={"../escape.txt": "no"})
    with pytest.raises(ValueError, match="both as a file and as a folder"):
        run("x", files={"pkg": "no", "pkg/mod.py": "x = 1"})
    with pytest.raises(TypeError, match="tests must be"):
        run_tests("x", [])


def test_run_tests_gold_wrong_garbage():
    cand = "def add(a, b):\n    return a + b\n"
    gold = run_tests(cand, "assert add(1, 2) == 3\nassert add(-1, 1) == 0")
    assert gold.passed and gold.results == [True] and gold.status == "ok"
    wrong = run_tests("def add(a, b):\n    return a - b\n",
                      ["assert add(1, 2) == 3", "assert add(0, 0) == 0"])
    assert not wrong.passed and wrong.results == [False, True]
    assert wrong.details[0].startswith("AssertionError") and "add(1, 2) == 3" in wrong.details[0]
    garbage = run_tests("def add(a, b) return", "assert add(1, 2) == 3")
    assert not garbage.passed and garbage.status == "error" and "SyntaxError" in garbage.details[0]


def test_run_tests_allows_ordinary_library_use():
    cand = ("import logging, json, collections, re\nlogging.warning('hi')\n"
            "def f(s):\n    return collections.Counter(re.findall(r'\\w', s))['a']\n")
    tr = run_tests(cand, "assert f('banana') == 3")
    assert tr.passed, tr.details


def test_run_tests_each_snippet_has_its_own_time_limit():
    tr = run_tests("def f(x):\n    while x: pass\n    return 1",
                   ["assert f(0) == 1", "assert f(1) == 1", "assert f(0) == 1"], timeout_s=0.5)
    assert tr.results == [True, False, True] and tr.status == "timeout"
    assert "wall clock" in tr.details[1]


def test_run_tests_state_does_not_leak_between_snippets():
    tr = run_tests("import builtins\nseen = []", ["seen.append(1); assert len(seen) == 1"] * 3)
    assert tr.results == [True, True, True]


def test_workspace_persists_and_snapshots():
    with Workspace(files={"a.txt": "hi\n"}) as ws:
        assert ws.run("cat a.txt && echo more >> a.txt && mkdir d && echo z > d/z",
                      timeout_s=5).stdout == "hi\n"
        res = ws.run("cat a.txt; ln -s /etc/shadow link; mkfifo pipe", timeout_s=5)
        assert res.stdout == "hi\nmore\n"
        snap = ws.snapshot()
        assert snap == {"a.txt": b"hi\nmore\n", "d/z": b"z\n"}
        path = ws.path
    assert not os.path.exists(path)


def test_concurrent_runs_queue_instead_of_failing(monkeypatch):
    monkeypatch.setenv("GYMKIT_SANDBOX_SLOTS", "1")
    results: list = []
    threads = [threading.Thread(target=lambda i=i: results.append(run(f"print({i})")))
               for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.stdout for r in results) == [f"{i}\n" for i in range(6)]


def test_slots_are_shared_across_processes(monkeypatch):
    # Another process holds the only slot: our run must wait for it, then succeed.
    monkeypatch.setenv("GYMKIT_SANDBOX_SLOTS", "1")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom gymkit.sandbox import client\n"
         "s = client.acquire_slot(); print('held', flush=True); time.sleep(0.4)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "GYMKIT_SANDBOX_SLOTS": "1"})
    assert holder.stdout.readline().strip() == "held"
    res = run("print('after')")
    assert res.stdout == "after\n" and holder.poll() is not None
    holder.wait()


def test_isolation_report_names_the_mode():
    rep = isolation_report()
    assert rep["mode"] in ("namespaces", "rlimits") and rep["why"]
    if os.geteuid() == 0:
        assert rep["mode"] == "namespaces", rep["why"]


def test_server_restarts_after_it_dies():
    run("pass")
    client.get_server().proc.kill()
    client.get_server().proc.wait()
    assert run("print(5)").stdout == "5\n"


def test_weak_mode_fallback_still_runs_and_says_so():
    script = ("from gymkit.sandbox import run, run_tests, isolation_report\n"
              "rep = isolation_report(); assert rep['mode'] == 'rlimits', rep\n"
              "assert rep['network'] == 'NOT isolated'\n"
              "r = run('import os; print(os.getuid() != 0)'); assert r.stdout == 'True\\n', r\n"
              "assert run('while True: pass', timeout_s=0.5).status == 'timeout'\n"
              "assert run_tests('def f(): return 1', ['assert f() == 1']).passed\n"
              "assert not run_tests('import os; os._exit(0)', ['assert 0']).passed\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "GYMKIT_SANDBOX_MODE": "rlimits"}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "WEAK mode" in proc.stderr
