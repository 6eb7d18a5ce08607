"""`gymkit train --backend vllm`: the CLI runs end to end, and inside the loop the engine ends
up with exactly the weights the trainer wrote to its last checkpoint."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("vllm")

import torch  # noqa: E402

from gymkit.policy.base import GenRequest, SamplingParams  # noqa: E402

LOGPROB_TOL = 2e-3
# Weight decay moves every weight even when all GRPO advantages are 0 (a random model scores 0
# on math), so each step is a real change that the sync must carry.
DECAY = ["trainer.lr=0.05", "trainer.weight_decay=0.5", "loss.filter_zero_variance=false",
         "logging.progress=false", "logging.plot=false", "logging.tensorboard=false"]


def test_cli_train_with_vllm_backend(tiny_dir, tmp_path):
    gymkit = Path(sys.executable).with_name("gymkit")
    out = tmp_path / "run"
    cmd = [str(gymkit), "train", "--backend", "vllm", "--model", str(tiny_dir), "--config", "tiny-cpu",
           "--steps", "2", "--out", str(out)] + [a for s in DECAY for a in ("--set", s)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [1, 2]
    assert all(r["tokens/generated"] > 0 and r["error_rate/all"] == 0.0 for r in rows)
    assert "backend: vllm" in (out / "config.yaml").read_text()
    assert (out / "checkpoints" / "latest").read_text().strip() == "step-000002"


def test_loop_leaves_engine_with_the_trained_weights(vpolicy, hf_policy, tiny_dir, tmp_path):
    from transformers import AutoModelForCausalLM

    from gymkit.trainers.config import load_config
    from gymkit.trainers.trainer import train

    cfg = load_config("tiny-cpu", DECAY, model=str(tiny_dir), steps=2, out=tmp_path / "run", backend="vllm")
    try:
        train(cfg, policy=vpolicy)
        step = (cfg.out / "checkpoints" / "latest").read_text().strip()
        trained = AutoModelForCausalLM.from_pretrained(cfg.out / "checkpoints" / step / "model",
                                                       dtype=torch.float32).eval()
        req = GenRequest(messages=[{"role": "user", "content": "What is 12 + 30?"}])
        g = vpolicy.generate([req], SamplingParams(max_new_tokens=12, temperature=0))[0]
        ids = torch.tensor([g.prompt_ids + g.token_ids])
        n = len(g.prompt_ids)
        with torch.no_grad():
            new = torch.log_softmax(trained(ids).logits[0, n - 1:-1], -1)
            old = torch.log_softmax(hf_policy.model(ids).logits[0, n - 1:-1], -1)
        pick = torch.tensor(g.token_ids)[:, None]
        got = torch.tensor(g.logprobs)
        assert (got - new.gather(-1, pick)[:, 0]).abs().max() < LOGPROB_TOL  # the engine has the new weights
        assert (got - old.gather(-1, pick)[:, 0]).abs().max() > 10 * LOGPROB_TOL  # ...which differ from the old
    finally:
        vpolicy.sync_weights(hf_policy.model)
