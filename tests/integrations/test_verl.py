"""gymkit's verl adapter through verl's own reward path (`load_reward_manager`, the `naive`
reward manager decoding token ids) and tool loading (`initialize_tools_from_config`, the tool
agent loop's `_call_tool`). verl pins transformers below the main venv's: these tests run in
.venv-verl (`make test-integrations`)."""
from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("verl", reason="verl not installed (scripts/setup-integration-venv.sh verl)")

from gymkit.env import play  # noqa: E402
from gymkit.errors import GymkitError  # noqa: E402
from gymkit.integrations.conformance import check_env  # noqa: E402
from gymkit.integrations.verl import dataset, row  # noqa: E402
from gymkit.registry import make_env  # noqa: E402


def reward_config():
    from omegaconf import OmegaConf

    return OmegaConf.create({"reward": {
        "custom_reward_function": {"path": "pkg://gymkit.integrations.verl", "name": "compute_score",
                                   "reward_kwargs": {}},
        "reward_manager": {"source": "register", "name": "naive",
                           "module": {"path": None, "name": "custom_reward_manager"}},
        "sandbox_fusion": None}})


def sample(tok, verl_row: dict, text: str):
    """One rollout as verl hands it to a reward manager: prompt and response token ids, the
    attention mask, and the row's non-tensor fields."""
    import numpy as np
    import torch
    from verl import DataProto

    prompt = tok.apply_chat_template(verl_row["prompt"], add_generation_prompt=True, tokenize=True,
                                     return_dict=True)["input_ids"]
    response = tok(text, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    keys = ("data_source", "reward_model", "extra_info")
    return DataProto.from_dict(
        tensors={"prompts": torch.tensor([prompt]), "responses": torch.tensor([response]),
                 "attention_mask": torch.ones(1, len(prompt) + len(response), dtype=torch.long)},
        non_tensors={k: np.array([verl_row[k]], dtype=object) for k in keys})


def test_naive_reward_manager_scores_like_gymkit():
    from transformers import AutoTokenizer
    from verl.trainer.ppo.reward import load_reward_manager

    from gymkit.policy.builtin import tiny_dir

    tok = AutoTokenizer.from_pretrained(tiny_dir("tiny-random-llama"))
    env = make_env("math")
    task = env.generate(1, seed=3)[0]
    broken = task.model_copy(update={"data": {}})
    cases = [(task, task.gold_text, "correct"), (task, "\\boxed{-1}", "wrong"),
             (task, "\x00 }{ zz", "wrong"), (broken, task.gold_text, "error")]

    async def run():
        manager = load_reward_manager(reward_config(), tok)  # inside the loop it will run on
        out = [await manager.run_single(sample(tok, row(t, 0, env), text)) for t, text, _ in cases]
        gsm8k = {"data_source": "openai/gsm8k", "prompt": [{"role": "user", "content": "6*7?"}],
                 "reward_model": {"ground_truth": "42"}, "extra_info": {}}
        out.append(await manager.run_single(sample(tok, gsm8k, "#### 42")))
        return out

    results = asyncio.run(run())
    for (t, text, status), result in zip(cases, results):
        info = result["reward_extra_info"]
        native = play(env, t, [{"role": "assistant", "content": text}])[1]
        assert info["gymkit_status"] == native.status == status
        assert result["reward_score"] == (native.reward if status != "error" else 0.0)
        assert info["gymkit_scored"] == float(status != "error")
    assert results[-1]["reward_score"] == 1.0  # other data sources go to verl's own scorer


def test_tool_env_through_verl_tool_loading_matches_native():
    checks = check_env(make_env("tool_calc"), ["verl"])
    assert {c.case for c in checks} >= {"gold", "wrong", "tool_bad_args", "broken_task", "truncated"}
    for check in checks:
        assert check.diffs == {}, (check.case, check.diffs)
        got = check.results["verl"]
        assert got.status == check.native.status
        if check.native.status != "error":
            assert got.observations == check.native.observations
    assert [c.native.status for c in checks if c.case == "gold"] == ["correct"]


def test_verl_rows_carry_the_task_and_refuse_what_verl_cannot_host():
    rows = dataset("tool_calc", 2, seed=1)
    assert rows[0]["data_source"] == "gymkit/tool_calc" and rows[0]["agent_name"] == "tool_agent"
    kwargs = rows[0]["extra_info"]["tools_kwargs"]
    assert set(kwargs) == {"calculate", "convert"}
    assert kwargs["calculate"]["create_kwargs"]["gymkit_task"] == rows[0]["reward_model"]["ground_truth"]
    with pytest.raises(GymkitError, match="per-task tools"):
        dataset("function_call", 1)
    from gymkit.integrations.verl_tool import tool_config

    with pytest.raises(GymkitError, match="simulated user"):
        tool_config("wordle")
    tools = tool_config("tool_calc")["tools"]
    assert [(t["config"]["tool"], t["class_name"]) for t in tools] == [
        ("calculate", "gymkit.integrations.verl_tool.GymkitTool"),
        ("convert", "gymkit.integrations.verl_tool.GymkitTool")]
