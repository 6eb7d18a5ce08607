"""The scorecard runner itself: outcomes, loading errors, the CLI table."""
import json

import pytest

from gymkit.cli import main
from gymkit.errors import GymkitError
from gymkit.registry import make_env
from gymkit.scorecard import load_cases, markdown, run_suite


def _write(root, env, rows):
    d = root / env
    d.mkdir(parents=True, exist_ok=True)
    (d / "cases.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def suite(tmp_path):
    task = make_env("mcq").generate(1, seed=0)[0]
    gold = task.gold_text
    rows = [
        {"id": "gold", "gen": {"seed": 0, "index": 0}, "response": gold, "expect": "correct",
         "reason": "the gold answer"},
        {"id": "empty", "task": json.loads(task.model_dump_json()), "response": "",
         "expect": "wrong", "reason": "no answer"},
        # deliberately mislabelled: the runner must report these, not hide them
        {"id": "mislabelled-fp", "gen": {"seed": 0, "index": 0}, "response": gold,
         "expect": "wrong", "reason": "labelled wrong on purpose"},
        {"id": "mislabelled-fn", "gen": {"seed": 0, "index": 0}, "response": "",
         "expect": "correct", "reason": "labelled correct on purpose", "known_limit": "test"},
        {"id": "big", "gen": {"seed": 0, "index": 0},
         "response_gen": {"repeat": "A B ", "times": 1000}, "expect": "wrong",
         "reason": "generated text"},
    ]
    _write(tmp_path, "mcq", rows)
    return tmp_path


def test_outcomes(suite):
    s = run_suite("mcq", suite)
    got = {r.case.id: r.outcome for r in s.results}
    assert got == {"gold": "ok", "empty": "ok", "mislabelled-fp": "fp", "mislabelled-fn": "fn",
                   "big": "ok"}
    assert [r.case.id for r in s.failures] == ["mislabelled-fp"]  # the fn is a known limit
    assert s.known_limits == 1 and len(s.version) == 12
    md = markdown([s], "2026-12-02", "test")
    assert "| mcq | 5 | 1 | 0 | 1 | 0 |" in md and "mislabelled-fn" in md


def test_bad_case_is_one_line(tmp_path):
    _write(tmp_path, "mcq", [{"id": "x", "response": "A", "expect": "maybe", "reason": "r"}])
    with pytest.raises(GymkitError, match=r"cases.jsonl:1: bad case"):
        load_cases("mcq", tmp_path)


def test_duplicate_id(tmp_path):
    row = {"id": "x", "gen": {}, "response": "A", "expect": "wrong", "reason": "dup"}
    _write(tmp_path, "mcq", [row, row])
    with pytest.raises(GymkitError, match="duplicate case id"):
        load_cases("mcq", tmp_path)


def test_cli_exit_code_and_table(suite, capsys, tmp_path):
    out = tmp_path / "card.md"
    assert main(["scorecard", "--suites", str(suite), "--out", str(out), "-v"]) == 1
    text = capsys.readouterr().out
    assert "mislabelled-fp" in text and "mcq" in text
    assert "# Fidelity scorecard" in out.read_text()
    assert main(["scorecard", "--suites", str(suite), "--env", "nope"]) == 2
