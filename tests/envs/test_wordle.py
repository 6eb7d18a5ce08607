import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.wordle import WordleEnv
from gymkit.envs.wordle.game import GuessError, feedback, hard_mode_violation, read_guess, words
from gymkit.errors import GymkitError


def say(text):
    return {"role": "assistant", "content": text}


@pytest.fixture(scope="module")
def env():
    return WordleEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(12, seed=4)


def wrong_words(answer, n):
    return [w for w in words() if w != answer][:n]


def test_check_env(env):
    assert check_env(env) == []


def test_word_list_is_vendored_and_clean():
    ws = words()
    assert len(ws) > 1500 and list(ws) == sorted(set(ws))
    assert all(len(w) == 5 and w.isalpha() and w.islower() for w in ws)


def test_gold_solves_every_level(env, tasks):
    assert {t.difficulty for t in tasks} == {1, 2, 3}
    for t in tasks:
        _, score = play(env, t, env.gold_actions(t))
        assert (score.reward, score.status) == (1.0, "correct")
        assert score.components["guesses_used"] == len(t.gold) <= 6
        assert t.gold[-1]["content"] == t.data["answer"]


def test_seeded_determinism(env, tasks):
    assert env.generate(12, seed=4) == tasks
    assert env.generate(12, seed=5) != tasks


@pytest.mark.parametrize("guess,answer,marks", [
    ("crane", "crane", "GGGGG"),
    ("speed", "abide", "--Y-Y"),   # a second E is gray: the answer has only one
    ("eerie", "there", "Y-Y-G"),   # the green E uses one E; only one E is left for yellow
    ("llama", "hello", "YY---"),
    ("hello", "llama", "--YY-"),
    ("array", "radar", "YYYG-"),
])
def test_feedback_handles_repeated_letters(guess, answer, marks):
    assert feedback(guess, answer) == marks


def test_hard_mode_rules():
    hist = [("crane", feedback("crane", "cider"))]  # C green, R yellow, E yellow
    assert hard_mode_violation("cider", hist) is None
    assert "letter 1 must be C" in hard_mode_violation("ruder", hist)
    assert "must contain R" in hard_mode_violation("civet", hist)


@pytest.mark.parametrize("text,guess", [
    ("crane", "crane"), ("I think...\nGuess: CRANE", "crane"), ("**slate**", "slate"),
    ("My guess is `pious`.", "pious"),
])
def test_read_guess_is_tolerant_of_formatting(text, guess):
    assert read_guess(text) == guess


@pytest.mark.parametrize("text,guess", [
    ("```\ncrane\n```", "crane"), ("Guess:\n~~~\nCRANE\n~~~", "crane"),
    ("Guess: crane\n\nGuess: crane", "crane"), ("Great!\nslate", "slate"),
    ("I thought of crane.\nslate", "slate"), ("The answer is crane.", "crane"),
    ("Guess #3: Crane", "crane"), ("I'll guess crane!", "crane"), ("<answer>\ncrane\n</answer>", "crane"),
    ("- crane", "crane"),
])
def test_read_guess_reads_fences_and_ignores_prose(text, guess):
    assert read_guess(text) == guess


@pytest.mark.parametrize("text", [
    "Guess: crane\nGuess: slate", "```\ncrane\nslate\n```", "**crane**\nslate",
    "```\n```", "Answer: `crane`\n\n```\nslate\n```", "crane" + " " * 300 + "slate",
    "- slate\ncrane",
])
def test_read_guess_refuses_two_guesses(text):
    with pytest.raises(GuessError):
        read_guess(text)


@pytest.mark.parametrize("text", ["", "crane or slate", "maybe crane, maybe slate"])
def test_read_guess_rejects_hedging_and_empty(text):
    with pytest.raises(GuessError):
        read_guess(text)


def test_non_words_get_an_error_and_cost_a_try(env, tasks):
    t = next(t for t in tasks if len(t.gold) <= 4)
    msgs, score = play(env, t, [say("xqzzy"), say("abc")] + env.gold_actions(t))
    assert "not in the word list" in msgs[2]["content"] and "5 tries left" in msgs[2]["content"]
    assert "not a five-letter word" in msgs[4]["content"]
    assert score.reward == 1.0 and score.components["guesses_used"] == len(t.gold) + 2


def test_six_invalid_guesses_score_zero(env, tasks):
    _, score = play(env, tasks[0], [say("zzzzz")] * 6)
    assert (score.reward, score.status) == (0.0, "wrong")


def test_no_seventh_guess(env, tasks):
    t = tasks[1]
    actions = [say(w) for w in wrong_words(t.data["answer"], 6)] + [say(t.data["answer"])]
    msgs, score = play(env, t, actions)
    assert score.reward == 0.0 and score.status == "wrong"
    assert t.data["answer"] not in [m["content"] for m in msgs if m["role"] == "assistant"]


def test_hard_mode_violation_costs_a_try(env, tasks):
    t = next(t for t in tasks if t.data["hard"])
    ep = env.reset(t)
    first = t.gold[0]["content"]
    env.step(ep, say(first))
    marks = ep.state["history"][0][1]
    if marks == "-----":
        pytest.skip("first guess revealed nothing")
    bad = next(w for w in words() if hard_mode_violation(w, ep.state["history"]))
    out = env.step(ep, say(bad))
    assert out.observation[0]["content"].startswith("error: hard mode") and ep.turn == 2
    assert len(ep.state["history"]) == 1


def test_answer_only_in_reasoning_does_not_count(env, tasks):
    t = tasks[2]
    _, score = play(env, t, [say(f"<think>it is {t.data['answer']}</think>\nxxxxx")] * 6)
    assert score.reward == 0.0


@pytest.mark.parametrize("text", ["\x00\xff" * 4000, "crane " * 200_000, "<think>crane"])
def test_garbage_never_raises(env, tasks, text):
    _, score = play(env, tasks[0], [say(text)] * 6)
    assert score.reward == 0.0 and score.status == "wrong"


def test_loader_reads_answer_rows(env, tmp_path):
    path = tmp_path / "wordle.jsonl"
    rows = [{"answer": "crane"}, {"target": "FJORD", "id": "f"}, {"secret": "pious", "hard_mode": True}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    loaded = env.load(path)
    assert [t.data["answer"] for t in loaded] == ["crane", "fjord", "pious"]
    assert loaded[2].data["hard"] is True
    for t in loaded:
        assert play(env, t, env.gold_actions(t))[1].reward == 1.0
    path.write_text(json.dumps({"answer": "toolong"}))
    with pytest.raises(GymkitError, match="not a 5-letter word"):
        env.load(path)
