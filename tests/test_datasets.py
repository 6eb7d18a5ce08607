"""Real datasets in eval and train (gymkit.datasets): package datasets offline, local files and
`datasets` folders, hub ids failing in one line, skipped rows counted, weighted mixes."""
import json
import time

import pytest

from gymkit.cli import main
from gymkit.datasets import TaskSource, assign_sources, load_tasks, parse_spec
from gymkit.env import play
from gymkit.errors import GymkitError
from gymkit.evaluate import eval_tasks
from gymkit.packaged import BFCL_CATEGORIES
from gymkit.registry import make_env
from gymkit.trainers.config import EnvSpec
from gymkit.trainers.data import TaskStream, heldout_for_run


def _gold_statuses(env_name: str, spec: str) -> tuple[int, list]:
    env = make_env(env_name)
    loaded = load_tasks(env, spec)
    bad = []
    for task in loaded.tasks:
        _, score = play(env, task, task.gold or [])
        if score.status != "correct":
            bad.append((task.id, score.status, score.info.get("reason")))
    env.close()
    return len(loaded.tasks), bad


def test_humaneval_offline_every_canonical_solution_scores_1():
    n, bad = _gold_statuses("code", "humaneval")
    assert n == 164
    assert bad == []


# (tasks, rows skipped) per category of bfcl-eval 2026.3.23, as docs/datasets.md lists them
BFCL_COUNTS = {"simple_python": (400, 0), "simple_java": (97, 3), "simple_javascript": (42, 8),
               "multiple": (200, 0), "parallel": (200, 0), "parallel_multiple": (198, 2),
               "live_simple": (255, 3), "live_multiple": (1038, 15), "live_parallel": (16, 0),
               "live_parallel_multiple": (23, 1), "irrelevance": (240, 0),
               "live_irrelevance": (884, 0)}


@pytest.mark.parametrize("category", BFCL_CATEGORIES)
def test_bfcl_offline_every_gold_scores_1(category):
    env = make_env("function_call")
    loaded = load_tasks(env, f"bfcl:{category}")
    # the rows skipped are those whose possible_answer breaks its own schema: few, and counted
    assert (len(loaded.tasks), sum(loaded.skipped.values())) == BFCL_COUNTS[category]
    assert set(loaded.skipped) <= {"possible_answer fails its own function schema"}
    for task in loaded.tasks:
        _, score = play(env, task, task.gold or [])
        assert score.status == "correct", (task.id, score.info)
        assert score.reward == 1.0
    if "irrelevance" in category:
        assert all(t.meta["irrelevant"] for t in loaded.tasks)


def test_bfcl_sizes_and_wrong_answers_score_0():
    env = make_env("function_call")
    tasks = load_tasks(env, "bfcl:simple_python").tasks
    assert len(tasks) == 400
    _, score = play(env, tasks[0], [{"role": "assistant", "content": "NO_CALL: cannot."}])
    assert score.status == "wrong"
    with pytest.raises(GymkitError, match="unknown BFCL category 'multi_turn_base'"):
        load_tasks(env, "bfcl:multi_turn_base")
    with pytest.raises(GymkitError, match="is a dataset for env 'code'"):
        load_tasks(env, "humaneval")


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_jsonl_bad_rows_are_skipped_with_a_count_and_reason(tmp_path):
    he = load_tasks(make_env("code"), "humaneval").tasks
    rows = [json.loads(t.model_dump_json()) for t in he[:3]]
    rows += [{"nonsense": 1}, {"nonsense": 2}, [1, 2]]
    path = _jsonl(tmp_path / "t.jsonl", rows)
    path.write_text(path.read_text() + "{cut by a kill\n")
    loaded = load_tasks(make_env("code"), str(path))
    assert len(loaded.tasks) == 3
    assert sum(loaded.skipped.values()) == 4
    assert loaded.skipped["row is not a JSON object"] == 1
    assert loaded.skipped["not valid JSON"] == 1
    assert "line 7" in loaded.examples["not valid JSON"]
    assert "3 tasks" in loaded.summary() and "skipped" in loaded.summary()
    with pytest.raises(GymkitError, match="no usable task"):
        load_tasks(make_env("code"), str(_jsonl(tmp_path / "bad.jsonl", rows[3:])))


