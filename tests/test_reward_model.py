"""Reward model: Bradley-Terry loss by hand, training on learnable pairs, rm_chat, blending."""
import json
import math
import random

import pytest
import torch

from gymkit.errors import GymkitError
from gymkit.trainers.reward_model import RewardBlender, RMClient
from gymkit.trainers.rm_train import bradley_terry_loss, load_pairs, train_reward_model
from gymkit.types import Rollout, Task

WORDS = "river stone cloud paper window garden silver orange quiet bridge".split()
GOOD, BAD = ["great", "lovely", "clear", "kind"], ["awful", "rude", "wrong", "vague"]


def test_bradley_terry_loss_by_hand():
    c, r = torch.tensor([2.0, 0.0]), torch.tensor([0.0, 0.0])
    want = (-math.log(1 / (1 + math.exp(-2))) + math.log(2)) / 2
    assert bradley_terry_loss(c, r).item() == pytest.approx(want)
    # a margin demands more separation: the same pair costs more
    assert bradley_terry_loss(c, r, 1.0).item() > bradley_terry_loss(c, r).item()


def _pairs(n, seed):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        a, b = " ".join(rng.sample(WORDS, 3)), " ".join(rng.sample(WORDS, 3))
        rows.append({"prompt": f"Describe the {rng.choice(WORDS)}.",
                     "chosen": f"{a} {rng.choice(GOOD)} {b}", "rejected": f"{a} {rng.choice(BAD)} {b}"})
    return rows


@pytest.fixture(scope="module")
def trained_rm(tmp_path_factory):
    root = tmp_path_factory.mktemp("rm")
    pairs = root / "prefs.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in _pairs(160, 0)))
    metrics = train_reward_model(pairs, "tiny-random-llama", root / "rm", epochs=2, lr=1e-3,
                                 batch_size=16, heldout=0.25, max_len=64, log=lambda *_: None)
    return root / "rm", metrics


def test_training_on_learnable_pairs_beats_chance_on_heldout(trained_rm):
    _, m = trained_rm
    assert m["heldout_pairs"] == 40
    assert m["heldout_accuracy"] >= 0.85
    assert m["heldout_accuracy"] >= m["heldout_accuracy_before"] + 0.1


def test_rm_chat_env_is_scored_by_the_reward_model(trained_rm):
    from gymkit.envs.rm_chat import RMChatEnv

    path, _ = trained_rm
    env = RMChatEnv(rm_path=str(path))
    task = env.generate(1, seed=0)[0]
    good = env.score(task, "river lovely stone")
    bad = env.score(task, "river rude stone")
    assert 0 < bad.reward < good.reward < 1 and good.status == "correct"
    assert env.score(task, "   ").status == "wrong"
    blind = RMChatEnv().score(task, "river lovely stone")
    assert blind.status == "error" and "reward model" in blind.error


def test_blending_adds_lambda_times_rm_to_scored_rollouts(trained_rm):
    path, _ = trained_rm
    task = Task(id="t", env="math", prompt=[{"role": "user", "content": "Describe the river."}])
    rs = [Rollout(task_id="t", env="math", messages=[{"role": "assistant", "content": text}],
                  reward=1.0, status=status)
          for text, status in [("a kind b", "correct"), ("a wrong b", "correct"), ("x", "error")]]
    blender = RewardBlender(RMClient(str(path)), {"math": 0.5})
    blender.on_group(task, rs)
    blender.finish(rs)
    assert rs[0].reward == pytest.approx(1 + 0.5 * rs[0].components["rm"])
    assert rs[0].reward > rs[1].reward > 1.0
    assert rs[2].reward == 1.0 and "rm" not in rs[2].components  # errors are not scored


def test_rm_served_by_a_ray_actor(trained_rm):
    path, _ = trained_rm
    local = RMClient(str(path)).score([("Describe it.", "a great b")])
    remote = RMClient(str(path), serve="ray").score([("Describe it.", "a great b")])
    assert remote == pytest.approx(local, abs=1e-5)


def test_bad_pairs_file_gives_one_line(tmp_path):
    bad = tmp_path / "p.jsonl"
    bad.write_text('{"prompt": "x", "chosen": "a", "rejected": "b"}\n{"prompt": "x", "chosen": "a"}\n')
    with pytest.raises(GymkitError, match=r"p.jsonl:2: rejected: Field required"):
        load_pairs(bad)
    with pytest.raises(GymkitError, match="does not exist"):
        load_pairs(tmp_path / "missing.jsonl")


def test_long_conversations_keep_the_responses_end():
    from gymkit.trainers.reward_model import RewardModel

    rm = RewardModel.from_backbone("tiny-random-llama", max_len=24).eval()
    head = " ".join(WORDS * 4)  # a long response: only its end fits in 24 tokens
    with torch.no_grad():
        good, bad = rm.score([("Describe it.", f"{head} great"), ("Describe it.", f"{head} awful")],
                             raw=True)
    assert good != pytest.approx(bad, abs=1e-6)  # right truncation would make them identical


def test_blend_centres_raw_scores_per_group(trained_rm):
    path, _ = trained_rm
    task = Task(id="t", env="math", prompt=[{"role": "user", "content": "Describe the river."}])
    rs = [Rollout(task_id="t", env="math", messages=[{"role": "assistant", "content": text}],
                  reward=0.0, status="wrong") for text in ("a kind b", "a wrong b")]
    client = RMClient(str(path))
    blender = RewardBlender(client, {"math": 1.0})
    blender.on_group(task, rs)
    blender.finish(rs)
    # centred: the pair's sigmoids are sigma(+d/2) and sigma(-d/2), so they sum to 1
    assert rs[0].components["rm"] + rs[1].components["rm"] == pytest.approx(1.0)
    raw = client.get(client.submit([(task.prompt, "a kind b"), (task.prompt, "a wrong b")],
                                   raw=True))
    d = raw[0] - raw[1]
    assert rs[0].components["rm"] == pytest.approx(1 / (1 + math.exp(-d / 2)), abs=1e-5)


def test_reward_model_device_is_honoured(tmp_path, trained_rm):
    path, _ = trained_rm
    assert RMClient(str(path), device="cpu").device() == "cpu"
    pairs = tmp_path / "p.jsonl"
    pairs.write_text("".join(json.dumps(r) + "\n" for r in _pairs(8, 1)))
    if not torch.cuda.is_available():  # asked for a GPU that is not there: one line, not the CPU
        with pytest.raises(GymkitError, match="no CUDA GPU"):
            train_reward_model(pairs, "tiny-random-llama", tmp_path / "rm", device="cuda",
                               log=lambda *_: None)
    m = train_reward_model(pairs, "tiny-random-llama", tmp_path / "rm", device="cpu",
                           max_len=32, log=lambda *_: None)
    assert m["device"] == "cpu"
