import json
import random

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.errors import GymkitError
from gymkit.envs.logic import LogicEnv
from gymkit.types import Task
from gymkit.verifiers.puzzles import (queens_solve, sudoku_errors, sudoku_solve, zebra_errors,
                                      zebra_solve)

SUDOKU_4 = "1.3.3..2.1.34..1"


@pytest.fixture(scope="module")
def env():
    return LogicEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(30, seed=7)


def by_kind(tasks, kind, difficulty=None):
    return [t for t in tasks if t.data["kind"] == kind and difficulty in (None, t.difficulty)]


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def _grid(task):
    body = task.gold_text.strip("`\n")
    return [[int(v) for v in line.split()] for line in body.splitlines()]


def test_check_env(env):
    assert check_env(env) == []


def test_every_gold_scores_one(env, tasks):
    assert {t.data["kind"] for t in tasks} == {"sudoku", "nqueens", "zebra"}
    for t in tasks:
        s = _score(env, t, t.gold_text)
        assert (s.reward, s.status) == (1.0, "correct"), (t.id, s)


def test_difficulty_scales_puzzles(env):
    easy = LogicEnv(kinds=["sudoku"]).generate(3, seed=0, difficulty=1)
    hard = LogicEnv(kinds=["sudoku"]).generate(3, seed=0, difficulty=3)
    assert all(len(t.data["puzzle"]) == 4 for t in easy)
    assert all(len(t.data["puzzle"]) == 9 for t in hard)
    for t in hard:  # generated puzzles are proved unique
        assert len(sudoku_solve(t.data["puzzle"], limit=2)) == 1


def test_sudoku_tolerant_layouts(env, tasks):
    t = by_kind(tasks, "sudoku", 3)[0]
    g = _grid(t)
    boxed = "\n".join(" ".join(map(str, r[:3])) + " | " + " ".join(map(str, r[3:6])) + " | "
                      + " ".join(map(str, r[6:])) + ("\n------+-------+------" if i in (2, 5) else "")
                      for i, r in enumerate(g))
    restated = "```\n" + "\n".join(" ".join(str(v or ".") for v in r) for r in t.data["puzzle"]) + "\n```"
    for text in (boxed, "\n".join("".join(map(str, r)) for r in g), json.dumps(g),
                 "Solution:\n" + json.dumps(g, indent=1), "".join(str(v) for r in g for v in r),
                 f"The puzzle was\n{restated}\nand the solution is\n{t.gold_text}"):
        assert _score(env, t, text).reward == 1.0, text


def test_sudoku_red_team(env, tasks):
    t = by_kind(tasks, "sudoku", 3)[0]
    g = _grid(t)
    relabel = {d: d % 9 + 1 for d in range(1, 10)}  # still a valid sudoku, but not these givens
    other = [[relabel[v] for v in r] for r in g]
    assert not sudoku_errors(other, [[0] * 9 for _ in range(9)])
    s = _score(env, t, "```\n" + "\n".join(" ".join(map(str, r)) for r in other) + "\n```")
    assert s.reward == 0.0 and "given" in s.info["reason"]
    partial = [r[:] for r in g]
    partial[4][4] = 0
    s = _score(env, t, json.dumps(partial))
    assert s.reward == 0.0 and "incomplete" in s.info["reason"]
    swapped = [r[:] for r in g]
    swapped[0][0], swapped[0][1] = swapped[0][1], swapped[0][0]
    assert _score(env, t, json.dumps(swapped)).reward == 0.0
    s = _score(env, t, f"{t.gold_text}\nor maybe\n" + json.dumps(swapped))
    assert s.reward == 0.0 and "hedge" in s.info["reason"]
    # right grid in the reasoning, wrong one after it
    assert _score(env, t, f"<think>{t.gold_text}</think>" + json.dumps(swapped)).reward == 0.0


