"""Issue 12, training runs that would do nothing while looking healthy: they stop, with a reason."""
import sys
import types

import pytest

from gymkit import BaseEnv, Score, Task, register_env
from gymkit.cli import main
from gymkit.errors import GymkitError
from gymkit.policy.base import Generation, Policy
from gymkit.trainers.config import load_config
from gymkit.trainers.data import heldout_for_run
from gymkit.trainers.trainer import train


@register_env
class Flat(BaseEnv):
    """Every answer scores the same (no signal), or the verifier always crashes."""

    name = "test_corr_flat"
    config_keys = ("crash",)

    def generate_task(self, rng, difficulty, index):
        return Task(id=f"f-{index}", env=self.name, data={"k": index % 4},
                    prompt=[{"role": "user", "content": f"pick {index % 4}"}])  # 4 distinct prompts

    def score(self, task, response):
        if self.config.get("crash"):
            raise RuntimeError("verifier down")
        return Score.wrong("always")


class NoTokens(Policy):
    """A server-like backend: text, but no token ids (or, with ids, no logprobs)."""

    backend = "scripted"

    def __init__(self, ids: bool):
        self.ids = ids

    def generate(self, requests, params):
        return [Generation(text="a", prompt_ids=[1, 2] if self.ids else [],
                           token_ids=[3] if self.ids else [], logprobs=[]) for _ in requests]


def _cfg(tmp_path, *extra):
    return load_config("tiny-cpu", [f"out={tmp_path}", "envs={test_corr_flat: {}}",
                                    "logging.progress=false", "logging.plot=false",
                                    "logging.tensorboard=false", "steps=6",
                                    "checkpoint.every=0", "rollout.prompts_per_step=2", *extra])


@pytest.mark.parametrize("ids,needle", [(False, "no token ids"), (True, "no logprobs")])
def test_a_sampler_without_tokens_or_logprobs_fails_at_the_first_step(tmp_path, ids, needle):
    with pytest.raises(GymkitError, match=needle):
        train(_cfg(tmp_path), policy=NoTokens(ids))
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 1


def test_zero_variance_run_stops_after_patience(tmp_path):
    with pytest.raises(GymkitError, match="no sequence entered the gradient for 3 steps"):
        train(_cfg(tmp_path))
    assert len((tmp_path / "metrics.jsonl").read_text().splitlines()) == 3


def test_error_run_stops_after_patience(tmp_path):
    cfg = _cfg(tmp_path, "envs={test_corr_flat: {options: {crash: true}}}", "health.patience=2")
    with pytest.raises(GymkitError, match="errors for 2 steps in a row.*verifier down"):
        train(cfg)


@pytest.mark.parametrize("args,needle", [
    (["--backend", "vlm"], "unknown backend 'vlm'"),
    (["--backend", "openai"], "cannot update"),
    (["--model", "no-such-model"], "no-such-model"),
])
def test_train_dry_run_rejects_bad_backend_and_model(capsys, args, needle):
    assert main(["train", "--config", "tiny-cpu", "--dry-run", *args]) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_heldout_set_survives_a_resume_with_other_steps(tmp_path):
    def held(steps):
        return [t.id for t in heldout_for_run(tmp_path, {"test_corr_flat": 1.0}, 4, 0,
                                              {"test_corr_flat": None}, {}, steps)]

    first = held(1)
    assert first  # 4 distinct prompts: one training prompt leaves 3 held-out ones
    assert held(100) == first  # 100 training prompts would exclude all of them if recomputed


def test_wandb_run_id_is_saved_and_reused_on_resume(tmp_path, monkeypatch):
    from gymkit.trainers.metrics import MetricsWriter

    calls = []

    class Run:
        def __init__(self, **kw):
            calls.append(kw)
            self.id = kw.get("id") or f"run{len(calls)}"

        def log(self, *a, **k):
            pass

        def finish(self):
            pass

    monkeypatch.setitem(sys.modules, "wandb", types.SimpleNamespace(init=lambda **kw: Run(**kw)))
    MetricsWriter(tmp_path, tensorboard=False, wandb=True).close()
    MetricsWriter(tmp_path, tensorboard=False, wandb=True, resume_step=3).close()
    assert calls[0]["id"] is None and calls[1]["id"] == "run1"


def test_openai_backend_refuses_to_fake_a_weight_sync():
    from gymkit.policy.openai import OpenAIPolicy

    policy = OpenAIPolicy("x", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(GymkitError, match="cannot update the server's weights"):
        policy.sync_weights(object())
    policy.close()
