import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.maze import MazeEnv
from gymkit.envs.maze.env import shortest_path
from gymkit.envs.maze.grid import MoveParseError, parse_moves
from gymkit.errors import GymkitError


def say(text):
    return {"role": "assistant", "content": text}


@pytest.fixture(scope="module")
def env():
    return MazeEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(6, seed=3)


def test_check_env(env):
    assert check_env(env) == []


def test_gold_solves_every_level(env, tasks):
    for t in tasks:
        _, score = play(env, t, env.gold_actions(t))
        assert (score.reward, score.status) == (1.0, "correct")
        assert score.components["efficiency"] == 1.0


def test_generated_mazes_are_bfs_solvable_and_gold_is_shortest(tasks):
    for t in tasks:
        d = t.data
        path = shortest_path(d["grid"], tuple(d["start"]), tuple(d["goal"]))
        gold_moves = "".join(m["content"].replace(" ", "") for m in t.gold)
        assert path == gold_moves and len(path) == d["shortest"] <= d["budget"]


def test_seeded_determinism(env):
    assert env.generate(4, seed=9) == env.generate(4, seed=9)
    assert env.generate(4, seed=9) != env.generate(4, seed=10)


@pytest.mark.parametrize("text,moves", [
    ("R R D", list("RRD")), ("rrd", list("RRD")), ("I go right then down.\nMoves: R, D", list("RD")),
    ("**up left**", list("UL")), ("`DDLR`", list("DDLR")),
])
def test_parse_moves_accepts_common_spellings(text, moves):
    assert parse_moves(text) == moves


@pytest.mark.parametrize("text,moves", [
    ("```\nR R U\n```", list("RRU")), ("Moves:\n```text\nRRU\n```\n", list("RRU")),
    ("~~~\nup, left\n~~~", list("UL")), ("Plan: R R\n\nR R", list("RR")),
    ("Going right (R) twice avoids the wall.\nR R", list("RR")),
    ("Final answer: R R D.", list("RRD")), ("- R D", list("RD")), ("→ → ↓", list("RRD")),
    ("<answer>\nU L\n</answer>", list("UL")),
])
def test_parse_moves_reads_fences_and_repeats(text, moves):
    assert parse_moves(text) == moves


@pytest.mark.parametrize("text", [
    "R R D\n\nActually:\n\nL L U", "```\nR R\nD D\n```", "Moves: R R\nMoves: L L",
    "```\n```", "U" * 3000, "R R U | L L D", "1. R\n2. D", "R-R-D",
])
def test_parse_moves_refuses_hedges_and_degenerate_lines(text):
    with pytest.raises(MoveParseError):
        parse_moves(text)


@pytest.mark.parametrize("text", ["", "I will go R then D", "R R X", "a" * 5000])
def test_parse_moves_rejects_prose(text):
    with pytest.raises(MoveParseError):
        parse_moves(text)


def test_walking_into_a_wall_does_not_move(env):
    task = env.build_task(["#####", "#S#G#", "#...#", "#####"], "wall", budget=4)
    _, score = play(env, task, [say("R R R")] * 4)  # every turn bumps the wall at once
    assert score.status == "wrong" and score.reward == 0.0
    assert score.info["steps"] == 4  # each bump used a step, no move went through the wall


def test_wall_stops_the_rest_of_the_turn(env):
    task = env.build_task(["#####", "#S#G#", "#...#", "#####"], "wall2", budget=20)
    ep = env.reset(task)
    step = env.step(ep, say("R D R R U"))  # bump first: D R R U must not run
    assert "hits a wall" in step.observation[0]["content"] and ep.state["pos"] == (1, 1)
    step = env.step(ep, say("D R R U"))
    assert step.done and step.score.reward == 1.0


def test_exceeding_the_budget_scores_zero(env, tasks):
    t = tasks[0]
    wander = [say("U D " * 5)] * 40  # back and forth (or into walls) until the budget runs out
    _, score = play(env, t, wander)
    assert score.reward == 0.0 and score.status == "wrong"
    assert score.info["steps"] == t.data["budget"]


def test_too_many_moves_in_one_turn_are_refused(env, tasks):
    t = tasks[1]
    path = "".join(m["content"].replace(" ", "") for m in t.gold)
    msgs, score = play(env, t, [say(" ".join(path))])
    if len(path) > t.data["per_turn"]:
        assert "none were made" in msgs[-1]["content"] and score.status == "truncated"


def test_moves_inside_reasoning_are_not_executed(env, tasks):
    t = tasks[0]
    path = " ".join(m["content"] for m in t.gold)
    _, score = play(env, t, [say(f"<think>{path}</think>\nhmm")])
    assert score.reward == 0.0


@pytest.mark.parametrize("text", ["", "\x00\x01\xff" * 1000, "R" * 1_000_000, "<think>R R"])
def test_garbage_never_raises(env, tasks, text):
    _, score = play(env, tasks[0], [say(text)])
    assert score.reward == 0.0 and score.status in ("wrong", "truncated")


def test_tool_calls_are_an_error_observation(env, tasks):
    call = {"id": "1", "type": "function", "function": {"name": "move", "arguments": "{}"}}
    msgs, score = play(env, tasks[0], [{"role": "assistant", "content": "", "tool_calls": [call]}])
    assert "no tools" in msgs[-1]["content"] and score.status == "truncated"


def test_loader_reads_ascii_grids(env, tmp_path):
    path = tmp_path / "mazes.jsonl"
    rows = [{"id": "a", "grid": "#####\n#S..#\n###G#\n#####"},
            {"grid": ["#######", "#S#...#", "#.#.#.#", "#...#G#", "#######"], "max_steps": 30}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    loaded = env.load(path)
    assert [t.data["shortest"] for t in loaded] == [3, 10]
    assert loaded[1].data["budget"] == 30
    for t in loaded:
        assert play(env, t, env.gold_actions(t))[1].reward == 1.0


def test_loader_rejects_unsolvable_mazes(env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"grid": "#####\n#S#G#\n#####"}))
    with pytest.raises(GymkitError, match="cannot be reached"):
        env.load(path)
