import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.countdown import CountdownEnv
from gymkit.envs.countdown.env import check_expression


@pytest.fixture(scope="module")
def env():
    return CountdownEnv()


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def test_check_env_passes(env):
    assert check_env(env) == []


def test_every_generated_instance_is_solved_by_its_gold(env):
    for task in env.generate(60, seed=9):
        ok, why = check_expression(task.data["gold_expression"], task.data["numbers"], task.data["target"])
        assert ok, (task.data, why)
        assert _score(env, task, task.gold_text).reward == 1


def test_seeded_determinism(env):
    assert env.generate(6, seed=4) == env.generate(6, seed=4)
    assert env.generate(6, seed=4) != env.generate(6, seed=5)


@pytest.mark.parametrize("expr,ok", [
    ("(25 - 5) * 4 / 2", True),
    ("4 * (25 - 5) / 2", True),
    ("$(25 - 5) \\times 4 \\div 2$", True),
    ("(25 - 5) * 4 / 2 = 40", True),       # stating the result is fine
    ("(25 - 5) * 2 = 41", False),          # a false stated result
    ("(25 - 5) * 2 = 40 = 41", False),     # a chain of equations
    ("25 + 15", False),                    # 15 is not given
    ("25 + 5 + 5 + 5", False),             # 5 used more than once
    ("(25 - 5) * 2", True),                # not all numbers need be used
    ("-5 + 45", False),                    # unary minus / unavailable number
    ("2 ** 5 + 8", False),                 # powers are not allowed
    ("254", False),                        # digit concatenation
    ("__import__('os')", False),
    ("(25 - 5) * 4 / (2 - 2)", False),     # division by zero, and 2 used twice
    ("40", False),
    ("(" * 200 + "5" + ")" * 200, False),
])
def test_expression_rules(expr, ok):
    assert check_expression(expr, [25, 5, 4, 2], 40)[0] is ok


def test_exact_rational_arithmetic():
    assert check_expression("(1 / 3) * 3 * 8", [1, 3, 3, 8], 8)[0]
    assert not check_expression("7 / 2", [7, 2], 3)[0]


@pytest.mark.parametrize("text", ["", "40", "\\boxed{}", "\x00\xff" * 300, "\\boxed{40}",
                                  "\\boxed{25+5+4+2} \\boxed{(25-5)*4/2}"])
def test_bad_answers_score_zero(env, text):
    task = env.task_from_row({"numbers": [25, 5, 4, 2], "target": 40}, 0)
    s = _score(env, task, text)
    assert s.reward == 0 and s.status == "wrong"


def test_loader(env, tmp_path):
    path = tmp_path / "cd.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"nums": [44, 19, 35], "target": 98},
        {"numbers": [3, 7, 1], "target": 21, "solution": "3 * 7 * 1", "id": "cd-1"}]))
    tasks = env.load(path)
    assert tasks[1].id == "cd-1" and tasks[0].gold is None
    assert _score(env, tasks[0], "\\boxed{44 + 19 + 35}").reward == 1
    assert _score(env, tasks[1], tasks[1].gold_text).reward == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"numbers": [1, 2], "target": 3, "solution": "1 * 2"}))
    with pytest.raises(Exception, match="does not reach 3"):
        env.load(bad)
