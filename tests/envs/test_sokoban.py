import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.sokoban import SokobanEnv
from gymkit.envs.sokoban.env import parse_level, solve
from gymkit.errors import GymkitError

CORRIDOR = ["#######", "#@ $ .#", "#######"]  # push the box right twice: R R R


def say(text):
    return {"role": "assistant", "content": text}


@pytest.fixture(scope="module")
def env():
    return SokobanEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(6, seed=2)


def test_check_env(env):
    assert check_env(env) == []


def test_gold_solves_every_level_and_is_bfs_shortest(env, tasks):
    for t in tasks:
        _, score = play(env, t, env.gold_actions(t))
        assert (score.reward, score.status) == (1.0, "correct")
        gold = "".join(m["content"].replace(" ", "") for m in t.gold)
        assert gold == solve(*parse_level(t.data["grid"])) and len(gold) == t.data["shortest"]


def test_seeded_determinism(env, tasks):
    assert env.generate(6, seed=2) == tasks
    assert env.generate(6, seed=3) != tasks


def test_pushing_and_blocking(env):
    t = env.build_task(CORRIDOR, "c", budget=10)
    ep = env.reset(t)
    out = env.step(ep, say("L"))  # wall to the left
    assert "hits a wall" in out.observation[0]["content"] and ep.state["s"][0] == (1, 1)
    out = env.step(ep, say("R R R"))
    assert out.done and out.score.reward == 1.0 and ep.state["steps"] == 4


ROOM = ["######", "#.   #", "#@$  #", "#    #", "######"]


def test_box_cannot_be_pushed_into_a_wall(env):
    ep = env.reset(env.build_task(ROOM, "room", budget=30))
    out = env.step(ep, say("R R R D"))
    assert "Move 3 (R) cannot push the box; 1 later moves" in out.observation[0]["content"]
    assert ep.state["s"] == ((2, 3), ((2, 4),)) and ep.state["steps"] == 3


def test_exceeding_the_budget_scores_zero(env):
    t = env.build_task(ROOM, "room2", budget=3)
    msgs, score = play(env, t, [say("R R R"), say("L")])
    assert (score.reward, score.status) == (0.0, "wrong") and score.info["steps"] == 3
    assert msgs[-1]["content"] == "R R R"  # nothing after the budget ran out was played


def test_walking_through_walls_never_counts(env, tasks):
    t = tasks[0]
    _, score = play(env, t, [say("U U U U U U U U")] * 40)
    assert score.reward == 0.0 and score.status in ("wrong", "truncated")


@pytest.mark.parametrize("text", ["", "\x00\xff" * 4000, "R" * 1_000_000, "push it right", "<think>R"])
def test_garbage_never_raises(env, tasks, text):
    _, score = play(env, tasks[0], [say(text)])
    assert score.reward == 0.0 and score.status in ("wrong", "truncated")


def test_loader_reads_xsb_levels(env, tmp_path):
    path = tmp_path / "levels.jsonl"
    rows = [{"id": "a", "level": "\n".join(CORRIDOR)},
            {"level": "#####\n#@$.#\n#-$.#\n#####"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    loaded = env.load(path)
    assert [t.data["shortest"] for t in loaded][0] == 3
    for t in loaded:
        assert play(env, t, env.gold_actions(t))[1].reward == 1.0
    path.write_text(json.dumps({"level": "#####\n#@$.#\n#####\n#.$ #\n#####"}))
    with pytest.raises(GymkitError, match="one player|no solution"):
        env.load(path)
