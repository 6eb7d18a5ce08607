import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.code_output import CodeOutputEnv
from gymkit.verifiers.code_extract import extract_output


@pytest.fixture(scope="module")
def env():
    return CodeOutputEnv()


@pytest.fixture(scope="module")
def task(env):
    return env.generate(1, seed=4, difficulty=2)[0]  # two snippets, two or more lines


def say(text):
    return [{"role": "assistant", "content": text}]


def score(env, task, text):
    return play(env, task, say(text))[1]


def test_check_env(env):
    assert check_env(env) == []


def test_gold_scores_on_every_level(env):
    for t in env.generate(9, seed=1):
        s = play(env, t, env.gold_actions(t))[1]
        assert (s.reward, s.status) == (1.0, "correct"), t.id


def test_every_answer_channel_and_whitespace(env, task):
    out = task.data["output"]
    padded = "\n".join(line + "   " for line in out.splitlines())
    for text in [f"It prints:\n```text\n{padded}\n\n```", f"Output: {out}" if "\n" not in out
                 else f"Output:\n{out}\n", f"```python\nprint('x')\n```\n```\n{out}\n```"]:
        assert score(env, task, text).status == "correct", text
    one = env.generate(1, seed=2, difficulty=1)[0]
    if "\n" not in one.data["output"]:
        assert score(env, one, f"\\boxed{{{one.data['output']}}}").status == "correct"


def test_wrong_and_near_misses_score_zero(env, task):
    out = task.data["output"]
    lines = out.splitlines()
    near = [out + "\nextra", "\n".join(lines[:-1]), out.replace(" ", "", 1), out.upper()
            if out.upper() != out else out + "x", "\n".join(reversed(lines))]
    for text in near:
        if text == out:
            continue
        s = score(env, task, f"```\n{text}\n```")
        assert (s.reward, s.status) == (0.0, "wrong"), text


def test_hedging_scores_zero(env):
    t = next(t for t in env.generate(20, seed=5, difficulty=1) if "\n" not in t.data["output"])
    out = t.data["output"]
    assert score(env, t, f"\\boxed{{{out}}} or maybe \\boxed{{{out}0}}").status == "wrong"
    assert score(env, t, f"```\n{out}\n```\nso \\boxed{{{out}1}}").status == "wrong"
    # the right answer only in the reasoning, a wrong final answer
    assert score(env, t, f"<think>it prints {out}</think>\n```\n{out}9\n```").status == "wrong"
    assert extract_output("Output: 1\n\\boxed{2}")[0] is None


def test_unfenced_prose_is_not_an_answer(env, task):
    s = score(env, task, task.data["output"])  # the bare text, no channel
    assert s.status == "wrong" and "no answer" in s.info["reason"]


def test_determinism(env):
    assert env.generate(6, seed=9) == env.generate(6, seed=9)
    assert env.generate(6, seed=9) != env.generate(6, seed=10)


def test_loader_cruxeval_rows(tmp_path):
    rows = [{"id": "sample_0", "code": "def f(xs):\n    return [x * 2 for x in xs]",
             "input": "[1, 2]", "output": "[2, 4]"},
            {"program": "print('hi')\nprint(1 + 1)", "output": "hi\n2\n"}]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    env = CodeOutputEnv()
    crux, prog = env.load(path)
    assert "f([1, 2])" in crux.prompt[0]["content"]
    assert score(env, crux, "```\n[2,4]\n```").status == "correct"  # same value, other spacing
    assert score(env, crux, "```\n[2, 5]\n```").status == "wrong"
    assert score(env, prog, "```\nhi\n2\n```").status == "correct"
    with pytest.raises(Exception, match="needs 'program'"):
        env.task_from_row({"question": "x"}, 0)


def test_gold_matches_the_program_run_in_the_sandbox(env):
    from gymkit.envs.code_output.env import run_sandboxed
    from gymkit.verifiers.code_extract import normalize_output

    for t in env.generate(6, seed=8):  # a fresh interpreter, another hash seed: same output
        assert normalize_output(run_sandboxed(t.data["program"])) == t.data["output"], t.id


@pytest.mark.parametrize("gold, answer, same", [
    ("True", "1", False), ("2", "2.0", False), ("0.0", "-0.0", False), ("(1,)", "[1]", False),
    ("{1, 2}", "{True, 2}", False), ("{'a': 2}", "{'a': 1, 'a': 2}", False),
    ("'a'", '"a"', True), ("[1,2]", "[1, 2]", True), ("{'b': 1, 'a': 2}", "{'a': 2, 'b': 1}", True),
    ("{1, 2}", "{2, 1}", True)])
def test_literals_compare_type_exactly(gold, answer, same):
    from gymkit.envs.code_output.env import _same_literal

    assert _same_literal(gold, answer) is same


def test_bold_output_label_and_draft_blocks(env):
    t = next(t for t in env.generate(12, seed=9, difficulty=1) if "\n" not in t.data["output"]
             and not t.data["output"].startswith(" "))
    out = t.data["output"]
    assert score(env, t, f"**Output:** {out}").status == "correct"
    draft = f"```\n{out}x\n```\nActually:\n```\n{out}\n```"
    assert "hedge" in score(env, t, draft).info["reason"]


def test_output_label_after_a_block_is_a_second_channel():
    # A label in front of the block introduces it; a different one after the block hedges.
    assert extract_output("Output:\n```\n7\n```")[0] == "7"
    assert extract_output("```\n7\n```\nOutput: 7")[0] == "7"
    assert extract_output("```\n7\n```\nOutput: 71")[0] is None