def test_sudoku_any_valid_solution_scores():
    env = LogicEnv(kinds=["sudoku"])
    t = env.task_from_row({"puzzle": "." * 16}, 0)
    a, b = sudoku_solve(t.data["puzzle"], limit=2)
    assert _score(env, t, json.dumps(a)).reward == 1.0 and _score(env, t, json.dumps(b)).reward == 1.0


def test_queens_any_valid_placement_and_red_team(env, tasks):
    t = by_kind(tasks, "nqueens", 2)[0]
    n, givens = t.data["n"], t.data["givens"]
    fixed = {r: c for r, c in givens}
    boards = {tuple(queens_solve(n, random.Random(s), fixed)) for s in range(40)}
    assert len(boards) > 1  # several placements keep the given queen; all of them score
    for cols in boards:
        text = "\n".join("".join("Q" if c == col else "." for c in range(n)) for col in cols)
        assert _score(env, t, text).reward == 1.0
    cols = list(next(iter(boards)))
    cols[0], cols[1] = cols[1], cols[0]  # rows 0 and 1 swapped: usually a diagonal clash
    text = "\n".join(" ".join("Q" if c == col else "." for c in range(n)) for col in cols)
    s = _score(env, t, text)
    assert s.reward == 0.0 and ("attack" in s.info["reason"] or "given" in s.info["reason"])
    (r0, c0), = givens
    moved = queens_solve(n, random.Random(1), {r0: (c0 + 2) % n})  # valid, but not keeping the given
    text = "\n".join(" ".join("Q" if c == col else "." for c in range(n)) for col in moved)
    s = _score(env, t, text)
    assert s.reward == 0.0 and "given queen" in s.info["reason"]


def test_zebra_red_team(env, tasks):
    t = by_kind(tasks, "zebra", 3)[0]
    gold = json.loads(t.gold_text.strip("`\n").removeprefix("json"))
    as_list = [{"House": int(h), **{k.upper(): v.upper() for k, v in row.items()}} for h, row in gold.items()]
    assert _score(env, t, json.dumps(as_list)).reward == 1.0
    assert _score(env, t, json.dumps({f"House {h}": r for h, r in gold.items()})).reward == 1.0
    prose = f"Houses [1, 2, 3, 4, 5] from the left; clue [3] decides it.\n{t.gold_text}"
    assert _score(env, t, prose).reward == 1.0  # stray non-answer arrays are not a hedge
    swapped = json.loads(json.dumps(gold))
    attr = next(iter(swapped["1"]))
    swapped["1"][attr], swapped["2"][attr] = swapped["2"][attr], swapped["1"][attr]
    s = _score(env, t, json.dumps(swapped))
    assert s.reward == 0.0 and "clue" in s.info["reason"]
    assert "hedge" in _score(env, t, json.dumps(gold) + "\n" + json.dumps(swapped)).info["reason"]
    missing = json.loads(json.dumps(gold))
    del missing["3"][attr]
    assert _score(env, t, json.dumps(missing)).reward == 0.0
    invented = json.loads(json.dumps(gold))
    invented["2"]["zodiac"] = "leo"  # an attribute the puzzle does not have
    s = _score(env, t, json.dumps(invented))
    assert s.reward == 0.0 and "unknown" in s.info["reason"]
    doubled = [{"house": 1, **gold["1"], attr.upper(): gold["2"][attr]}] + [gold[h] for h in "2345"]
    assert _score(env, t, json.dumps(doubled)).reward == 0.0  # two values for one attribute
    wrong_house = [{"house": 2, **gold["1"]}] + [gold[h] for h in "2345"]
    assert _score(env, t, json.dumps(wrong_house)).reward == 0.0


