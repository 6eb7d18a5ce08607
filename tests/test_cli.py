"""The command line: input mistakes are one line; verify / reverify / check-env / new-env work."""
import json
import random
import shlex
import subprocess
import sys

import pytest

from gymkit import BaseEnv, Score, Task
from gymkit.cli import main
from gymkit.registry import register_env


@register_env
class CliEcho(BaseEnv):
    name = "test_cli_echo"
    verifier = "exact match"

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        w = "".join(rng.choice("xyz") for _ in range(5))
        return Task(id=f"e{index}", env=self.name, prompt=[{"role": "user", "content": w}],
                    data={"w": w}, gold=[{"role": "assistant", "content": w}])

    def task_from_row(self, row, index):
        return Task(id=f"row{index}", env=self.name, prompt=[{"role": "user", "content": row["q"]}],
                    data={"w": row["q"]})

    def score(self, task, response):
        return Score.correct(answer=response) if response == task.data["w"] else Score.wrong("no")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "gymkit.cli", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args,needle", [
    (["eval", "--bogus", "1"], "no such option --bogus for 'gymkit eval'; valid: "),
    (["frob"], "No such command 'frob'; valid: "),
    (["tasks", "--env", "nope"], "unknown env 'nope'; choose one of: "),
    (["verify", "--env", "nope", "--tasks", "a", "--responses", "b"], "unknown env 'nope'"),
])
def test_input_mistakes_are_one_line(args, needle):
    res = run_cli(*args)
    assert res.returncode == 2
    assert needle in res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_verify_scores_rows_and_records_unknown_ids(tmp_path, capsys):
    (tmp_path / "t.jsonl").write_text('{"id": "a", "q": "xyx"}\n{"q": "zzz"}\n')
    (tmp_path / "r.jsonl").write_text(
        '{"task_id": "a", "response": "<think>hmm</think>xyx"}\n'
        '{"task_id": "row1", "response": "xyx"}\n{"task_id": "ghost", "response": "x"}\n')
    out = tmp_path / "o.jsonl"
    assert main(["verify", "--env", "test_cli_echo", "--tasks", str(tmp_path / "t.jsonl"),
                 "--responses", str(tmp_path / "r.jsonl"), "--out", str(out), "--no-ray"]) == 0
    rows = {r["task_id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["a"]["status"] == "correct" and rows["a"]["reward"] == 1.0
    assert rows["row1"]["status"] == "wrong"
    assert rows["ghost"]["status"] == "error" and rows["ghost"]["error"] == "unknown task_id"


def test_verify_rejects_malformed_response_file(tmp_path):
    (tmp_path / "t.jsonl").write_text('{"q": "x"}\n')
    (tmp_path / "r.jsonl").write_text('{"task_id": "row0"}\n')
    assert main(["verify", "--env", "test_cli_echo", "--tasks", str(tmp_path / "t.jsonl"),
                 "--responses", str(tmp_path / "r.jsonl"), "--no-ray"]) == 2


def test_reverify_rescores_stored_rollouts(tmp_path):
    from gymkit.driver import run_episodes
    from gymkit.pool import LocalPool
    from gymkit.policy.base import Generation, Policy, SamplingParams

    class Parrot(Policy):
        def generate(self, requests, params):
            return [Generation(text=r.messages[0]["content"]) for r in requests]

    tasks = CliEcho().generate(4)
    rollouts = run_episodes(tasks, Parrot(), LocalPool(["test_cli_echo"]), SamplingParams())
    rollouts[0].reward, rollouts[0].status = 0.0, "wrong"  # a stale verdict
    f = tmp_path / "rollouts.jsonl"
    f.write_text("".join(r.model_dump_json() + "\n" for r in rollouts))
    assert main(["rollouts", "reverify", str(f), "--no-ray"]) == 0
    rows = [json.loads(x) for x in (tmp_path / "rollouts.reverified.jsonl").read_text().splitlines()]
    assert [r["status"] for r in rows] == ["correct"] * 4
    assert rows[0]["previous"]["status"] == "wrong"


def test_new_env_skeleton_passes_its_own_test(tmp_path):
    res = subprocess.run([sys.executable, "-m", "gymkit.cli", "new-env", "demo_env"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "demo_env" / "env.py").exists()  # written where we are
    (nxt,) = [ln[len("next: "):] for ln in res.stdout.splitlines() if ln.startswith("next: ")]
    test = subprocess.run(shlex.split(nxt) + ["-p", "no:cacheprovider"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)  # the printed command
    assert "2 passed" in test.stdout, test.stdout + test.stderr


def test_new_env_rejects_bad_names(tmp_path):
    res = subprocess.run([sys.executable, "-m", "gymkit.cli", "new-env", "Bad-Name"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "snake_case" in res.stderr


def test_env_options_parse_and_reject_mistakes():
    from gymkit.errors import GymkitError
    from gymkit.evaluate import parse_env_options

    assert parse_env_options(["math.fewshot=2"], ["math"]) == {"math": {"fewshot": 2}}
    for bad, msg in [("math", "expected ENV.KEY=VALUE"), ("code.a=1", "not among --env"),
                     ("math.fewshott=2", "env 'math' has no option 'fewshott'; valid: fewshot")]:
        with pytest.raises(GymkitError, match=msg):
            parse_env_options([bad], ["math"])


def test_tasks_out_then_verify_gold_round_trip(tmp_path):
    f = tmp_path / "tasks.jsonl"
    assert main(["tasks", "--env", "test_cli_echo", "--n", "4", "--out", str(f)]) == 0
    rows = [json.loads(x) for x in f.read_text().splitlines()]
    (tmp_path / "r.jsonl").write_text("".join(
        json.dumps({"task_id": r["id"], "response": r["gold"][0]["content"]}) + "\n" for r in rows))
    out = tmp_path / "o.jsonl"
    assert main(["verify", "--env", "test_cli_echo", "--tasks", str(f), "--responses",
                 str(tmp_path / "r.jsonl"), "--out", str(out), "--no-ray"]) == 0
    assert [json.loads(x)["status"] for x in out.read_text().splitlines()] == ["correct"] * 4


def test_version_and_bare_command(capsys):
    import gymkit

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"gymkit {gymkit.__version__}"
    assert main([]) == 0  # help, not an empty `error:`
    cap = capsys.readouterr()
    assert "Usage: gymkit" in cap.out and "error" not in cap.err


def test_missing_optional_module_names_its_extra(tmp_path, monkeypatch, capsys):
    import gymkit.pool
    from gymkit.extras import missing_extra

    assert missing_extra(ModuleNotFoundError(name="gymkit.nope")) is None  # a bug: traceback

    def no_ray(*a, **k):  # what a base install (no `gymkit[ray]`) hits in EnvPool
        raise ModuleNotFoundError("No module named 'ray'", name="ray")

    monkeypatch.setattr(gymkit.pool, "EnvPool", no_ray)
    assert main(["tasks", "--env", "math", "--n", "1", "--out", str(tmp_path / "t.jsonl")]) == 0
    task_id = json.loads((tmp_path / "t.jsonl").read_text())["id"]
    (tmp_path / "r.jsonl").write_text(json.dumps({"task_id": task_id, "response": "1"}) + "\n")
    capsys.readouterr()
    assert main(["verify", "--env", "math", "--tasks", str(tmp_path / "t.jsonl"),
                 "--responses", str(tmp_path / "r.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert "pip install 'gymkit[ray]'" in err and len(err.splitlines()) == 1
