import hashlib
import json
import os
import subprocess
import sys

import pytest

from gymkit.check import check_env
from gymkit.cli import main
from gymkit.env import play
from gymkit.envs.reasoning_gym import ReasoningGymEnv
from gymkit.envs.reasoning_gym.answers import (canonical_number, read_factors, read_number_list,
                                               tagged_answer)
from gymkit.envs.reasoning_gym.env import audit_reason, library
from gymkit.envs.reasoning_gym.generators import GENERATORS, exact_value
from gymkit.errors import GymkitError
from gymkit.registry import check_env_options, data_sources, make_env


@pytest.fixture(scope="module")
def env():
    return ReasoningGymEnv()


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def _task(name, index=0, seed=0, difficulty=2):
    return make_env("reasoning_gym", task=name).generate(index + 1, seed, difficulty)[index]


def test_check_env_passes(env):
    assert check_env(env) == []
    assert check_env(ReasoningGymEnv(task="number_sorting")) == []


@pytest.mark.parametrize("name", list(GENERATORS))
def test_every_level_of_every_generator_is_solved_by_its_gold(name):
    one = ReasoningGymEnv(task=name)
    for level in one.difficulties:
        for task in one.generate(8, seed=5, difficulty=level):
            assert task.data["task"] == name and task.meta == {"task": name}
            assert audit_reason(GENERATORS[name], task.data["entry"]) is None
            score = _score(one, task, task.gold_text)
            assert (score.status, score.reward) == ("correct", 1.0), (task.data, score)
            assert score.info["library_score"] == 1.0


def test_seeded_determinism_and_the_task_option(env):
    assert env.generate(12, seed=4) == ReasoningGymEnv().generate(12, seed=4)
    assert env.generate(12, seed=4) != env.generate(12, seed=5)
    assert {t.data["task"] for t in env.generate(120, seed=1)} == set(GENERATORS)
    pair = ReasoningGymEnv(task="gcd, chain_sum").generate(20, seed=1)
    assert {t.data["task"] for t in pair} == {"gcd", "chain_sum"}
    assert ReasoningGymEnv(task=["gcd"]).generate(3) == ReasoningGymEnv(task="gcd").generate(3)


def test_tasks_are_the_same_in_another_process():
    """Pool actors and training streams generate in other processes (other hash seeds)."""
    code = ("import hashlib; from gymkit.registry import make_env; "
            "print(hashlib.sha256(''.join(t.model_dump_json() for t in "
            "make_env('reasoning_gym').generate(120, seed=7)).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              env={**os.environ, "PYTHONHASHSEED": str(k)}, timeout=120,
                              check=True).stdout for k in (1, 2)}
    here = hashlib.sha256("".join(t.model_dump_json() for t in
                                  ReasoningGymEnv().generate(120, seed=7)).encode()).hexdigest()
    assert digests == {here + "\n"}


@pytest.mark.parametrize("bad", ["nope", "arc_agi", "gcd,nope", " , "])
def test_an_unknown_or_unvetted_generator_is_one_line_naming_the_choices(bad):
    with pytest.raises(GymkitError) as e:
        ReasoningGymEnv(task=bad)
    assert "\n" not in str(e.value) and "basic_arithmetic" in str(e.value)
    check_env_options("reasoning_gym", {"task": "gcd"})  # `task` is a declared option
    with pytest.raises(GymkitError, match="no option 'tasks'"):
        check_env_options("reasoning_gym", {"tasks": "gcd"})


def test_statuses_of_wrong_answers():
    task = _task("gcd")
    gold = task.data["entry"]["answer"]
    cases = {
        "": "no <answer>",
        f"The gcd is {gold}.": "no <answer>",
        f"<answer>{gold}</answer> <answer>{int(gold) + 1}</answer>": "hedging",
        f"<answer>{gold} or {int(gold) + 1}</answer>": "not one plain number",
        f"<answer>{gold}": "never closed",
        "<answer></answer>": "empty",
        f"<answer>{int(gold) + 1}</answer>": "reasoning-gym scores it",
    }
    for text, why in cases.items():
        score = _score(ReasoningGymEnv(), task, text)
        assert (score.status, score.reward) == ("wrong", 0.0), text
        assert why in score.info["reason"], (text, score.info)


def test_library_partial_credit_pays_nothing():
    task = _task("prime_factorization", index=1)  # 2 x 2 x 5 x 7 x 7 style golds
    gold = task.data["entry"]["answer"]
    score = _score(ReasoningGymEnv(), task, f"<answer>1 × {gold}</answer>")
    assert (score.status, score.reward) == ("wrong", 0.0)
    assert score.info["library_score"] == 0.5  # same product, not the prime factors
    words = _task("word_sorting")
    flipped = ", ".join(reversed(words.data["entry"]["answer"].split(", ")))
    score = _score(ReasoningGymEnv(), words, f"<answer>{flipped}</answer>")
    assert score.reward == 0.0 and 0 < score.info["library_score"] < 1