def test_zebra_checker_accepts_any_consistent_assignment(env):
    attributes = {"color": ["blue", "red", "green"], "pet": ["cat", "dog", "fish"]}
    clues = [{"type": "same", "a": ["color", "red"], "b": ["pet", "dog"]}]
    solutions = zebra_solve(attributes, clues, limit=50)
    assert len(solutions) == 12 and all(not zebra_errors(s, attributes, clues) for s in solutions)
    assert zebra_errors({**solutions[0], "job": ["a", "b", "c"]}, attributes, clues)
    t = Task(id="z", env="logic", prompt=[{"role": "user", "content": "?"}],
             data={"kind": "zebra", "attributes": attributes, "clues": clues, "solution": None})
    for sol in solutions[:3]:
        answer = {str(h + 1): {a: sol[a][h] for a in sol} for h in range(3)}
        assert _score(env, t, json.dumps(answer)).reward == 1.0
    bad = {"1": {"color": "red", "pet": "cat"}, "2": {"color": "blue", "pet": "dog"},
           "3": {"color": "green", "pet": "fish"}}
    assert _score(env, t, json.dumps(bad)).reward == 0.0


@pytest.mark.parametrize("text", ["", "   ", "no grid here", "1 2\n3 4", "\x00\x01\x02",
                                  "Q" * 10_000, "1234\n" * 200_000])
def test_garbage_never_raises(env, tasks, text):
    for t in tasks[:6]:
        s = _score(env, t, text)
        assert s.reward == 0.0 and s.status == "wrong"


def test_seeded_determinism(env):
    assert env.generate(6, seed=2) == env.generate(6, seed=2)
    assert env.generate(6, seed=2) != env.generate(6, seed=3)


def test_loader_standard_rows(env, tmp_path):
    solved = "1234341221434321"
    rows = [{"puzzle": SUDOKU_4, "solution": "1234341221434321"},
            {"quizzes": solved.replace("1", "0")},
            {"n": 6, "givens": [[1, 2]]},
            {"puzzle": "Two houses. Eric lives in house 1.", "solution": {
                "header": ["House", "Name", "Color"], "rows": [["1", "Eric", "red"], ["2", "Arnold", "blue"]]}}]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    loaded = env.load(path)
    assert [t.data["kind"] for t in loaded] == ["sudoku", "sudoku", "nqueens", "zebra"]
    for t in loaded:
        assert _score(env, t, t.gold_text).reward == 1.0, t.id
    assert _score(env, loaded[0], "\n".join(solved[i:i + 4] for i in range(0, 16, 4))).reward == 1.0
    wrong = {"1": {"name": "Arnold", "color": "red"}, "2": {"name": "Eric", "color": "blue"}}
    assert _score(env, loaded[3], json.dumps(wrong)).reward == 0.0


@pytest.mark.parametrize("row,match", [
    ({"puzzle": "12"}, "16, 36 or 81"),
    ({"puzzle": SUDOKU_4, "solution": "1" * 16}, "does not solve"),
    ({"puzzle": "11" + "." * 14}, "no solution"),
    ({"n": 3}, "integer n from 4"),
    ({"foo": 1}, "logic rows are"),
])
def test_loader_bad_rows(env, row, match):
    with pytest.raises(GymkitError, match=match):
        env.task_from_row(row, 0)


def test_a_second_board_or_grid_is_a_second_answer(env, tasks):
    q = by_kind(tasks, "nqueens")[0]
    board4 = "```\n. Q . .\n. . . Q\nQ . . .\n. . Q .\n```"
    s = _score(env, q, q.gold_text + "\n" + board4)
    assert s.reward == 0.0 and "two answers" in s.info["reason"]
    restated = q.prompt[0]["content"] + "\n\n" + q.gold_text  # the partial puzzle is fine
    assert _score(env, q, restated).reward == 1.0
    z = by_kind(tasks, "zebra")[0]
    assert "two answers" in _score(env, z, z.gold_text + "\n" + board4).info["reason"]
    gold = json.loads(z.gold_text.strip("`\n").removeprefix("json"))
    dup = json.dumps(gold)[:-1] + ', "1": ' + json.dumps(gold["1"]) + "}"
    assert "duplicate key" in _score(env, z, dup).info["reason"]
