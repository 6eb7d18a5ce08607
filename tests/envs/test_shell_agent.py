import gc
import json
import os

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.shell_agent import ShellAgentEnv
from gymkit.tools import make_call


@pytest.fixture(scope="module")
def env():
    return ShellAgentEnv()


def bash(cmd, i=0):
    return {"role": "assistant", "content": "", "tool_calls": [make_call("bash", {"command": cmd}, f"c{i}")]}


def final(text="Done."):
    return {"role": "assistant", "content": text}


def task_of(env, template, seed=0):
    for level in env.difficulties:
        for t in env.generate(12, seed=seed, difficulty=level):
            if t.id.endswith(template):
                return t
    raise LookupError(template)


def test_check_env(env):
    assert check_env(env) == []


def test_gold_solves_every_level(env):
    for t in env.generate(9, seed=6):
        s = play(env, t, env.gold_actions(t))[1]
        assert (s.reward, s.status) == (1.0, "correct"), (t.id, s.info)


def test_other_commands_reaching_the_same_state_score(env):
    t = task_of(env, "sort_lines")
    unique = "duplicates removed" in t.prompt[1]["content"]
    script = ("import pathlib; p = pathlib.Path('data'); lines = (p / 'names.txt').read_text()"
              ".split(); lines = sorted(set(lines)) if %s else sorted(lines); "
              "(p / 'sorted.txt').write_text(''.join(x + chr(10) for x in lines))" % unique)
    actions = [bash("cat data/names.txt"), bash(f'python3 -c "{script}"', 1), final()]
    s = play(env, t, actions)[1]
    assert s.status == "correct", s.info


def test_claims_without_actions_score_zero(env):
    t = env.generate(1, seed=0)[0]
    s = play(env, t, [final("I renamed all the files as requested. Task complete!")])[1]
    assert (s.reward, s.status) == (0.0, "wrong")
    assert "missing" in s.info["reason"]  # the verdict comes from the files, not the words


def test_partial_work_and_scratch_files_score_zero(env):
    t = task_of(env, "concat_parts")
    gold = env.gold_actions(t)
    s = play(env, t, [gold[0], final()])[1]  # concatenated, but parts/ left behind
    assert s.status == "wrong" and "unexpected parts/" in s.info["reason"]
    s = play(env, t, gold[:-1] + [bash("echo scratch > notes.tmp", 9), final()])[1]
    assert s.status == "wrong" and "unexpected notes.tmp" in s.info["reason"]


@pytest.mark.parametrize("cmd", [
    "p=x; for i in $(seq 1 400); do p=$p/x; done; mkdir -p $p",  # deeper than the save allows
    "head -c 200000000 /dev/zero > big",  # over the workspace's disk
])
def test_changes_past_the_workspace_limits_are_shown_and_fail(env, cmd):
    t = task_of(env, "concat_parts")
    gold = env.gold_actions(t)
    msgs, s = play(env, t, gold[:-1] + [bash(cmd, 9), final()])
    assert "workspace not saved" in msgs[-2]["content"]  # the agent sees it in the observation
    assert s.status == "wrong" and "exceeded the workspace limits" in s.info["reason"]
    assert play(env, t, gold)[1].status == "correct"


def test_bad_tool_calls_are_observations_and_cost_turns(env):
    t = env.generate(1, seed=0)[0]
    bad = {"role": "assistant", "content": "", "tool_call_errors": ["tool call is not valid JSON"]}
    unknown = {"role": "assistant", "content": "", "tool_calls": [make_call("python", {"code": "1"})]}
    msgs, s = play(env, t, [bad, unknown, final()])
    assert "error:" in msgs[3]["content"] and "unknown tool 'python'" in msgs[5]["content"]
    assert s.status == "wrong"
    _, s = play(env, t, [bash("true", i) for i in range(env.max_turns)])
    assert s.status == "truncated"


def test_command_errors_come_back_to_the_model(env):
    t = env.generate(1, seed=0)[0]
    ep = env.reset(t)
    try:
        assert "[timed out" in ShellAgentEnv(timeout_s=0.5).bash(ep, "sleep 3")
        assert env.bash(ep, "exit 3").endswith("[exit code 3]")
        assert env.bash(ep, "x" * 200_000).startswith("error:")
        out = env.bash(ep, "head -c 100000 /dev/zero | tr '\\0' a")
        assert len(out) < 5000 and "characters cut" in out
        env.bash(ep, "touch /tmp/gymkit_shell_escape ~/../escape 2>/dev/null; true")
        assert not os.path.exists("/tmp/gymkit_shell_escape")
    finally:
        env._end(ep)


