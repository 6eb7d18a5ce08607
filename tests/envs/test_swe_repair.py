import json
import random
from pathlib import Path

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.swe_repair import SweRepairEnv
from gymkit.envs.swe_repair.patch import PatchError, apply_patch, make_patch
from gymkit.envs.swe_repair.repo import BY_NAME, POOL, generate_repo, run_test_ids
from gymkit.errors import GymkitError
from gymkit.tools import make_call
from gymkit.types import Task

DATA = Path(__file__).resolve().parents[2] / "envs" / "swe_repair" / "data"


@pytest.fixture(scope="module")
def env():
    return SweRepairEnv()


def act(name, args, i=0):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args, f"c{i}")]}


SUBMIT = act("submit", {}, 99)


def test_check_env(env):
    assert check_env(env) == []


def test_every_bug_fails_its_hidden_tests_and_gold_passes():
    """Each bug of the pool, injected alone: its hidden tests fail before the fix, all pass after,
    and the visible tests (without the issue's example) pass either way."""
    for m in POOL:
        for bug in m.bugs:
            src = m.source.replace("PKG", "pkg")
            files = {"pkg/__init__.py": "", "pkg/money.py": BY_NAME["money"].source,
                     f"pkg/{m.name}.py": src.replace(bug.good, bug.bad)}
            tests = {"t/test_h.py": (m.imports + "\n" + m.hidden + bug.hidden).replace("PKG", "pkg"),
                     "t/test_v.py": (m.imports + "\n" + m.visible).replace("PKG", "pkg")}
            hidden = [f"t/test_h.py::{n}" for n in _names(bug.hidden)]
            vis = [f"t/test_v.py::{n}" for n in _names(m.visible)]
            broken = run_test_ids({**files, **tests}, hidden + vis, per_test=True)
            assert not any(broken[h][0] for h in hidden), (m.name, bug.issue)
            assert all(broken[v][0] for v in vis), (m.name, bug.issue)
            files[f"pkg/{m.name}.py"] = src
            good = run_test_ids({**files, **tests}, hidden + vis, per_test=False)
            assert all(ok for ok, _ in good.values()), (m.name, good)


def _names(src):
    return [ln[4:].split("(")[0] for ln in src.splitlines() if ln.startswith("def test_")]


def test_levels_grow(env):
    sizes = {}
    for lv in env.difficulties:
        repos = [generate_repo(random.Random(f"lv{lv}-{i}"), lv) for i in range(6)]
        sizes[lv] = (sum(len(r.files) for r in repos) / 6, max(len(r.edits) for r in repos))
    assert sizes[1][0] < sizes[2][0] < sizes[3][0]
    assert sizes[1][1] == 1 and sizes[3][1] == 2


def test_gold_solves_each_level(env):
    for lv in env.difficulties:
        t = env.generate(1, seed=4, difficulty=lv)[0]
        s = play(env, t, env.gold_actions(t))[1]
        assert (s.status, s.reward) == ("correct", 1.0), (t.id, s.info)


def test_edited_tests_and_no_change_fail_without_running(env):
    t = env.generate(1, seed=1, difficulty=1)[0]
    assert play(env, t, [SUBMIT])[1].info["reason"] == "the repository was not changed"
    path = t.data["protected"][0]
    first = next(ln for ln in t.data["files"][path].splitlines() if ln.startswith("def test_"))
    s = play(env, t, [act("edit_file", {"path": path, "old": first, "new": "def _skipped():"}),
                      *env.gold_actions(t)])[1]
    assert s.status == "wrong" and "visible tests" in s.info["reason"]


