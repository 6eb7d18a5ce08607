"""The pieces every adapter shares (no framework needed): rows carry the task, and a
framework's transcript is replayed through gymkit's own episode loop."""
from __future__ import annotations

import math

import pytest

from gymkit.errors import GymkitError
from gymkit.integrations.replay import (Envs, assistant_actions, refuse_task_tools, replay,
                                        replies_as_user, reward_or_none, same_reward, task_json,
                                        task_of)
from gymkit.registry import make_env
from gymkit.types import Score


def test_task_travels_as_json_text_or_dict():
    task = make_env("math").generate(1)[0]
    assert task_of(task_json(task)) == task == task_of(task.model_dump()) == task_of(task)
    with pytest.raises(GymkitError, match="gymkit_task"):
        task_of(42)


def test_assistant_actions_keep_the_models_turns_only():
    assert assistant_actions("hi") == [{"role": "assistant", "content": "hi"}]
    completion = [{"role": "assistant", "content": None,
                   "tool_calls": [{"id": "c1", "name": "calculate",
                                   "arguments": '{"expression": "1+1"}'}]},
                  {"role": "tool", "content": "2"},
                  {"role": "assistant", "content": [{"type": "text", "text": "Answer: 2"}]}]
    assert assistant_actions(completion) == [
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function",
             "function": {"name": "calculate", "arguments": '{"expression": "1+1"}'}}]},
        {"role": "assistant", "content": "Answer: 2"}]
    with pytest.raises(GymkitError, match="text or a list"):
        assistant_actions(3)


def test_error_and_timeout_carry_no_reward():
    assert reward_or_none(Score.correct()) == 1.0
    assert reward_or_none(Score.wrong("no", reward=0.25)) == 0.25
    assert reward_or_none(Score.failed("boom")) is None
    assert reward_or_none(Score.failed("slow", status="timeout")) is None
    assert same_reward(None, math.nan) and same_reward(0.5, 0.5)
    assert not same_reward(0.0, None) and not same_reward(0.0, math.nan) and not same_reward(1.0, 0.0)


def test_replay_is_the_native_verdict_and_an_env_crash_is_an_error():
    env = make_env("workplace")
    task = env.generate(1, seed=0)[0]
    assert replay(env, task, task.gold)[1].status == "correct"
    crashed = replay(env, task.model_copy(update={"data": {}}), task.gold)[1]  # reset raises
    assert (crashed.status, crashed.reward) == ("error", 0.0) and "KeyError" in crashed.error
    with pytest.raises(GymkitError, match="not 'math'"):
        replay(make_env("math"), task, task.gold)


def test_what_the_adapters_refuse():
    assert replies_as_user(make_env("retail_agent"))
    assert not replies_as_user(make_env("tool_calc"))
    fc = make_env("function_call")
    with pytest.raises(GymkitError, match="per-task tools"):
        refuse_task_tools(fc, fc.generate(1), "TRL")
    calc = make_env("tool_calc")
    refuse_task_tools(calc, calc.generate(1), "TRL")  # a tool env's tools live in the env
    with pytest.raises(GymkitError, match="not served"):
        Envs(["math"], {"code": {}})
    with pytest.raises(GymkitError, match="no option"):
        Envs(["math"], {"math": {"nope": 1}})


def test_verl_result_keeps_errors_apart_from_zeros():
    from gymkit.integrations.verl import compute_score, row, verl_result

    assert verl_result(Score.failed("boom")) == {
        "score": 0.0, "acc": 0.0, "gymkit_status": "error", "gymkit_scored": 0.0}
    assert verl_result(Score.graded(0.5)) == {
        "score": 0.5, "acc": 0.0, "gymkit_status": "wrong", "gymkit_scored": 1.0}
    assert verl_result(Score.correct()) == {
        "score": 1.0, "acc": 1.0, "gymkit_status": "correct", "gymkit_scored": 1.0}
    env = make_env("math")
    task = env.generate(1)[0]
    r = row(task, 0, env)
    truth = r["reward_model"]["ground_truth"]
    assert compute_score(r["data_source"], task.gold_text, truth, r["extra_info"])["score"] == 1.0
    with pytest.raises(GymkitError, match="disagrees"):
        compute_score("gymkit/code", task.gold_text, truth, r["extra_info"])
