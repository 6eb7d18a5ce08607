import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.mcq import MCQEnv
from gymkit.verifiers.math_answer import extract_choice


@pytest.fixture(scope="module")
def env():
    return MCQEnv()


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def test_check_env_passes(env):
    assert check_env(env) == []


def test_generated_items_are_well_formed(env):
    for task in env.generate(90, seed=8):
        d = task.data
        assert len(set(d["choices"])) == len(d["choices"]) == len(d["labels"])
        assert d["answer"] in d["labels"]
        assert _score(env, task, task.gold_text).reward == 1
    assert env.generate(5, seed=1) == env.generate(5, seed=1)
    assert env.generate(5, seed=1) != env.generate(5, seed=2)


def test_answers_are_spread_over_letters(env):
    letters = {t.data["answer"] for t in env.generate(60, seed=0, difficulty=2)}
    assert letters == {"A", "B", "C", "D"}  # shuffled: no position bias to farm


L, C = list("ABCD"), ["12", "15", "42", "7"]


@pytest.mark.parametrize("text,letter", [
    ("\\boxed{C}", "C"), ("\\boxed{(C)}", "C"), ("\\boxed{\\text{C}}", "C"), ("Answer: C", "C"),
    ("so the answer is (C).", "C"), ("**Answer: C**", "C"), ("C", "C"), ("(C)", "C"), ("C.", "C"),
    ("\\boxed{42}", "C"), ("(A) and (B) fail; \\boxed{C}", "C"), ("\\boxed{C}. Answer: C", "C"),
])
def test_letter_extraction(text, letter):
    assert extract_choice(text, L, C).answers == [letter]


@pytest.mark.parametrize("text", [
    "\\boxed{A} \\boxed{C}", "Answer: A. Answer: C", "I think (A) or (C)", "A B C D",
    "the answer is a bit unclear", "\\boxed{43}", "", "\\boxed{E}",
])
def test_hedges_and_non_answers_get_no_letter(text):
    assert not extract_choice(text, L, C).ok


def test_scoring_wrong_hedged_garbage(env):
    task = env.task_from_row({"question": "2+2?", "choices": ["3", "4", "5", "22"], "answer": 1}, 0)
    assert _score(env, task, "\\boxed{B}").reward == 1
    for text in ["\\boxed{A}", "\\boxed{A} or \\boxed{B}", "", "\x00\xff" * 400, "B" * 1_000_000]:
        s = _score(env, task, text)
        assert s.reward == 0 and s.status == "wrong", text[:20]


def test_loader_reads_mmlu_arc_and_column_rows(env, tmp_path):
    rows = [
        {"question": "Q1", "choices": ["a", "b", "c", "d"], "answer": 2},  # MMLU
        {"id": "arc-1", "question": "Q2", "choices": {"text": ["x", "y", "z"], "label": ["1", "2", "3"]},
         "answerKey": "3"},  # ARC with numeric labels
        {"question": "Q3", "A": "p", "B": "q", "C": "r", "D": "s", "answer": "D"},
        {"question": "Q4", "options": ["u", "v"], "answer": "(b)"},
    ]
    path = tmp_path / "mcq.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    tasks = env.load(path)
    assert [t.data["answer"] for t in tasks] == ["C", "3", "D", "B"]
    assert tasks[1].id == "arc-1" and "(3) z" in tasks[1].prompt[0]["content"]
    assert _score(env, tasks[1], "Answer: 3").reward == 1
    assert _score(env, tasks[1], "\\boxed{z}").reward == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "Q", "choices": ["a", "b"], "answer": "E"}))
    with pytest.raises(Exception, match="not one of the labels"):
        env.load(bad)


@pytest.mark.parametrize("text", ["Answer: A, B, C", "Answer: A or B", "The answer is A/B",
                                  "\\boxed{A}\n\nAnswer: B", "\\boxed{A. Tokyo}"])
def test_listed_or_conflicting_choices_are_hedges(text):
    assert not extract_choice(text, list("ABCD"), ["Osaka", "Tokyo", "Kyoto", "Nara"]).ok


@pytest.mark.parametrize("text", ["\\boxed{(A) Osaka}", "\\boxed{A. Osaka}", "\\boxed{\\textbf{A}}",
                                  "\\boxed{\\text{(A) Osaka}}", "Answer: A, because it says so."])
def test_boxed_label_with_its_own_text_and_formatting(text):
    assert extract_choice(text, list("ABCD"), ["Osaka", "Tokyo", "Kyoto", "Nara"]).answers == ["A"]


_CITIES = ["Osaka", "Tokyo", "Kyoto", "Nara"]


@pytest.mark.parametrize("text", ["\\boxed{B}\nAnswer: \u0410", "Answer: B\nFinal answer: \u0391",
                                  "Answer: B\u200b, A", "Answer: B\u00ad/A", "Answer: B) Osaka",
                                  "Answer: B. Osaka.", "\\boxed{B}\nAnswer: osaka",
                                  "\\boxed{\uff22} \\boxed{A}"])
def test_lookalikes_and_contradicting_text_are_hedges(text):
    assert not extract_choice(text, list("ABCD"), _CITIES).ok


@pytest.mark.parametrize("text", ["\\boxed{b}", "Answer: Tokyo", "Answer: **Tokyo**.",
                                  "Answer: B) Tokyo", "the answer is \u0392", "\\boxed{\uff22}",
                                  "Answer: B\u200b", "Answer: B, because Osaka is smaller"])
def test_equivalent_forms_read_as_displayed(text):
    assert extract_choice(text, list("ABCD"), _CITIES).answers == ["B"]


def test_option_text_that_starts_like_a_label():
    options = ["A cat", "A dog", "A bird"]
    assert extract_choice("Answer: A dog", list("ABC"), options).answers == ["B"]
    assert extract_choice("Answer: A", list("ABC"), options).answers == ["A"]
    # labels written in another script are folded the same way and given back as written
    assert extract_choice("Answer: A", ["\u0410", "\u0411"], ["x", "y"]).answers == ["\u0410"]