def test_library_leniencies_that_gymkit_guards():
    """reasoning-gym 0.1.25's own scorers pay these in full; gymkit pays 0."""
    sorting = _task("number_sorting")
    n = len(sorting.data["entry"]["metadata"]["sorted_numbers"])
    off = str([f"{float(x) + 0.5:.1f}" for x in sorting.data["entry"]["metadata"]["sorted_numbers"]])
    nan = str(["NaN"] * n)
    gsm = _task("gsm_symbolic")
    hedge = f"{gsm.data['entry']['answer']} or 7"
    env = ReasoningGymEnv()
    for task, answer in [(sorting, off), (sorting, nan), (gsm, hedge)]:
        lib = env._dataset(task.data["task"], task.data["config"])
        assert lib.score_answer(answer, task.data["entry"]) == 1.0  # the library pays
        assert _score(env, task, f"<answer>{answer}</answer>").reward == 0.0


def test_a_missing_library_is_an_error_naming_the_extra(monkeypatch):
    task = _task("gcd")
    monkeypatch.setitem(sys.modules, "reasoning_gym", None)
    with pytest.raises(GymkitError, match=r"pip install 'gymkit\[reasoning\]'"):
        library()
    score = _score(ReasoningGymEnv(), task, task.gold_text)  # a fresh env: nothing cached
    assert score.status == "error" and "gymkit[reasoning]" in score.error


def test_golds_are_audited_against_the_entry_not_trusted():
    # basic_arithmetic stores floor division for some expressions (seen at seed 0)
    floor = {"question": "Calculate -1 / -( -( -( -2 - 9 ) ) + -3 + -13 ).", "answer": "-1",
             "metadata": {"expression": "-1 / -( -( -( -2 - 9 ) ) + -3 + -13 )"}}
    assert exact_value(floor["metadata"]["expression"]) == exact_value("-1 / 27")
    assert "exactly -1/27" in audit_reason(GENERATORS["basic_arithmetic"], floor)
    zero = {"question": "convert the base-5 number  to base-7", "answer": "0",
            "metadata": {"decimal_value": 0, "source_base": 5, "target_base": 7,
                         "source_repr": "", "target_repr": "0"}}
    assert audit_reason(GENERATORS["base_conversion"], zero) is not None  # empty numeral
    assert audit_reason(GENERATORS["gcd"], {"answer": "3", "metadata": {}}) is not None


def test_rows_of_reasoning_gym_entries_load_and_are_audited(tmp_path):
    ds = library().create_dataset("chain_sum", seed=1, size=3)
    rows = [ds[i] for i in range(3)]
    rows[2] = {**rows[2], "answer": str(int(rows[2]["answer"]) + 1)}  # a wrong gold
    path = tmp_path / "rg.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    env = ReasoningGymEnv()
    tasks = env.load(path, limit=2)
    assert [t.data["task"] for t in tasks] == ["chain_sum"] * 2
    assert all(_score(env, t, t.gold_text).status == "correct" for t in tasks)
    with pytest.raises(GymkitError, match="fails gymkit's check"):
        env.task_from_row(rows[2], 2)
    arc = {"question": "q", "answer": "a", "metadata": {"source_dataset": "arc_agi"}}
    with pytest.raises(GymkitError, match="no task 'arc_agi'"):
        env.task_from_row(arc, 0)


@pytest.mark.parametrize("text,answer", [
    ("<answer>4</answer>", "4"), ("<ANSWER> 4 </Answer >", "4"),
    ("<answer>4</answer> then <answer> 4</answer>", "4"),
    ("<answer>4</answer><answer>5</answer>", None), ("<answer><answer>4</answer></answer>", None),
    ("4</answer>", None), ("<answer>4", None), ("no tag 4", None),
    ("".join(f"<answer>{k}</answer>" for k in range(20)), None),
    ("<answer>" + "1" * 3000 + "</answer>", None),
])
def test_tagged_answer(text, answer):
    got = tagged_answer(text)
    assert (got.answers[0] if got.ok else None) == answer


@pytest.mark.parametrize("text,value", [
    ("42", "42"), ("+42", "42"), ("-0", "0"), ("1,000", "1000"), ("1,000.50", "1000.5"),
    ("7.0", "7"), ("0.250", "0.25"), ("1,2", None), ("1e3", None), ("1_000", None), ("NaN", None),
    ("inf", None), ("4 or 5", None), ("12,34,567", None), ("9" * 61, None),
])
def test_canonical_number(text, value):
    assert canonical_number(text) == value


def test_factor_and_number_list_readers():
    assert read_factors("2^3 x 5", {})[0] == "2 × 2 × 2 × 5"
    assert read_factors("2 × two", {})[0] is None
    assert read_number_list("[1.5, '-2', \"3\"]", {})[0] == "['1.5', '-2', '3']"
    for bad in ["[NaN, 1]", "[Infinity]", "1, 2", "[[1, 2]]", "[]", "[1e2]"]:
        assert read_number_list(bad, {})[0] is None, bad


def test_envs_list_has_a_data_column(capsys):
    assert data_sources("reasoning_gym") == ["generated", "rows"]
    assert data_sources("code") == ["generated", "humaneval", "rows"]
    assert data_sources("function_call") == ["generated", "bfcl", "rows"]
    assert data_sources("rm_chat") == ["generated"]  # no row format of its own
    assert main(["envs", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["reasoning_gym"]["data"] == ["generated", "rows"]
    assert main(["envs", "list"]) == 0
    table = capsys.readouterr().out
    assert "data" in table and "humaneval" in table and "seeded generator" in table
