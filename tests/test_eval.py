"""`gymkit eval` end to end on a tiny random model: files, metrics and statuses are real."""
import json

import pytest

from gymkit.cli import main


@pytest.mark.parametrize("model", ["tiny-random-llama"])
def test_eval_writes_rollouts_metrics_and_report(tmp_path, model):
    out = tmp_path / "ev"
    rc = main(["eval", "--model", model, "--env", "math,countdown", "--n", "3", "--samples", "2",
               "--max-new-tokens", "12", "--out", str(out), "--actors", "1"])
    assert rc == 0
    rollouts = [json.loads(x) for x in (out / "rollouts.jsonl").read_text().splitlines()]
    assert len(rollouts) == 2 * 3 * 2
    for r in rollouts:
        assert r["status"] in ("correct", "wrong", "truncated", "error", "timeout")
        assert r["status"] != "error", r["error"]
        assert len(r["completion_ids"]) == len(r["logprobs"]) == len(r["loss_mask"]) > 0
        assert all(lp <= 0 for lp in r["logprobs"])
        assert r["task"]["env"] == r["env"]
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["envs"]) == {"math", "countdown", "all"}
    for key in ("n", "reward_mean", "pass@1", "pass@2", "maj@2", "error_rate", "timeout_rate",
                "mean_tokens", "mean_latency_s"):
        assert key in metrics["envs"]["math"]
    assert metrics["envs"]["math"]["n"] == 3
    assert "| math |" in (out / "report.md").read_text()
    assert (out / "report.png").stat().st_size > 1000


def test_eval_unknown_model_is_one_line(capsys):
    assert main(["eval", "--model", "no-such-model", "--env", "math", "--n", "1"]) == 2
