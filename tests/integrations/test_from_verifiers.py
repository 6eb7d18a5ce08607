"""verifiers 0.4 tasksets inside gymkit (`verifiers_env`): verdicts equal verifiers' own
scoring, failures are `error`/`timeout` and never a silent 0, and the env plays through
`play`, `check_env` and the local pool like any gymkit env.

The taskset under test is tests/integrations/data/tiny_vf_taskset.py, written against the
real verifiers API; verifiers' side of each comparison is its own `Task.score` on a trace
built here, independently of the adapter's.
"""
from __future__ import annotations

import asyncio
import json
import math
import sys
from pathlib import Path

import pytest

try:  # not pytest.importorskip: from a checkout, `import verifiers` finds gymkit's own folder
    from gymkit.integrations import from_verifiers as fv
    vf = fv.verifiers_v1()
except Exception as e:  # GymkitError naming the extra when verifiers is missing
    pytest.skip(f"verifiers not usable here ({e})", allow_module_level=True)

from gymkit.check import check_env  # noqa: E402
from gymkit.cli import main  # noqa: E402
from gymkit.driver import run_episodes  # noqa: E402
from gymkit.env import play  # noqa: E402
from gymkit.errors import GymkitError  # noqa: E402
from gymkit.extras import missing_extra  # noqa: E402
from gymkit.policy.base import Generation, Policy, SamplingParams  # noqa: E402
from gymkit.pool import LocalPool  # noqa: E402
from gymkit.registry import load_env_ref, make_env  # noqa: E402
from gymkit.types import Task  # noqa: E402

DATA = Path(__file__).parent / "data"
TASKSET_FILE = DATA / "tiny_vf_taskset.py"
REF = f"{TASKSET_FILE}:ArithTaskset"
ENV_REF = "gymkit.integrations.from_verifiers:VerifiersEnv"


@pytest.fixture(scope="module")
def name() -> str:
    """The env is registered through the class-reference mechanism, at run time: importing the
    module registers nothing (so the fidelity gate's env list never sees it)."""
    return load_env_ref(ENV_REF)


@pytest.fixture(scope="module")
def env(name):
    return make_env(name, taskset=REF)


def say(text: str) -> dict:
    return {"role": "assistant", "content": text}


def verifiers_own(task: Task, text: str):
    """verifiers' scoring of `text`: the task rebuilt from its row by the taskset's own task
    type, a trace of prompt + reply, `Task.score`. Returns (trace, the scoring error or None)."""
    from verifiers.v1.graph import MessageNode
    from verifiers.v1.utils.loaders import file_module

    cls = file_module(str(TASKSET_FILE)).ArithTask
    vtask = cls(cls.data_type().model_validate(task.data["row"]))
    data = vtask.data
    prompt = [vf.SystemMessage(content=data.system_prompt), vf.UserMessage(content=data.prompt)]
    nodes = [MessageNode(parent=i - 1 if i else None, message=m) for i, m in enumerate(prompt)]
    nodes.append(MessageNode(parent=len(nodes) - 1, sampled=True,
                             message=vf.AssistantMessage(content=text)))
    trace = vf.Trace(task=vf.TraceTask(type=cls.__name__, data=data), nodes=nodes,
                     agent=vf.AgentInfo(config=vf.AgentConfig()))
    try:
        asyncio.run(vtask.score(trace))
    except vf.TaskError as e:
        return trace, e
    return trace, None


# ------------------------------------------------------------------ verdicts vs verifiers
@pytest.mark.parametrize("kind,want_status,want_reward", [
    ("gold", "correct", 1.0), ("other_form", "wrong", 0.5), ("wrong", "wrong", 0.0),
    ("garbage", "wrong", 0.0), ("empty", "wrong", 0.0)])
def test_verdicts_equal_verifiers_own_scoring(env, kind, want_status, want_reward):
    for task in env.generate(3, seed=4):
        text = {"gold": task.gold_text, "other_form": f"{task.gold_text}.0",
                "wrong": str(int(task.gold_text) + 1), "garbage": "\x00 }{ zz \\boxed{",
                "empty": ""}[kind]
        _, score = play(env, task, [say(text)])
        trace, error = verifiers_own(task, text)
        assert error is None
        assert (score.status, score.reward) == (want_status, want_reward)
        assert score.reward == trace.reward  # full reward 1: the normalised reward is the sum
        assert score.components == {"exact": trace.rewards["exact"].score}
        assert score.info["metrics"] == trace.metrics


