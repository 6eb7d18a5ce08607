import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.algebra import AlgebraEnv
from gymkit.types import Task


@pytest.fixture(scope="module")
def env():
    return AlgebraEnv()


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def _task(kind, answer, integrand=None):
    data = {"kind": kind, "answer": answer, "variable": "x", "question": "q"}
    if integrand:
        data["integrand"] = integrand
    return Task(id=f"t-{kind}", env="algebra", prompt=[{"role": "user", "content": "q"}], data=data)


def test_check_env_passes(env):
    assert check_env(env) == []


def test_gold_scores_one_for_every_kind(env):
    kinds = set()
    for task in env.generate(36, seed=5):
        kinds.add(task.data["kind"])
        s = _score(env, task, task.gold_text)
        assert (s.reward, s.status) == (1.0, "correct"), (task.id, task.gold_text, s)
    assert kinds == {"expand", "factor", "simplify", "solve", "diff", "integrate"}


def test_seeded_determinism(env):
    assert env.generate(6, seed=2) == env.generate(6, seed=2)
    assert env.generate(6, seed=2) != env.generate(6, seed=3)


@pytest.mark.parametrize("kind,gold,integrand,right,wrong", [
    ("expand", "1281*x**4 + 1638*x**2 + 189*x", None,
     ["189x + 1638x^2 + 1281x^4", "1281*x**4+1638*x**2+189*x", "1281x^{4}+1638 x^{2}+189x"],
     ["21x(61x^3+78x+9)", "1281x^4+1638x^2+188x"]),  # factored is not expanded
    ("factor", "(x - 2)*(x - 3)", None, ["(x-3)(x-2)", "(2-x)(3-x)", "\\left(x-2\\right)\\left(x-3\\right)"],
     ["x^2-5x+6", "(x-2)(x+3)", "(x-1)(x-6)"]),
    ("simplify", "x + 1", None, ["1+x", "x+1"], ["\\frac{x^2-1}{x-1}", "x-1"]),
    ("diff", "3*x**2 + cos(x)", None, ["3x^2+\\cos x", "cos(x) + 3x**2"], ["x^3+\\sin x", "3x^2-\\cos x"]),
    ("integrate", "", "2*x + 1/x", ["x^2 + \\ln|x| + C", "x**2 + log(x)", "x^2+\\ln(x)+7"],
     ["2 + \\ln x", "x^2", "\\int 2x + 1/x \\, dx"]),
    ("solve", "-1/2, 2", None, ["x = 2 \\text{ or } x = -\\frac12", "\\{-0.5, 2\\}", "2, -1/2"],
     ["2", "-1/2, 2, 3", "x = 1/2, x = 2", "y = 2, y = -1/2"]),
])
def test_forms_right_and_wrong(env, kind, gold, integrand, right, wrong):
    task = _task(kind, gold, integrand)
    for r in right:
        s = _score(env, task, f"\\boxed{{{r}}}")
        assert s.reward == 1, (r, s)
    for w in wrong:
        s = _score(env, task, f"\\boxed{{{w}}}")
        assert s.reward == 0 and s.status == "wrong", (w, s)


def test_solutions_boxed_separately_and_hedges(env):
    task = _task("solve", "-1/2, 2")
    assert _score(env, task, "\\boxed{2} and \\boxed{-1/2}").reward == 1
    expand = _task("expand", "x**2 + 2*x + 1")
    assert _score(env, expand, "\\boxed{x^2+2x+1} or \\boxed{x^2+1}").reward == 0
    assert _score(env, expand, "x^2+2x+1").reward == 0  # unboxed


@pytest.mark.parametrize("text", ["", "\\boxed{}", "\\boxed{__import__('os').system('echo hi')}",
                                  "\\boxed{x.__class__}", "\\boxed{2^{2^{2^{2^{2^{2}}}}}}",
                                  "\\boxed{(x+1)^{100000}}", "\\boxed{" + "x+" * 5000 + "1}",
                                  "\x00\xff" * 500])
def test_hostile_answers_are_wrong_not_errors(env, text):
    s = _score(env, _task("expand", "x**2 + 2*x + 1"), text)
    assert s.reward == 0 and s.status in ("wrong", "timeout"), s


def test_loader_reads_question_answer_rows(env, tmp_path):
    rows = [{"question": "Expand 21x(61x^3+78x+9).", "answer": "1281x^4+1638x^2+189x"},
            {"question": "Solve x^2-5x+6=0", "answer": "x=2, x=3", "id": "s1"},
            {"problem": "Simplify", "answer": "$\\boxed{x+1}$", "kind": "simplify"}]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    tasks = env.load(path)
    assert [t.data["kind"] for t in tasks] == ["equiv", "equiv", "simplify"]
    assert tasks[1].id == "s1"
    assert _score(env, tasks[0], "\\boxed{21x(61x^3+78x+9)}").reward == 1  # unknown kind: equality
    assert _score(env, tasks[1], "\\boxed{x = 3 \\text{ or } x = 2}").reward == 1
    assert _score(env, tasks[1], "\\boxed{x = 3}").reward == 0
    assert _score(env, tasks[2], "\\boxed{1+x}").reward == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"question": "q", "answer": "1", "kind": "prove"}))
    with pytest.raises(Exception, match="unknown kind 'prove'"):
        env.load(bad)
