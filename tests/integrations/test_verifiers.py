"""gymkit's verifiers adapter through verifiers 0.4 itself: the env built by its own loader,
tasks from the taskset, and the reward computed by `Task.score` on a `Trace`."""
from __future__ import annotations

import asyncio

import pytest

try:  # not pytest.importorskip: from a checkout, `import verifiers` finds gymkit's own folder
    from gymkit.integrations import verifiers as gv
except ModuleNotFoundError as e:
    pytest.skip(f"verifiers not installed ({e}); pip install 'gymkit[integrations]'",
                allow_module_level=True)

from gymkit.env import play  # noqa: E402
from gymkit.errors import GymkitError  # noqa: E402
from gymkit.integrations.conformance import check_env  # noqa: E402
from gymkit.registry import make_env  # noqa: E402


def scored_trace(task, text: str):
    """A finished single-turn trace of `task` answered with `text`, scored by verifiers."""
    from verifiers.v1.errors import TaskError
    from verifiers.v1.graph import MessageNode

    vf = gv.vf
    nodes = [MessageNode(parent=i - 1 if i else None, message=m) for i, m in enumerate(task.data.prompt)]
    nodes.append(MessageNode(parent=len(nodes) - 1, sampled=True,
                             message=vf.AssistantMessage(content=text)))
    trace = vf.Trace(task=vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key,
                                       hash=task.hash),
                     agent=vf.AgentInfo(config=vf.AgentConfig()), nodes=nodes)
    try:
        asyncio.run(task.score(trace))
    except TaskError as e:  # what verifiers' rollout records on the trace as a failed scoring
        return trace, e
    return trace, None


def test_loaded_env_scores_like_gymkit():
    env = gv.load_environment("math", n=3, seed=2)
    assert type(env).__name__ == "SingleAgentEnv" and isinstance(env.taskset, gv.GymkitTaskset)
    tasks = list(env.taskset)
    assert len(tasks) == 3
    native_env = make_env("math")
    for task in tasks:
        gk = gv.task_of(task.data.gymkit_task)
        assert task.data.prompt[-1].content == gk.prompt[-1]["content"]
        for text in (gk.gold_text, "\\boxed{-1}", "\x00 }{ zz", "<think>unfinished"):
            trace, error = scored_trace(task, text)
            native = play(native_env, gk, [{"role": "assistant", "content": text}])[1]
            assert error is None
            assert trace.info["gymkit"]["status"] == native.status
            assert trace.rewards["gymkit"].score == native.reward == trace.reward


def test_env_error_is_a_failed_trace_not_a_zero():
    task = next(iter(gv.load_environment("math", n=1).taskset))
    no_data = gv.task_of(task.data.gymkit_task).model_copy(update={"data": {}})
    broken = gv.GymkitTask(task.data.model_copy(update={"gymkit_task": no_data.model_dump_json()}))
    trace, error = scored_trace(broken, "\\boxed{1}")
    assert error is not None and "gymkit status error" in str(error)
    assert trace.info["gymkit"]["status"] == "error"
    assert trace.rewards["gymkit"] is None  # seeded unscored, never recorded as 0


def test_conformance_cases_through_verifiers():
    for check in check_env(make_env("code"), ["verifiers"]):
        assert check.diffs == {}, (check.case, check.diffs)


def test_refuses_envs_it_cannot_serve():
    with pytest.raises(GymkitError, match="multi-turn"):
        gv.load_environment("tool_calc")
    with pytest.raises(GymkitError, match="per-task tools"):
        list(gv.load_environment("function_call", n=2).taskset)