def test_tools_refuse_bad_input(env):
    t = env.generate(1, seed=2, difficulty=2)[0]
    ep = env.reset(t)
    calls = [make_call("read_file", {"path": "/etc/passwd"}, "a"),
             make_call("read_file", {"path": "x/../../y"}, "b"),
             make_call("edit_file", {"path": "README.md", "old": "", "new": "x"}, "c"),
             make_call("edit_file", {"path": "big.py", "old": "", "new": "x" * 200_000}, "d"),
             make_call("apply_patch", {"diff": "--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-a\n+b\n"}, "e"),
             make_call("search", {"text": ""}, "f"),
             make_call("edit_file", {"path": t.data["protected"][0].split("/")[0], "old": "",
                                     "new": "x"}, "g"),
             make_call("edit_file", {"path": "README.md/x.py", "old": "", "new": "x"}, "h")]
    out = env.step(ep, {"role": "assistant", "content": "", "tool_calls": calls})
    assert all(o["content"].startswith("error") for o in out.observation)
    assert ep.state["files"] == t.data["files"]


def test_visible_test_runs_are_capped(env):
    t = env.generate(1, seed=3, difficulty=1)[0]
    ep = env.reset(t)
    for _ in range(5):
        ep.state["test_runs"] += 1
    out = env.step(ep, act("run_tests", {}))
    assert out.observation[0]["content"].startswith("error: the visible tests were run")


def test_patch_roundtrip_and_errors():
    a = {"m.py": "a\nb\nc\n", "old.py": "x\n"}
    b = {"m.py": "a\nB\nc\nd\n", "new.py": "n\n"}
    assert apply_patch(a, make_patch(a, b)) == b
    with pytest.raises(PatchError):
        apply_patch(a, "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-zzz\n+y\n")
    with pytest.raises(PatchError):
        apply_patch(a, "hello")


def test_look_alike_hunks_fail_fast():
    import time

    big = {"m.py": "x\n" * 50000}
    hunk = "@@ -1,1001 +1,1001 @@\n" + " x\n" * 1000 + "-y\n+z\n"
    start = time.perf_counter()
    with pytest.raises(PatchError, match="does not match"):
        apply_patch(big, "--- a/m.py\n+++ b/m.py\n" + hunk * 30)
    assert time.perf_counter() - start < 3  # a full scan per hunk took about a minute


def test_swebench_fixture_loads_and_gold_patch_passes(env):
    tasks = env.load(str(DATA / "swebench_fixture.jsonl"))
    assert [t.id for t in tasks] == ["acme__ledger-101", "acme__report-7"]
    for t in tasks:
        assert t.data["fail_to_pass"] and set(t.data["fail_to_pass"]) <= set(t.data["hidden_tests"])
        s = play(env, t, env.gold_actions(t))[1]
        assert s.status == "correct", s.info
        assert play(env, t, [SUBMIT])[1].status == "wrong"
    row = json.loads((DATA / "swebench_fixture.jsonl").read_text().splitlines()[0])
    with pytest.raises(GymkitError, match="lacks"):
        env.task_from_row({"problem_statement": "x"}, 0)
    with pytest.raises(GymkitError, match="does not apply"):
        env.task_from_row({**row, "patch": row["patch"].replace("e > 0", "zzz")}, 0)
    with pytest.raises(GymkitError, match="ids"):
        env.task_from_row({**row, "FAIL_TO_PASS": '["test_accounts"]'}, 0)
    with pytest.raises(GymkitError, match="not a top-level test function"):
        env.task_from_row({**row, "FAIL_TO_PASS": '["tests/test_accounts.py::test_nope"]'}, 0)


def test_example_files_replay(env):
    assert len((DATA / "example.jsonl").read_text().splitlines()) == 5
    for line in (DATA / "example_rollouts.jsonl").read_text().splitlines():
        ro = json.loads(line)
        task = Task.model_validate(ro["task"])
        actions = [m for m in ro["messages"][len(task.prompt):] if m["role"] == "assistant"]
        assert play(env, task, actions)[1].status == ro["status"]


def test_hidden_tests_are_never_on_the_sandbox_disk():
    files = {"pkg/__init__.py": "", "pkg/m.py": "import os\nSEEN = os.path.exists('t/test_h.py')\n",
             "t/test_h.py": "stale copy the agent wrote\n"}
    secret = {"t/test_h.py": "from pkg.m import SEEN\n\n\ndef test_x():\n    assert SEEN is False\n"}
    res = run_test_ids(files, ["t/test_h.py::test_x"], per_test=False, secret=secret)
    assert res["t/test_h.py::test_x"][0], res
