"""python_tool: generation, the grounding rules, the sandboxed tool and the episode verdicts."""
import json
from fractions import Fraction

import pytest

from gymkit.env import play
from gymkit.envs.python_tool import PythonToolEnv
from gymkit.envs.python_tool.grounding import code_facts, grounds, judge_call, numbers_in
from gymkit.envs.python_tool.problems import question_numbers
from gymkit.errors import GymkitError
from gymkit.tools import make_call


@pytest.fixture(scope="module")
def env():
    return PythonToolEnv(timeout_s=1.0)


@pytest.fixture(scope="module")
def task(env):
    return env.generate(1, seed=0, difficulty=1)[0]  # days from 2007-01-19 to 2007-09-12: 236


def py(code, k=0):
    return {"role": "assistant", "content": "", "tool_calls": [make_call("python", {"code": code}, f"c{k}")]}


def say(text):
    return {"role": "assistant", "content": text}


def gold_code(task):
    return json.loads(task.gold[0]["tool_calls"][0]["function"]["arguments"])["code"]


# ------------------------------------------------------------------ generation
def test_generation_is_seeded_and_answers_are_not_question_numbers(env):
    a, b = env.generate(12, seed=5), env.generate(12, seed=5)
    assert [t.model_dump() for t in a] == [t.model_dump() for t in b]
    assert [t.prompt for t in env.generate(12, seed=6)] != [t.prompt for t in a]
    for t in a:
        nums = {Fraction(x) for x in question_numbers(t.data["question"])}
        assert Fraction(t.data["answer"]) not in nums, t.id


def test_gold_scores_one_at_every_level(env):
    for level in env.difficulties:
        for t in env.generate(4, seed=2, difficulty=level):
            _, score = play(env, t, env.gold_actions(t))
            assert score.status == "correct", (t.id, score.info)
            assert score.info["sound_tool_calls"] == 1


# ------------------------------------------------------------------ grounding rules (no sandbox)
Q = [Fraction(x) for x in (2007, 1, 19, 2007, 9, 12)]


@pytest.mark.parametrize("code,sound", [
    ("from datetime import date\nprint((date(2007, 9, 12) - date(2007, 1, 19)).days)", True),
    ("print(sum(range(1, 19 + 1)))", True),            # n + 1 and small constants
    ("print(236)", False),                             # nothing computed
    ("print(230 + 6)", False),                         # invented numbers, no question number
    ("print(2007 - 2007 + 235 + 1)", False),           # 235 invented
    ("print(eval('2' + '36'))", False),                # reads no question number
    ("print(2007 // 12 + 69)", False),                 # 69 invented
    ("(((", False),                                    # does not parse
])
def test_sound_calls(code, sound):
    assert judge_call(code, True, "236\n", Q, []).sound is sound


def test_a_failed_run_is_never_sound():
    code = "from datetime import date\nprint((date(2007, 9, 12) - date(2007, 1, 19)).days)"
    assert not judge_call(code, False, "236\n", Q, []).sound


def test_the_gold_typed_in_the_code_does_not_ground():
    rec = judge_call("print(2007 * 0 + 236 + 12 - 12)", True, "236\n", Q, []).as_json()
    assert rec["sound"] is False  # 236 is invented
    rec = judge_call("x = [2007, 9, 236]\nprint(x[2])", True, "236", Q + [Fraction(236)], []).as_json()
    assert grounds(rec, Fraction(236), Fraction(0), Q + [Fraction(236)])  # a question number is data
    assert not grounds(rec, Fraction(236), Fraction(0), Q)


@pytest.mark.parametrize("stdout,grounded", [
    ("236\n", True), ("units {'a': 12}\ntotal: 236\n", True),
    ("236\n2\n", False),                                   # the answer is not the last result
    (" ".join(map(str, range(228, 240))), False),            # a spray on one line
    ("\n".join(map(str, range(215, 237))), False),          # a spray one per line, ending on it
])
def test_the_answer_is_the_last_result_not_a_spray(stdout, grounded):
    rec = judge_call("print(sum(range(2007, 2007 + 1)))", True, stdout, Q, []).as_json()
    assert grounds(rec, Fraction(236), Fraction(0), Q) is grounded


def test_earlier_sound_results_feed_later_calls():
    first = judge_call("from datetime import date\nprint(date(2007, 9, 12).toordinal(), "
                       "date(2007, 1, 19).toordinal())", True, "732931 732695\n", Q, [])
    assert first.sound
    second = judge_call("print(732931 - 732695)", True, "236\n", Q,
                        [Fraction(p) for p in first.printed])
    assert second.sound and grounds(second.as_json(), Fraction(236), Fraction(0), Q)
    # a number no sound call printed is invented
    assert not judge_call("print(732931 - 732695)", True, "236\n", Q, [Fraction(732931)]).sound


def test_numbers_and_literals_are_read():
    assert numbers_in("total 9310.39 and 3/8, -4") == [Fraction("9310.39"), Fraction(3, 8), 4]
    facts = code_facts("t = '''a,1\\nb,2.50'''\nprint(f'{x:.2f}')")
    assert sorted(facts.literals) == [1, Fraction(5, 2)] and facts.computes is False


# ------------------------------------------------------------------ the tool and episodes
def test_tool_reports_output_status_and_tail(env, task):
    ep = env.reset(task)
    assert env.python(ep, "print(1)\nimport sys; print('oops', file=sys.stderr)") == \
        "1\n[stderr]\noops\n[exit code 0]"
    assert env.python(ep, "while True: pass").endswith("[timed out after 1 s]")
    out = env.python(ep, "print('x' * 50000)")
    assert out.startswith("[... ") and len(out) < 2200
    assert len(ep.state["calls"]) == 3


@pytest.mark.parametrize("actions,status", [
    (lambda t: [py(gold_code(t)), say("\\boxed{236}")], "correct"),
    (lambda t: [py("print(236)"), say("\\boxed{236}")], "wrong"),
    (lambda t: [say("\\boxed{236}")], "wrong"),
    (lambda t: [py("print(236)\nwhile True: pass"), say("\\boxed{236}")], "wrong"),
    (lambda t: [py(gold_code(t)), say("\\boxed{236} or \\boxed{237}")], "wrong"),
    (lambda t: [py(gold_code(t)), say("\\boxed{\\infty}")], "wrong"),
])
def test_episode_verdicts(env, task, actions, status):
    _, score = play(env, task, actions(task))
    assert score.status == status, score.info


def test_tool_rule_can_be_turned_off(task):
    _, score = play(PythonToolEnv(require_tool_use=False), task, [say("\\boxed{236}")])
    assert score.status == "correct"


def test_loader_reads_gsm8k_rows_and_refuses_others(env):
    t = env.task_from_row({"question": "What is 6 * 7 + 1?", "answer": "6*7=42 #### 43"}, 0)
    assert t.data["answer"] == "43" and t.tools is None and t.prompt[-1]["content"].startswith("What")
    with pytest.raises(GymkitError, match="needs 'question' and 'answer'"):
        env.task_from_row({"text": "x"}, 3)


def test_bad_options_fail_with_one_line():
    with pytest.raises(GymkitError, match="timeout_s"):
        PythonToolEnv(timeout_s=0)