@pytest.mark.parametrize("mode,status,needle", [
    ("raise", "error", "ValueError: the checker crashed"),
    ("nan", "error", "non-finite reward: exact=nan"),
    ("inf", "error", "non-finite reward: exact=inf"),
    ("text", "error", "could not convert string to float: 'full marks'")])
def test_failing_rewards_are_errors_never_zero(name, mode, status, needle):
    env = make_env(name, taskset=REF, taskset_options={"mode": mode})
    task = env.generate(1)[0]
    _, score = play(env, task, [say(task.gold_text)])
    assert (score.status, score.reward) == (status, 0.0)
    assert needle in score.error
    trace, error = verifiers_own(task, task.gold_text)
    if mode in ("raise", "text"):  # verifiers itself fails the scoring
        assert error is not None and needle in str(error)
    else:  # verifiers records the non-finite number; gymkit refuses to pass it on
        assert math.isnan(trace.reward) or math.isinf(trace.reward)


def test_scoring_past_the_timeout_is_timeout(name):
    env = make_env(name, taskset=REF, taskset_options={"mode": "slow"}, scoring_timeout_s=0.2)
    task = env.generate(1)[0]
    _, score = play(env, task, [say(task.gold_text)])
    assert score.status == "timeout" and "0.2 s" in score.error


def test_verdict_by_hand():
    R = vf.Reward
    # weights 0.7 + 0.3: full reward 1.0
    s = fv.verdict({"a": R(score=1.0, weight=0.7), "b": R(score=1.0, weight=0.3)})
    assert (s.status, s.reward, s.components) == ("correct", 1.0, {"a": 1.0, "b": 1.0})
    s = fv.verdict({"a": R(score=1.0, weight=0.7), "b": R(score=0.0, weight=0.3)})
    assert (s.status, s.reward) == ("wrong", 0.7)
    # weights 2 + 2: sum 3 of a full 4 -> reward 0.75, the raw sum kept in info
    s = fv.verdict({"a": R(score=1.0, weight=2.0), "b": R(score=0.5, weight=2.0)})
    assert (s.status, s.reward, s.info["verifiers_reward"], s.info["full_reward"]) == \
        ("wrong", 0.75, 3.0, 4.0)
    # a penalty (negative weight) untriggered: full marks; triggered: 1 - 0.5 = 0.5
    assert fv.verdict({"a": R(score=1.0), "p": R(score=0.0, weight=-0.5)}).status == "correct"
    s = fv.verdict({"a": R(score=1.0), "p": R(score=1.0, weight=-0.5)})
    assert (s.status, s.reward) == ("wrong", 0.5)
    assert fv.verdict({"a": R(score=0.0)}).info["reason"] == "verifiers reward 0"
    # weights 0.1 + 0.2 (their float sum is 0.30000000000000004): full marks, reward 1
    s = fv.verdict({"a": R(score=1.0, weight=0.1), "b": R(score=1.0, weight=0.2)})
    assert (s.status, s.reward) == ("correct", 1.0)
    assert fv.verdict({}).status == "error"
    assert fv.verdict({"a": None}).error == "reward(s) a recorded no value"
    assert fv.verdict({"a": R(score=float("-inf"))}).status == "error"


# ------------------------------------------------------------------ a gymkit env like any other
def test_check_env_passes_with_reference_answers_as_gold(env):
    assert check_env(env) == []


def test_check_env_command_on_a_named_subclass(capsys):
    assert main(["check-env", f"{DATA / 'tiny_vf_env.py'}:TinyArith"]) == 0
    assert capsys.readouterr().out.startswith("ok ")


def test_tasks_are_the_rows_in_a_seeded_order(env):
    a, b, c = env.generate(12, seed=0), env.generate(12, seed=0), env.generate(12, seed=1)
    assert [t.model_dump() for t in a] == [t.model_dump() for t in b]
    assert [t.id for t in a] != [t.id for t in c]
    assert sorted(t.id for t in a) == sorted(f"vf-{i}" for i in range(12))  # each row once
    row = next(t for t in a if t.id == "vf-2")
    question = "What is 7 + 16? Reply with the number only."
    assert row.prompt == [{"role": "system", "content": "You add numbers."},
                          {"role": "user", "content": question}]
    assert row.gold_text == "23" and row.meta["verifiers_id"] == "add-2"
    assert [t.id for t in env.generate(14, seed=0)][12:] == [t.id for t in a[:2]]  # then repeat


