"""long_context: document lengths, needles, the strict answer check and the loaders."""
import re

import pytest

from gymkit.envs.long_context import LongContextEnv
from gymkit.envs.long_context.answer import check_answer
from gymkit.envs.long_context.env import KINDS, LENGTHS
from gymkit.envs.long_context.haystack import filler_sentence
from gymkit.errors import GymkitError

DOC = "The quiet river crossed the old bridge. " * 50


@pytest.fixture(scope="module")
def env():
    return LongContextEnv()


@pytest.fixture(scope="module")
def level1(env):
    return env.generate(5, seed=3, difficulty=1)


def test_lengths_follow_the_difficulty(env):
    for level, words in LENGTHS.items():
        t = env.generate(1, seed=1, difficulty=level)[0]
        assert words <= t.meta["words"] < words * 1.01
        assert len(t.prompt[0]["content"].split()) >= words


def test_generation_is_seeded_and_covers_every_kind(env, level1):
    again = env.generate(5, seed=3, difficulty=1)
    assert [t.model_dump() for t in again] == [t.model_dump() for t in level1]
    assert [t.meta["kind"] for t in level1] == list(KINDS)
    assert env.generate(1, seed=4, difficulty=1)[0].prompt != level1[0].prompt


def test_every_number_in_a_document_belongs_to_a_needle(level1):
    import random

    rng = random.Random(0)
    assert not any(re.search(r"\d", filler_sentence(rng)) for _ in range(2000))
    for t in level1:
        doc = t.prompt[0]["content"]
        for a in t.data["answer"]:
            assert a in doc or t.meta["kind"] == "count"
        assert len(re.findall(r"\b\d{7}\b", doc)) <= t.meta["needles"] * 2


def test_gold_scores_one_at_every_level(env):
    for level in env.difficulties:
        for t in env.generate(5 if level < 3 else 2, seed=9, difficulty=level):
            assert env.score(t, t.gold_text).status == "correct", t.id


@pytest.mark.parametrize("response,gold,mode,ok", [
    ("Answer: 1234567", ["1234567"], "single", True),
    ("\\boxed{1,234,567}", ["1234567"], "single", True),
    ("Answer: the number for amber-otter is 1234567.", ["1234567"], "single", True),
    ("Answer: 7654321, 1234567", ["1234567", "7654321"], "set", True),
    ("Answer: 7654321, 1234567", ["1234567", "7654321"], "ordered", False),
    ("Answer: 1234567, 7654321, 7654321", ["1234567", "7654321"], "set", False),
    ("Answer: 1234567, 7654321, 2222222", ["1234567", "7654321"], "set", False),
    ("Answer: 1234567 or 7654321", ["1234567"], "single", False),
    ("Answer: probably 1234567", ["1234567"], "single", False),
    ("Answer: 1234567\nAnswer: 7654321", ["1234567"], "single", False),
    ("The number is 1234567.", ["1234567"], "single", False),
    ("Answer: four", ["4"], "single", True),
    ("Answer: inf", ["4"], "single", False),
    ("Answer: Port Ellery", ["port ellery"], "single", True),
    ("Answer: Lyon and Paris", ["Paris", "Lyon"], "set", True),
    ("Answer: Lyon, Paris", ["Paris", "Lyon"], "ordered", False),
])
def test_check_answer(response, gold, mode, ok):
    assert check_answer(response, gold, mode, DOC)[0] is ok


def test_echoes_and_floods_score_zero():
    doc = " ".join(filler_sentence(__import__("random").Random(i)) for i in range(400))
    ok, why = check_answer(doc[:3000] + "\nAnswer: 1234567", ["1234567"], "single", doc)
    assert not ok and "echoes the document" in why
    ok, why = check_answer("Answer: 1234567 " * 400, ["1234567"], "single", doc)
    assert not ok and "longer than" in why


def test_ruler_and_plain_rows_load(env):
    t = env.task_from_row({"index": 7, "input": "Doc... What are the numbers for x?",
                           "outputs": ["1234567", "7654321"], "length": 4096}, 0)
    assert t.data["mode"] == "set" and "Answer:" in t.prompt[0]["content"]
    assert env.score(t, "Answer: 7654321, 1234567").status == "correct"
    t = env.task_from_row({"context": "Ann lives in Lyon.", "question": "Where does Ann live?",
                           "answers": ["Lyon", "lyon, france"], "mode": "any"}, 1)
    assert env.score(t, "Answer: Lyon, France").status == "correct"
    assert env.score(t, t.gold_text).status == "correct"
    with pytest.raises(GymkitError, match="needs 'input'"):
        env.task_from_row({"question": "q"}, 2)
    with pytest.raises(GymkitError, match="mode in"):
        env.task_from_row({"input": "x", "outputs": ["1"], "mode": "fuzzy"}, 3)


@pytest.mark.parametrize("label", ["\u0410nswer", "Answ\u0435r", "\uff21nswer", "A\u200bnswer"])
def test_look_alike_answer_label_counts_as_a_second_answer(label):
    ok, why = check_answer(f"Answer: 3000967\n{label}: 3000968", ["3000967"], "single", DOC)
    assert not ok, why
    assert check_answer(f"{label}: 3000967", ["3000967"], "single", DOC)[0]


def test_non_latin_text_golds_survive_the_look_alike_fold():
    assert check_answer("Answer: Москва", ["Москва"], "single", DOC)[0]
    assert not check_answer("Answer: Москва", ["Париж"], "single", DOC)[0]
    assert check_answer("Answer: Αθήνα", ["Αθήνα"], "single", DOC)[0]