def test_workspace_closed_on_end_error_and_drop(env, monkeypatch):
    from gymkit.pool import EnvHost

    host = EnvHost(type(env))
    t = env.generate(1, seed=0)[0]
    host.step("a", t, [], bash("ls"))
    path = host.episodes["a"].state["ws"].path
    assert os.path.isdir(path)
    assert host.step("a", t, [], final()).done
    assert not os.path.exists(path) and host.episodes == {}

    host.step("b", t, [], bash("ls"))
    ws = host.episodes["b"].state["ws"]
    path = ws.path

    def broken(*a, **k):
        from gymkit.sandbox import SandboxError  # what the sandbox raises when it fails

        raise SandboxError("sandbox fell over")

    monkeypatch.setattr(ws, "run", broken)
    step = host.step("b", t, [], bash("ls"))
    assert step.done and step.score.status == "error"
    assert not os.path.exists(path)

    ep = env.reset(t)
    path = ep.state["ws"].path
    del ep
    gc.collect()
    assert not os.path.exists(path)


def test_replay_gives_the_same_state(env):
    t = task_of(env, "move_matching")
    states = []
    for _ in range(2):
        ep = env.reset(t)
        for action in env.gold_actions(t)[:-1]:
            env.step(ep, action)
        states.append(ep.state["ws"].snapshot())
        env._end(ep)
    assert states[0] == states[1] and states[0]


def test_determinism(env):
    assert env.generate(6, seed=2) == env.generate(6, seed=2)
    assert env.generate(6, seed=2) != env.generate(6, seed=3)


def test_loader(tmp_path):
    row = {"id": "mk", "instruction": "Create out/hello.txt containing 'hi'.",
           "files": {"README": "x\n"}, "expected": {"README": "x\n", "out/hello.txt": "hi\n"},
           "commands": ["mkdir out && echo hi > out/hello.txt"]}
    path = tmp_path / "rows.jsonl"
    path.write_text(json.dumps(row) + "\n")
    env = ShellAgentEnv()
    (t,) = env.load(path)
    assert t.id == "mk" and "README" in t.prompt[1]["content"]
    assert play(env, t, env.gold_actions(t))[1].status == "correct"
    assert play(env, t, [final()])[1].status == "wrong"
    with pytest.raises(Exception, match="needs 'instruction'"):
        env.task_from_row({"files": {}}, 0)


def test_text_protocol_tool_calls(env):
    from gymkit.tools import message_with_calls

    t = task_of(env, "sort_lines")
    cmd = env.gold_actions(t)[0]["tool_calls"][0]["function"]["arguments"]
    good = message_with_calls(f"<tool_call>{{\"name\": \"bash\", \"arguments\": {cmd}}}</tool_call>")
    broken = message_with_calls("<tool_call>{\"name\": \"bash\", \"arguments\": {</tool_call>")
    msgs, s = play(env, t, [broken, good, final()])
    assert "not valid JSON" in msgs[3]["content"]
    assert s.status == "correct"


@pytest.mark.parametrize("extra, needle", [
    ("ln -s /etc/passwd pw", "unexpected symlink pw"),
    ("mkdir -p junk/deeper", "unexpected directory junk/"),
])
def test_leftover_links_and_directories_score_zero(env, extra, needle):
    task = task_of(env, "sort_lines")
    _, score = play(env, task, task.gold[:-1] + [bash(extra, 9), final()])
    assert score.status == "wrong" and needle in score.info["reason"], score


def test_a_deleted_directory_must_be_gone(env):
    task = task_of(env, "concat_parts")
    keep_dir = [bash(c.replace("rm -r parts", "rm parts/*"), i) for i, c in
                enumerate(json.loads(m["tool_calls"][0]["function"]["arguments"])["command"]
                          for m in task.gold[:-1])]
    _, score = play(env, task, keep_dir + [final()])
    assert score.status == "wrong" and "unexpected directory parts/" in score.info["reason"]


def test_state_reader_sees_special_files_and_bounds_the_walk(tmp_path, monkeypatch):
    from gymkit.envs.shell_agent import state

    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_bytes(b"x\n")
    os.mkfifo(tmp_path / "a" / "pipe")
    got = state.read_tree(str(tmp_path))
    assert got.files == {"a/f.txt": b"x\n"} and got.dirs == {"a"}
    assert state.diff_state({"a/f.txt": b"x\n"}, got, set()) == ["unexpected fifo a/pipe"]
    monkeypatch.setattr(state, "MAX_ENTRIES", 2)
    with pytest.raises(state.TreeLimit):
        state.read_tree(str(tmp_path))
