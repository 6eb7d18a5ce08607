"""gymkit's verifiers adapter through verifiers 0.4 itself: the env built by its own loader,
tasks from the taskset, and the reward computed by `Task.score` on a `Trace`."""
from __future__ import annotations

import asyncio
import json

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
    with pytest.raises(GymkitError, match="multi-turn: serve it with `gymkit serve-env"):
        gv.load_environment("tool_calc")
    with pytest.raises(GymkitError, match="per-task tools"):
        list(gv.load_environment("function_call", n=2).taskset)


def played_nemo_gym_trace(task, actions):
    """What a verifiers rollout of verifiers' NeMo Gym task leaves: `setup` seeds the session,
    each tool call goes to the server's tool route as `NeMoGymToolset.call_tool` sends it (a
    POST in the rollout's cookie session), and `score` posts the transcript to /verify."""
    from verifiers.v1.graph import MessageNode
    from verifiers.v1.state import state_cls

    vf = gv.vf

    async def run():
        nodes = [MessageNode(parent=i - 1 if i else None, message=m)
                 for i, m in enumerate(task.data.prompt)]
        trace = vf.Trace(task=vf.TraceTask(type=type(task).__name__, data=task.data, key=task.key,
                                           hash=task.hash),
                         agent=vf.AgentInfo(config=vf.AgentConfig()), nodes=nodes,
                         state=state_cls(type(task))())
        await task.setup(trace, None)

        def add(message, sampled=False):
            trace.nodes.append(MessageNode(parent=len(trace.nodes) - 1, sampled=sampled,
                                           message=message))

        for action in actions:
            calls = action.get("tool_calls") or []
            add(vf.AssistantMessage(content=action.get("content") or None, tool_calls=[
                vf.ToolCall(id=c["id"], name=c["function"]["name"],
                            arguments=c["function"]["arguments"]) for c in calls] or None),
                sampled=True)
            for c in calls:
                resp = await trace.state.post(c["function"]["name"],
                                              json.loads(c["function"]["arguments"]))
                add(vf.ToolMessage(tool_call_id=c["id"], content=resp.text))
        trace.stop("agent_completed")
        await task.score(trace)
        return trace

    return asyncio.run(run())


@pytest.mark.parametrize("env_name", ["tool_calc", "search_kb"])
def test_multi_turn_env_through_verifiers_nemo_gym_taskset(env_name, tmp_path):
    """A multi-turn gymkit env as verifiers' own NeMo Gym env over `gymkit serve-env`: gold
    and wrong transcripts get the native reward and status."""
    from gymkit.serve_env import start_in_thread

    served = start_in_thread([env_name])
    try:
        env = gv.load_environment(env_name, n=3, seed=4, resources_url=served.url)
        assert type(env).__name__ == "NeMoGymEnv"
        native_env = make_env(env_name)
        natives = native_env.generate(3, seed=4)
        for task, gk in zip(list(env.taskset), natives):
            assert task.data.row["task"]["id"] == gk.id
            gold = native_env.gold_actions(gk)
            wrong = [{"role": "assistant", "content": "I give up: 0"}]  # no calls, no answer
            for actions in (gold, wrong):
                trace = played_nemo_gym_trace(task, actions)
                native = play(native_env, gk, actions)[1]
                assert trace.info["nemo_gym"]["status"] == native.status, trace.info["nemo_gym"]
                assert trace.reward == native.reward
            assert native.status == "wrong"
    finally:
        served.stop()
