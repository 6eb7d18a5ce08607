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
