"""gymkit's TRL adapter against TRL itself: real GRPOTrainer steps on a tiny model that has
memorised chosen answers, the rewards TRL logged compared with gymkit's own verdicts."""
from __future__ import annotations

import math

import pytest

pytest.importorskip("trl", reason="TRL not installed (pip install 'gymkit[integrations]')")

from memorized import chat_rows, memorize  # noqa: E402

from gymkit.env import play  # noqa: E402
from gymkit.errors import GymkitError  # noqa: E402
from gymkit.integrations.trl import (dataset, environment_factory, reward_funcs,  # noqa: E402
                                     rows_dataset)
from gymkit.registry import make_env  # noqa: E402
from gymkit.types import UNSCORED  # noqa: E402


def grpo_trainer(tmp_path, train, funcs, generations: int, max_len: int, **kw):
    from trl import GRPOConfig, GRPOTrainer

    from gymkit.policy.builtin import tiny_dir

    args = GRPOConfig(output_dir=str(tmp_path), max_steps=1,
                      per_device_train_batch_size=len(train) * generations,
                      num_generations=generations, max_completion_length=max_len, use_cpu=True,
                      report_to="none", logging_steps=1, save_strategy="no", shuffle_dataset=False,
                      learning_rate=1e-6, beta=0.0, temperature=0.7)
    return GRPOTrainer(model=str(tiny_dir("tiny-random-llama")), reward_funcs=funcs, args=args,
                       train_dataset=train, **kw)


def native_verdict(env, task, completion):
    """gymkit's own path, independent of the adapter: `play` the assistant turns."""
    actions = [{k: m[k] for k in ("role", "content", "tool_calls") if k in m}
               for m in completion if m["role"] == "assistant"]
    return play(env, task, actions)


def test_grpo_step_logs_gymkit_rewards_and_keeps_errors_out(tmp_path):
    env = make_env("math")
    gold, wrong, broken = env.generate(3, seed=0)
    broken = broken.model_copy(update={"data": {}})  # the verifier's data is gone: status error
    tasks = [gold, wrong, broken]
    answers = [gold.gold_text, "\\boxed{5}", "\\boxed{1}"]
    trainer = grpo_trainer(tmp_path, rows_dataset(env, tasks), reward_funcs(["math"]), 2, 40)
    loss = memorize(trainer.model, chat_rows(trainer.processing_class, [(t.prompt, a) for t, a in
                                                                        zip(tasks, answers)]),
                    trainer.processing_class.pad_token_id)
    assert loss < 0.05
    trainer.train()

    logs = trainer._logs
    prompts, completions = list(logs["prompt"]), list(logs["completion"])
    rewards, statuses = list(logs["rewards"]["gymkit_math"]), list(logs["extra"]["gymkit_status/math"])
    assert len(completions) == len(rewards) == len(statuses) == 6
    by_prompt = {t.prompt[-1]["content"]: t for t in tasks}
    for prompt, completion, reward, status, advantage in zip(prompts, completions, rewards, statuses,
                                                             logs["advantages"]):
        _, score = native_verdict(env, by_prompt[prompt[-1]["content"]], completion)
        assert status == score.status
        if score.status in UNSCORED:  # None from the adapter, NaN in TRL, no advantage
            assert math.isnan(reward) and advantage == 0.0
        else:
            assert reward == score.reward
    assert {"correct", "wrong", "error"} <= set(statuses)  # the memorised answers came out
    step = trainer.state.log_history[0]
    scored = [r for r in rewards if not math.isnan(r)]
    assert step["rewards/gymkit_math/mean"] == pytest.approx(sum(scored) / len(scored))
    assert step["gymkit/math/unscored_frac"] == pytest.approx(statuses.count("error") / 6)