def test_a_stored_task_is_scored_against_its_own_row(env):
    task = Task.model_validate_json(env.generate(1)[0].model_dump_json())
    row = {**task.data["row"], "answer": "999"}  # the taskset changed since it was stored
    stored = task.model_copy(update={"data": {**task.data, "row": row}})
    assert play(env, stored, [say("999")])[1].status == "correct"
    assert play(env, stored, [say(task.gold_text)])[1].status == "wrong"
    alien = task.model_copy(update={"data": {**task.data, "taskset": "other:Taskset"}})
    score = play(env, alien, [say(task.gold_text)])[1]
    assert score.status == "error" and "comes from taskset 'other:Taskset'" in score.error


class Script(Policy):
    """Answers each task with the text `answers` gives for its id."""

    backend = "scripted"

    def __init__(self, tasks, answers):
        self.tasks, self.answers = tasks, answers

    def generate(self, requests, params):
        out = []
        for r in requests:
            task = next(t for t in self.tasks if r.messages[:len(t.prompt)] == t.prompt)
            out.append(Generation(text=self.answers[task.id]))
        return out


def test_scripted_episodes_through_play_and_the_local_pool(name, env):
    tasks = env.generate(3, seed=7)
    answers = {tasks[0].id: tasks[0].gold_text, tasks[1].id: f"{tasks[1].gold_text}.0",
               tasks[2].id: "no idea"}
    pool = LocalPool({name: type(env)}, {name: {"taskset": REF}})
    try:
        rollouts = run_episodes(tasks, Script(tasks, answers), pool, SamplingParams())
    finally:
        pool.close()
    got = [(r.status, r.reward) for r in rollouts]
    assert got == [("correct", 1.0), ("wrong", 0.5), ("wrong", 0.0)]
    assert got == [(s.status, s.reward) for s in
                   (play(env, t, [say(answers[t.id])])[1] for t in tasks)]
    assert [r.response for r in rollouts] == [answers[t.id] for t in tasks]


# ------------------------------------------------------------------ what it loads and refuses
def test_installed_taskset_id_through_verifiers_loader(name, monkeypatch):
    monkeypatch.syspath_prepend(str(DATA))  # `tiny_vf_id` exports ArithTaskset via __all__
    env = make_env(name, taskset="tiny_vf_id", taskset_options={"n": 4})
    task = env.generate(1, seed=3)[0]
    assert play(env, task, [say(task.gold_text)])[1].status == "correct"


@pytest.mark.parametrize("ref,options,needle", [
    (f"{TASKSET_FILE}:ToolTaskset", {}, "serves tools (task toolsets, MCP servers)"),
    (f"{TASKSET_FILE}:RuntimeTaskset", {}, "has rewards that need a runtime (sandbox)"),
    (f"{TASKSET_FILE}:ArithData", {}, "ArithData in"),
    (REF, {"mode": "bogus"}, "taskset_options.mode: Input should be"),
    (REF, {"nn": 3}, "taskset_options.nn: Extra inputs are not permitted"),
    ("no_such_taskset_here", {}, "taskset 'no_such_taskset_here' not found"),
    ("missing_file.py:X", {}, "No such file or directory"),
])
def test_what_it_cannot_load_is_one_line(name, ref, options, needle):
    with pytest.raises(GymkitError, match="^taskset ") as e:
        make_env(name, taskset=ref, taskset_options=options)
    assert needle in str(e.value) and "\n" not in str(e.value)


def test_no_taskset_named(name):
    env = make_env(name)  # what `gymkit envs list` builds: no taskset loaded yet
    assert not env.multi_turn
    with pytest.raises(GymkitError, match="needs option taskset"):
        env.generate(1)


def test_missing_verifiers_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "verifiers.v1", None)  # as with verifiers absent or < 0.4
    with pytest.raises(GymkitError) as e:
        fv.verifiers_v1()
    assert str(e.value) == ("verifiers is not installed; it comes with: "
                            "pip install 'gymkit[integrations]'")
    assert missing_extra(ModuleNotFoundError(name="verifiers")) == str(e.value)


def test_task_rows_are_plain_json(env):
    task = env.generate(1)[0]
    assert json.loads(json.dumps(task.data))["row"]["answer"] == task.gold_text
