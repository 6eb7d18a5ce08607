"""Metrics (pass@k, maj@k, error accounting) and the Gymnasium adapter."""
import json

import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env

from gymkit.gymnasium_env import GymkitEnv, env_ids
from gymkit.metrics import pass_at_k, summarize
from gymkit.registry import register_env
from gymkit.types import Rollout
from test_contracts import Echo


def r(task, status, reward=None, answer=None, env="e"):
    return Rollout(task_id=task, env=env, status=status,
                   reward=reward if reward is not None else float(status == "correct"),
                   info={"answer": answer} if answer else {}, loss_mask=[1, 1, 0])


def test_pass_at_k_matches_hand_values():
    assert pass_at_k(4, 0, 2) == 0.0
    assert pass_at_k(4, 4, 1) == 1.0
    assert pass_at_k(4, 1, 1) == pytest.approx(0.25)
    assert pass_at_k(4, 1, 2) == pytest.approx(1 - 3 / 6)  # 1 - C(3,2)/C(4,2)


def test_summary_keeps_errors_out_of_reward_but_counts_them():
    rows = [r("a", "correct", answer="1"), r("a", "wrong", answer="2"), r("a", "wrong", answer="2"),
            r("b", "error"), r("b", "timeout"), r("b", "correct", answer="7")]
    m = summarize(rows, k=3)["e"]
    assert m["n"] == 2 and m["rollouts"] == 6
    assert m["reward_mean"] == pytest.approx(2 / 4)  # over the 4 scored rollouts
    assert m["pass@1"] == pytest.approx((1 / 3 + 1) / 2)
    assert m["maj@3"] == pytest.approx((0 + 1) / 2)  # task a votes "2", which is wrong
    assert m["error_rate"] == pytest.approx(1 / 6) and m["timeout_rate"] == pytest.approx(1 / 6)
    assert m["mean_tokens"] == 2


def test_all_row_for_several_envs():
    s = summarize([r("a", "correct", env="x"), r("b", "wrong", env="y")], k=1)
    assert set(s) == {"x", "y", "all"} and s["all"]["pass@1"] == 0.5


def test_gymnasium_adapter_passes_gymnasium_checker():
    register_env(Echo)
    env = GymkitEnv("test_echo")
    gym_check_env(env, skip_render_check=True)
    obs, info = env.reset(seed=3)
    word = json.loads(obs)[0]["content"].split()[-1]
    _, reward, terminated, truncated, info = env.step(word)
    assert (reward, terminated, truncated, info["status"]) == (1.0, True, False, "correct")
    env.reset(seed=3)
    _, reward, terminated, _, info = env.step("nope")
    assert reward == 0.0 and terminated and info["status"] == "wrong"


def test_every_builtin_env_has_a_gymnasium_id():
    import gymnasium

    import gymkit  # noqa: F401  (registers the ids)

    ids = env_ids()
    assert ids, "no env folders found"
    for name in ids:
        assert f"gymkit/{name}-v0" in gymnasium.registry