def tool_sequence(trainer, task, env):
    """The token ids of the gold tool transcript of `task` exactly as TRL builds them:
    the prompt rendered with the env's tools, each assistant turn, and TRL's own tool suffix."""
    import json

    tok, template = trainer.processing_class, trainer.chat_template
    tools = trainer._env_tools[None]
    ids = tok.apply_chat_template(conversation=[task.prompt], tools=tools, chat_template=template,
                                  add_generation_prompt=True, tokenize=True,
                                  return_dict=True)["input_ids"][0]
    labels = [-100] * len(ids)
    messages, _ = play(env, task, task.gold)
    results = [m for m in messages if m["role"] == "tool"]
    for action in task.gold:
        calls = action.get("tool_calls") or []
        text = "\n".join("<tool_call>\n" + json.dumps({
            "name": c["function"]["name"], "arguments": json.loads(c["function"]["arguments"])})
            + "\n</tool_call>" for c in calls) or action["content"]
        turn = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        ids, labels = ids + turn, labels + turn
        for c in calls:
            reply = results.pop(0)
            suffix = trainer._get_tool_suffix_ids([{"role": "tool", "name": c["function"]["name"],
                                                    "content": reply["content"]}])
            ids, labels = ids + suffix, labels + [-100] * len(suffix)
    return ids, labels


def test_grpo_step_with_environment_factory_runs_gymkit_tools(tmp_path):
    """TRL renders the env's tools, parses the memorised calls, runs them on the live gymkit
    episode, and the reward (gymkit's replay of the transcript) equals gymkit's own verdict."""
    from pathlib import Path

    import trl
    from transformers import AutoTokenizer

    from gymkit.policy.builtin import tiny_dir

    env = make_env("tool_calc")
    task = next(t for t in env.generate(20, seed=0, difficulty=1)
                if len([a for a in t.gold if a.get("tool_calls")]) == 1)
    tok = AutoTokenizer.from_pretrained(tiny_dir("tiny-random-llama"))
    # SmolLM2's template cannot render tool calls; Qwen3's (shipped with TRL) can, and TRL
    # knows how to parse its calls. Same ChatML tokens, so the tiny model is unchanged.
    tok.chat_template = (Path(trl.__file__).parent / "chat_templates" / "qwen3.jinja").read_text()
    trainer = grpo_trainer(tmp_path, rows_dataset(env, [task]), reward_funcs(["tool_calc"]), 2, 120,
                           processing_class=tok, environment_factory=environment_factory("tool_calc"))
    loss = memorize(trainer.model, [tool_sequence(trainer, task, env)], tok.pad_token_id, steps=120,
                    lr=5e-3)
    assert loss < 0.05
    trainer.train()

    completions = list(trainer._logs["completion"])
    rewards = list(trainer._logs["rewards"]["gymkit_tool_calc"])
    statuses = list(trainer._logs["extra"]["gymkit_status/tool_calc"])
    for completion, reward, status in zip(completions, rewards, statuses, strict=True):
        messages, score = native_verdict(env, task, completion)
        assert (status, reward) == (score.status, score.reward)
        tool_replies = [m["content"] for m in completion if m["role"] == "tool"]
        assert tool_replies == [m["content"] for m in messages if m["role"] == "tool"]
    assert "correct" in statuses  # the memorised calls ran through TRL and gymkit's tools


def test_environment_factory_exposes_gymkit_tools_in_trl_schema():
    from transformers.utils import get_json_schema

    cls = environment_factory("tool_calc")
    schema = get_json_schema(cls.convert)  # how TRL renders an environment's methods
    assert schema["function"]["name"] == "convert"
    assert schema["function"]["parameters"]["required"] == ["value", "from_unit", "to_unit"]
    assert schema["function"]["parameters"]["properties"]["value"]["type"] == "number"
    episode_env = cls()
    episode_env.reset(**dataset("tool_calc", 1)[0])
    assert episode_env.calculate(expression="2 + 3") == "5"
    assert episode_env.calculate().startswith("error: bad argument 'expression'")  # gymkit's text


def test_adapters_refuse_what_trl_cannot_host():
    with pytest.raises(GymkitError, match="single-turn"):
        environment_factory("math")
    with pytest.raises(GymkitError, match="simulated user"):
        environment_factory("retail_agent")
    with pytest.raises(GymkitError, match="per-task tools"):
        dataset("function_call", 2)