def test_ifeval_rows_with_unsupported_instructions_are_counted_not_fatal(tmp_path):
    rows = [{"key": 1000, "prompt": "Write a haiku about the sea. Do not use any commas.",
             "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}]
    rows += [{"key": 1001 + i, "prompt": f"Answer only in {lang}: what is rain?",
              "instruction_id_list": ["language:response_language"], "kwargs": [{"language": lang}]}
             for i, lang in enumerate(["hi", "de"])]
    loaded = load_tasks(make_env("ifeval"), str(_jsonl(tmp_path / "ifeval.jsonl", rows)))
    assert [t.id for t in loaded.tasks] == ["ifeval-1000"]
    assert loaded.skipped == {"unsupported instruction id 'language:response_language'": 2}
    assert "key 1001" in next(iter(loaded.examples.values()))


def test_local_datasets_folder_parquet_and_json_array(tmp_path):
    import datasets

    rows = [{"task_id": f"T/{i}", "prompt": f"def f{i}(x):\n    \"\"\"Return x + {i}.\"\"\"\n",
             "canonical_solution": f"    return x + {i}\n", "entry_point": f"f{i}",
             "test": f"def check(candidate):\n    assert candidate(1) == {1 + i}\n"}
            for i in range(4)]
    ds = datasets.DatasetDict({"test": datasets.Dataset.from_list(rows),
                               "train": datasets.Dataset.from_list(rows[:2])})
    ds.save_to_disk(str(tmp_path / "saved"))
    env = make_env("code")
    assert [t.id for t in load_tasks(env, f"{tmp_path}/saved:test").tasks] == \
        ["T/0", "T/1", "T/2", "T/3"]
    assert len(load_tasks(env, f"{tmp_path}/saved:train").tasks) == 2
    with pytest.raises(GymkitError, match="name a split"):
        load_tasks(env, f"{tmp_path}/saved")
    (tmp_path / "plain").mkdir()
    with pytest.raises(GymkitError, match="`datasets` cannot read it") as e:
        load_tasks(env, str(tmp_path / "plain"))
    assert "\n" not in str(e.value)
    ds["test"].to_parquet(str(tmp_path / "t.parquet"))
    tasks = load_tasks(env, str(tmp_path / "t.parquet")).tasks
    (tmp_path / "t.json").write_text(json.dumps(rows))
    assert [t.id for t in load_tasks(env, str(tmp_path / "t.json")).tasks] == [t.id for t in tasks]
    _, score = play(env, tasks[2], tasks[2].gold)
    assert score.status == "correct"


def test_typo_and_hub_ids_fail_with_one_line(tmp_path):
    env = make_env("math")
    t0 = time.monotonic()
    with pytest.raises(GymkitError, match="does not exist") as e:
        load_tasks(env, "data/gsm8k_tset.jsonl")
    assert time.monotonic() - t0 < 1 and "\n" not in str(e.value)
    with pytest.raises(GymkitError, match="unknown task source 'humanevl'"):
        load_tasks(make_env("code"), "humanevl")
    t0 = time.monotonic()
    with pytest.raises(GymkitError, match="cannot load dataset 'no-org/no-such-set'") as e:
        load_tasks(env, "no-org/no-such-set:main:test")
    assert "\n" not in str(e.value)
    assert time.monotonic() - t0 < 30  # no half-minute of hub retries


def test_spec_parsing_and_env_assignment():
    assert parse_spec("humaneval@3,generated") == [("humaneval", 3.0), ("generated", 1.0)]
    assert parse_spec("openai/gsm8k:main:test") == [("openai/gsm8k:main:test", 1.0)]
    with pytest.raises(GymkitError, match="weight must be > 0"):
        parse_spec("humaneval@0")
    assert assign_sources(["humaneval"], None) == (["code"], {"code": "humaneval"})
    assert assign_sources(["x.jsonl"], ["math"]) == (["math"], {"math": "x.jsonl"})
    assert assign_sources(["math=x.jsonl"], ["math", "code"])[1] == {"math": "x.jsonl"}
    with pytest.raises(GymkitError, match="not among --env"):
        assign_sources(["bfcl:simple_python"], ["code"])
    with pytest.raises(GymkitError, match="say which env"):
        assign_sources(["x.jsonl"], ["math", "code"])


def test_eval_tasks_mix_by_weight():
    notes: dict = {}
    tasks = eval_tasks(["code"], 8, seed=10**6, sources={"code": "humaneval@3,generated@1"},
                       notes=notes)
    assert [t.id for t in tasks[:6]] == [f"HumanEval/{i}" for i in range(6)]
    assert len(tasks) == 8 and not tasks[6].id.startswith("HumanEval")
    assert notes["code"]["tasks"] == 8
    eval_tasks(["function_call"], 4, 0, sources={"function_call": "bfcl:parallel_multiple"},
               notes=notes)
    skip = notes["function_call"]["skipped"]["bfcl:parallel_multiple"]
    assert skip["possible_answer fails its own function schema"]["rows"] == 2
    assert skip["possible_answer fails its own function schema"]["first"].startswith("row 21: ")
    assert len(eval_tasks(["code"], None, 0, sources={"code": "humaneval"})) == 164


def test_train_stream_from_datasets_resumes_and_keeps_heldout_apart(tmp_path):
    sources = {"code": "humaneval@3,generated@1", "function_call": "bfcl:simple_python"}
    envs = {"code": 1.0, "function_call": 1.0}
    stream = TaskStream(envs, seed=1, sources=sources, heldout=4)
    first = stream.next(40)
    code = [t for t in first if t.env == "code"]
    from_he = [t for t in code if t.meta.get("source") == "humaneval"]
    assert 0.6 <= len(from_he) / len(code) <= 0.9  # 3:1 mix, interleaved
    assert len({t.id for t in first}) == 40
    state = stream.state_dict()
    again = TaskStream(envs, seed=1, sources=sources, heldout=4)
    again.load_state_dict(state)
    assert [t.id for t in stream.next(10)] == [t.id for t in again.next(10)]
    held = heldout_for_run(tmp_path, envs, 4, 1, {}, {}, 400, sources)
    held_ids = {t.id for t in held if t.meta.get("source")}
    assert len(held) == 8 and held_ids
    seen = {t.meta["source_id"] for t in TaskStream(envs, 1, sources=sources, heldout=4).next(400)}
    assert not held_ids & seen  # held-out dataset rows never train
    assert EnvSpec(tasks="humaneval").tasks == "humaneval"


def test_source_reserve_larger_than_dataset_is_one_line():
    env = make_env("function_call")
    with pytest.raises(GymkitError, match="leave none to train on"):
        TaskSource(env, "bfcl:live_parallel", reserve=100)


def test_eval_cli_on_humaneval_with_a_tiny_model(tmp_path, capsys):
    out = tmp_path / "ev"
    rc = main(["eval", "--model", "tiny-random-llama", "--tasks", "humaneval", "--n", "2",
               "--max-new-tokens", "8", "--out", str(out), "--no-ray"])
    assert rc == 0
    rollouts = [json.loads(x) for x in (out / "rollouts.jsonl").read_text().splitlines()]
    assert [r["task_id"] for r in rollouts] == ["HumanEval/0", "HumanEval/1"]
    assert all(r["status"] in ("wrong", "truncated") for r in rollouts)
    head = json.loads((out / "metrics.json").read_text())["header"]
    assert head["task_sources"]["code"]["source"] == "humaneval"
    assert main(["eval", "--tasks", "no_such_file.jsonl", "--env", "math"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_verify_reads_package_datasets(tmp_path):
    he = {t.id: t for t in load_tasks(make_env("code"), "humaneval").tasks}
    rows = [{"task_id": "HumanEval/0", "response": he["HumanEval/0"].gold_text},
            {"task_id": "HumanEval/1", "response": "```python\ndef f(): pass\n```"}]
    out = tmp_path / "scored.jsonl"
    assert main(["verify", "--env", "code", "--tasks", "humaneval", "--responses",
                 str(_jsonl(tmp_path / "r.jsonl", rows)), "--out", str(out), "--no-ray"]) == 0
    assert [json.loads(x)["status"] for x in out.read_text().splitlines()] == ["correct", "wrong"]
