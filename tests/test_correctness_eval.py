"""Issue 12, eval / verify / reports: honest metrics, streamed in-order rows, one-line mistakes."""
import json
import random

import pytest

from gymkit import BaseEnv, Score, Task, register_env, tool
from gymkit.cli import main
from gymkit.types import Rollout


@register_env
class Lookup(BaseEnv):
    """A tool env: look a word up, then answer it."""

    name = "test_corr_lookup"
    max_turns = 4

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        return Task(id=f"k{index}", env=self.name, data={"w": f"w{index}"},
                    prompt=[{"role": "user", "content": f"look up key {index}"}])

    @tool
    def lookup(self, episode, key: int) -> str:
        """The word stored under `key`."""
        episode.state["looked"] = True
        return f"w{key}"

    def score_episode(self, episode, response):
        if not episode.state.get("looked"):
            return Score.wrong("answered without looking up")
        ok = response.strip() == episode.task.data["w"]
        return Score.correct() if ok else Score.wrong("mismatch")


@register_env
class Broken(BaseEnv):
    name = "test_corr_broken"

    def generate_task(self, rng, difficulty, index):  # one id for every task (as digests can)
        return Task(id="b", env=self.name, prompt=[{"role": "user", "content": "hi"}])

    def score(self, task, response):
        raise RuntimeError("verifier down")


CALL = '<tool_call>{"name": "lookup", "arguments": {"key": 0}}</tool_call>'


def _verify_files(tmp_path):
    tasks = tmp_path / "t.jsonl"
    tasks.write_text("".join(t.model_dump_json() + "\n" for t in Lookup().generate(2)))
    responses = tmp_path / "r.jsonl"
    responses.write_text(
        json.dumps({"task_id": "k0", "response": [CALL, "w0"]}) + "\n"  # 2 turns: scored last
        + json.dumps({"task_id": "k1", "response": "w1"}) + "\n"  # no lookup: wrong, at once
        + json.dumps({"task_id": "k0", "response": "w0"}) + "\n")
    return tasks, responses


def test_verify_parses_text_tool_calls_and_writes_rows_in_input_order(tmp_path):
    tasks, responses = _verify_files(tmp_path)
    out = tmp_path / "o.jsonl"
    assert main(["verify", "--env", Lookup.name, "--tasks", str(tasks), "--responses",
                 str(responses), "--out", str(out), "--no-ray"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3]
    assert [r["status"] for r in rows] == ["correct", "wrong", "wrong"]


def test_verify_resume_skips_rows_already_written(tmp_path):
    tasks, responses = _verify_files(tmp_path)
    out = tmp_path / "o.jsonl"
    kept = {"line": 1, "task_id": "k0", "reward": 0.25, "status": "wrong", "error": None, "info": {}}
    out.write_text(json.dumps(kept) + "\n" + '{"line": 2, "task_id": "k1", "rew')  # killed mid-row
    assert main(["verify", "--env", Lookup.name, "--tasks", str(tasks), "--responses",
                 str(responses), "--out", str(out), "--no-ray", "--resume"]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3] and rows[0] == kept


def test_a_mistyped_task_file_fails_at_once(tmp_path, capsys):
    (tmp_path / "r.jsonl").write_text("")
    assert main(["verify", "--env", "math", "--tasks", str(tmp_path / "tsks.jsonl"),
                 "--responses", str(tmp_path / "r.jsonl")]) == 2
    assert "task file" in capsys.readouterr().err


def test_a_misspelled_env_option_is_one_line(capsys):
    assert main(["eval", "--env", "math", "--env-option", "math.fewshott=2", "--n", "1"]) == 2
    err = capsys.readouterr().err
    assert "no option 'fewshott'; valid: fewshot" in err and len(err.strip().splitlines()) == 1


def test_reverify_does_not_report_truncated_as_changed(tmp_path, capsys):
    from gymkit.registry import make_env

    task = make_env("math").generate(1, seed=0)[0]
    r = Rollout(task_id=task.id, env="math", task=task, status="truncated", finish_reason="length",
                messages=[*task.prompt, {"role": "assistant", "content": "Let me think step"}])
    f = tmp_path / "rollouts.jsonl"
    f.write_text(r.model_dump_json() + "\n")
    assert main(["rollouts", "reverify", str(f), "--no-ray"]) == 0
    assert "1 rollouts re-scored, 0 changed" in capsys.readouterr().out


def test_nothing_scored_is_na_and_a_failing_exit_code(tmp_path):
    out = tmp_path / "ev"
    rc = main(["eval", "--model", "tiny-random-llama", "--env", Broken.name, "--n", "2",
               "--max-new-tokens", "4", "--out", str(out), "--no-ray"])
    assert rc == 1
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["envs"][Broken.name]["pass@1"] is None
    assert "n/a" in (out / "report.md").read_text()
    head = metrics["header"]
    assert head["gymkit_version"] and head["checkpoint_step"] is None
    assert head["sampling"]["max_new_tokens"] == 4 and "top_p" in head["sampling"]  # defaults too


def test_eval_task_ids_are_unique_even_when_an_env_repeats_them():
    from gymkit.evaluate import eval_tasks

    ids = [t.id for t in eval_tasks([Broken.name], 3, seed=0)]
    assert len(ids) == 3 and len(set(ids)) == 3


def test_report_chart_includes_truncated_rate(tmp_path):
    from gymkit.metrics import summarize
    from gymkit.report import chart

    rs = [Rollout(task_id="a", env="x", status="truncated"), Rollout(task_id="b", env="x",
                                                                       status="correct")]
    assert "truncated_rate" in chart(summarize(rs, 1), tmp_path / "r.png", "t")


def test_eval_resume_keeps_finished_tasks(tmp_path):
    out = tmp_path / "ev"
    args = ["eval", "--model", "tiny-random-llama", "--env", "math", "--n", "3",
            "--max-new-tokens", "4", "--out", str(out), "--no-ray"]
    assert main(args) == 0
    lines = (out / "rollouts.jsonl").read_text().splitlines()
    (out / "rollouts.jsonl").write_text(lines[0] + "\n" + lines[1][:20])  # killed mid-write
    assert main(args + ["--resume"]) == 0
    assert len((out / "rollouts.jsonl").read_text().splitlines()) == 3
    assert json.loads((out / "metrics.json").read_text())["header"]["resumed_rollouts"] == 1


def test_eval_loads_a_lora_checkpoint_on_its_base(tmp_path):
    import torch
    from peft import LoraConfig, get_peft_model

    from gymkit.policy.hf import load_hf_model

    base, tok = load_hf_model("tiny-random-llama", "cpu", torch.float32)
    model = get_peft_model(base, LoraConfig(r=4, target_modules="all-linear"))
    step = tmp_path / "run" / "checkpoints" / "step-000003"
    model.save_pretrained(step / "model")
    tok.save_pretrained(step / "model")
    (tmp_path / "run" / "checkpoints" / "latest").write_text("step-000003\n")
    out = tmp_path / "ev"
    assert main(["eval", "--model", str(tmp_path / "run"), "--env", "math", "--n", "1",
                 "--max-new-tokens", "4", "--out", str(out), "--no-ray"]) == 0
    assert json.loads((out / "metrics.json").read_text())["header"]["checkpoint_step"] == 3
