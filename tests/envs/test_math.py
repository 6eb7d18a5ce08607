import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.math import MathEnv
from gymkit.envs.math.env import gold_from_answer_field


@pytest.fixture(scope="module")
def env():
    return MathEnv()


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def test_check_env_passes(env):
    assert check_env(env) == []


def test_gold_scores_one_on_every_level(env):
    for level in env.difficulties:
        for task in env.generate(4, seed=3, difficulty=level):
            s = _score(env, task, task.gold_text)
            assert (s.reward, s.status) == (1.0, "correct"), (task.id, s)


def test_seeded_determinism(env):
    assert env.generate(8, seed=11) == env.generate(8, seed=11)
    assert env.generate(8, seed=11) != env.generate(8, seed=12)


@pytest.mark.parametrize("text,status", [
    ("", "wrong"),
    ("the answer is 42", "wrong"),           # unboxed: strict policy
    ("\\boxed{}", "wrong"),
    ("\x00\x01\xff" * 1000, "wrong"),
    ("<think>\\boxed{42}", "wrong"),          # answer inside an unterminated reasoning block
    ("9" * 1_000_000, "wrong"),
])
def test_garbage_is_wrong_with_a_status(env, text, status):
    task = env.generate(1, seed=0, difficulty=1)[0]
    s = _score(env, task, text)
    assert s.reward == 0.0 and s.status == status


def test_wrong_and_hedged_answers_score_zero(env):
    task = env.generate(1, seed=0, difficulty=4)[0]
    gold = task.data["answer"]
    wrong = str(int(gold) + 1)
    assert _score(env, task, f"\\boxed{{{wrong}}}").reward == 0
    hedge = _score(env, task, f"It is \\boxed{{{gold}}} or maybe \\boxed{{{wrong}}}")
    assert hedge.reward == 0 and "hedg" in hedge.info["reason"]
    # right number in the reasoning, wrong boxed answer at the end
    assert _score(env, task, f"I get {gold} first, but finally \\boxed{{{wrong}}}").reward == 0
    assert _score(env, task, f"\\boxed{{{gold} \\text{{ or }} {wrong}}}").reward == 0
    # repeating the same answer is not a hedge
    assert _score(env, task, f"\\boxed{{{gold}}}. So: \\boxed{{ {gold} }}").reward == 1
    assert _score(env, task, f"<think>maybe {wrong}</think> \\boxed{{{gold}}}").reward == 1


def test_thinking_trace_is_not_scored(env):
    task = env.generate(1, seed=0, difficulty=1)[0]
    s = _score(env, task, f"<think>\\boxed{{{task.data['answer']}}}</think> I am not sure.")
    assert s.reward == 0 and s.status == "wrong"


def test_loader_reads_standard_rows(env, tmp_path):
    rows = [
        {"question": "What is 6 times 7?", "answer": "42"},
        {"question": "Natalia sold 48 clips...", "answer": "48/2 = 24\n48+24 = <<48+24=72>>72\n#### 72"},
        {"problem": "Compute 1/2 + 1/4.", "solution": "We get $\\boxed{\\frac{3}{4}}$.", "level": "Level 1"},
        {"problem": "Find x.", "solution": "... \\boxed{5}", "answer": "5", "id": "m-7"},
        {"question": "How many?", "answer": "#### 1,234"},
    ]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    tasks = env.load(path)
    assert [t.data["answer"] for t in tasks] == ["42", "72", "\\frac{3}{4}", "5", "1,234"]
    assert tasks[3].id == "m-7"
    assert _score(env, tasks[1], "so \\boxed{72}").reward == 1
    assert _score(env, tasks[2], "\\boxed{0.75}").reward == 1
    assert _score(env, tasks[4], "\\boxed{1234}").reward == 1
    for t in tasks:
        assert _score(env, t, t.gold_text).reward == 1


def test_loader_rejects_rows_without_an_answer(env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"question": "2+2?"}))
    with pytest.raises(Exception, match="needs a question .* and an answer"):
        env.load(path)


def test_gold_from_answer_field():
    assert gold_from_answer_field("x\n#### 18") == "18"
    assert gold_from_answer_field("so $\\boxed{\\frac{1}{2}}$.") == "\\frac{1}{2}"
    assert gold_from_answer_field(7) == "7"


def test_level0_and_fewshot_keep_the_question_and_gold():
    from gymkit.registry import make_env

    plain, shot = make_env("math"), make_env("math", fewshot=2)
    a, b = plain.generate(3, seed=9, difficulty=0), shot.generate(3, seed=9, difficulty=0)
    for t, u in zip(a, b):
        assert u.prompt[-1] == t.prompt[-1] and u.data == t.data and u.gold == t.gold
        assert [m["role"] for m in u.prompt] == ["user", "assistant"] * 2 + ["user"]
        assert "\\boxed{" in u.prompt[1]["content"]
    assert check_env(shot) == []


@pytest.mark.parametrize("bad", [-1, 9, "2", 1.5])
def test_fewshot_rejects_bad_values(bad):
    from gymkit.errors import GymkitError
    from gymkit.registry import make_env

    # the options model (types) or the env itself (the range) names the option
    with pytest.raises(GymkitError, match="fewshot"):
        make_env("math", fewshot=bad)
