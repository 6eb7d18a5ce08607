"""`gymkit train` / `train-rm` as plain typer functions: dry run and one-line errors."""
import pytest
import typer
from typer.testing import CliRunner

from gymkit.cli_train import train, train_rm
from gymkit.errors import GymkitError

app = typer.Typer()
app.command("train")(train)
app.command("train-rm")(train_rm)


def test_dry_run_prints_the_resolved_config():
    res = CliRunner().invoke(app, ["train", "--config", "tiny-cpu", "--env", "math:2",
                                   "--set", "trainer.lr=3e-6", "--steps", "9", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "lr: 3.0e-06" in res.output and "steps: 9" in res.output and "weight: 2.0" in res.output


@pytest.mark.parametrize("args, msg", [
    (["--set", "trainer.lrr=1"], "unknown key 'trainer.lrr'"),
    (["--env", "math:heavy"], "weight 'heavy' is not a number"),
    (["--config", "nope"], "unknown config 'nope'"),
])
def test_mistakes_raise_one_line(args, msg):
    res = CliRunner().invoke(app, ["train", "--dry-run", *args])
    assert isinstance(res.exception, GymkitError) and msg in str(res.exception)


def test_train_rm_rejects_a_bad_fraction(tmp_path):
    pairs = tmp_path / "p.jsonl"
    pairs.write_text('{"prompt": "x", "chosen": "a", "rejected": "b"}\n' * 4)
    res = CliRunner().invoke(app, ["train-rm", "--pairs", str(pairs), "--model", "tiny-random-llama",
                                   "--out", str(tmp_path / "rm"), "--heldout", "1.5"])
    assert isinstance(res.exception, GymkitError) and "--heldout" in str(res.exception)


@pytest.mark.parametrize("preset", ["nano-30b-8xh100", "nano-30b-2x8xh100", "nano-4b-1xh100"])
def test_gpu_presets_dry_run_builds_the_architecture_and_prints_the_memory_plan(preset):
    res = CliRunner().invoke(app, ["train", "--config", preset, "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "configs/arch/" in res.output and "LoRA-adapted weights" in res.output
    assert "per-GPU memory plan" in res.output and "vllm     total" in res.output
    if "nano-30b" in preset:  # the published total of Nemotron 3 Nano 30B-A3B
        assert "base parameters 31.58 B" in res.output


def test_dry_run_rejects_lora_targets_peft_refuses_on_nemotronh():
    res = CliRunner().invoke(app, ["train", "--config", "nano-30b-8xh100", "--dry-run",
                                   "--set", "trainer.lora.target_modules=all-linear"])
    assert isinstance(res.exception, GymkitError)
    assert "out_proj" in str(res.exception) and "\n" not in str(res.exception)
