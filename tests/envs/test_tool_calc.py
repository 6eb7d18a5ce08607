"""tool_calc: the calculator, the unit table, the answer check and the tool-use rules."""
import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.tool_calc import ToolCalcEnv
from gymkit.envs.tool_calc.calculator import CalcError, evaluate
from gymkit.envs.tool_calc.units import UnitError, convert
from gymkit.tools import make_call, message_with_calls
from gymkit.verifiers.kb import parse_number


@pytest.fixture(scope="module")
def env():
    return ToolCalcEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(9, seed=11)


def call(name, **args):
    return {"role": "assistant", "content": "", "tool_calls": [make_call(name, args)]}


def say(text):
    return {"role": "assistant", "content": text}


def gold_calls(task):
    return task.gold[:-1]


def answer(task):
    return task.data["answer"]


# ------------------------------------------------------------------ calculator and units
@pytest.mark.parametrize("expr,value", [
    ("2 + 3 * 4", 14), ("(2 + 3) * 4", 20), ("2^10", 1024), ("7 // 2 + 7 % 2", 4),
    ("sqrt(16) + abs(-2)", 6), ("-3 ** 2", -9), ("round(2.345, 2)", 2.35), ("1e3 / 8", 125),
])
def test_calculator_evaluates_arithmetic(expr, value):
    assert evaluate(expr) == pytest.approx(value)


@pytest.mark.parametrize("expr,msg", [
    ("__import__('os')", "unknown function"), ("__import__('os').system('ls')", "unsupported"),
    ("().__class__", "unsupported"),
    ("9 ** 9 ** 9", "exponent"), ("1 / 0", "division by zero"), ("x + 1", "unknown name"),
    ("'a' * 3", "only numbers"), ("2 +", "cannot parse"), ("1" * 600, "longer than"),
    ("10.0 ** 200", "larger than"), ("sqrt(-1)", "sqrt"), ("(-8) ** 0.5", "finite real"),
    ("lambda: 1", "unsupported"), ("[1, 2]", "unsupported"),
])
def test_calculator_refuses_everything_else(expr, msg):
    with pytest.raises(CalcError, match=msg):
        evaluate(expr)


def test_unit_table_converts_exactly():
    assert convert(1, "mi", "km") == pytest.approx(1.609344)
    assert convert(212, "F", "C") == pytest.approx(100)
    assert convert(-40, "°C", "fahrenheit") == pytest.approx(-40)
    assert convert(1, "gallons", "l") == pytest.approx(3.785411784)
    assert convert(1, "acre", "ft2") == pytest.approx(43560)


def test_unit_errors_are_clear():
    with pytest.raises(UnitError, match=r"cannot convert kg \(mass\) to m \(length\)"):
        convert(1, "kg", "m")
    with pytest.raises(UnitError, match="unknown unit 'furlong'; known units: m, km"):
        convert(1, "furlong", "m")


# ------------------------------------------------------------------ episodes
def test_gold_scores_one_at_every_level(env):
    for level in env.difficulties:
        for task in env.generate(4, seed=3, difficulty=level):
            _, score = play(env, task, task.gold)
            assert (score.status, score.reward) == ("correct", 1.0), (task.id, score)


def test_tool_results_reach_the_model(env, tasks):
    msgs, _ = play(env, tasks[0], tasks[0].gold)
    results = [m for m in msgs if m["role"] == "tool"]
    assert len(results) == len(gold_calls(tasks[0]))
    assert all(not r["content"].startswith("error") for r in results)


@pytest.mark.parametrize("fmt", [
    "Answer: {:.2f}", "\\boxed{{{:.2f}}}", "So it is \\boxed{{{:.2f}\\text{{ units}}}}.",
    "**Answer:** {:.3f}", "Answer: approximately {:.2f}", "Answer: \\boxed{{{:.2f}}}",
])
def test_correct_answer_in_any_accepted_form(env, tasks, fmt):
    task = tasks[1]
    _, score = play(env, task, gold_calls(task) + [say(fmt.format(answer(task)))])
    assert score.status == "correct", score


def test_thousands_separators_and_currency(env, tasks):
    task = next(t for t in env.generate(40, seed=1) if answer(t) >= 1000)
    _, score = play(env, task, gold_calls(task) + [say(f"Answer: ${answer(task):,.2f}")])
    assert score.status == "correct", score


def test_wrong_answer_scores_zero(env, tasks):
    for task in tasks[:4]:
        _, score = play(env, task, gold_calls(task) + [say(f"Answer: {answer(task) * 1.01 + 0.05:.2f}")])
        assert (score.status, score.reward) == ("wrong", 0.0)


@pytest.mark.parametrize("text", [
    "\\boxed{{{a:.2f}}} or maybe \\boxed{{{b:.2f}}}",
    "Answer: {a:.2f}\nAnswer: {b:.2f}",
    "Answer: {a:.2f} or {b:.2f}",
    "I first got {a:.2f}. Answer: {b:.2f}",
    "The answer is {a:.2f}.",  # unmarked: lenient extraction is a known hack
    "<think>Answer: {a:.2f}</think>Answer: {b:.2f}",
])
def test_hedged_or_unmarked_answers_score_zero(env, tasks, text):
    task = tasks[2]
    a, b = answer(task), answer(task) + 3
    _, score = play(env, task, gold_calls(task) + [say(text.format(a=a, b=b))])
    assert (score.status, score.reward) == ("wrong", 0.0), score


def test_answering_without_tools_scores_zero(env, tasks):
    task = tasks[0]
    _, score = play(env, task, [say(f"Answer: {answer(task):.2f}")])
    assert score.status == "wrong" and "without a successful tool call" in score.info["reason"]
    _, lenient = play(ToolCalcEnv(require_tool_use=False), task, [say(f"Answer: {answer(task):.2f}")])
    assert lenient.status == "correct"


def test_failed_calls_do_not_count_as_tool_use(env, tasks):
    task = tasks[0]
    _, score = play(env, task, [call("calculate", expression="1/0"), say(f"Answer: {answer(task):.2f}")])
    assert score.status == "wrong" and "without a successful" in score.info["reason"]


def test_tool_call_cap(env, tasks):
    task = tasks[0]
    many = {"role": "assistant", "content": "", "tool_calls": [
        make_call("calculate", {"expression": f"{i} + 1"}) for i in range(env.max_tool_calls + 2)]}
    msgs, score = play(env, task, [many, say(f"Answer: {answer(task):.2f}")])
    results = [m["content"] for m in msgs if m["role"] == "tool"]
    assert results[:env.max_tool_calls] == [str(i + 1) for i in range(env.max_tool_calls)]
    assert all("tool-call limit" in r for r in results[env.max_tool_calls:])


def test_turn_cap_truncates(env, tasks):
    actions = [call("calculate", expression="1 + 1")] * (env.max_turns + 2)
    _, score = play(env, tasks[0], actions)
    assert (score.status, score.reward) == ("truncated", 0.0)


@pytest.mark.parametrize("message,needle", [
    (call("convert", value="three", from_unit="mi", to_unit="km"), "bad argument 'value'"),
    (call("convert", value=3, from_unit="kg", to_unit="km"), "incompatible dimensions"),
    (call("calculate", expr="1+1"), "bad argument 'expression'"),
    (call("solve", equation="x=1"), "unknown tool 'solve'"),
    (message_with_calls('<tool_call>{"name": "calculate", "arguments": {"expression": </tool_call>'),
     "not valid JSON"),
    ({"role": "assistant", "content": "", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "calculate", "arguments": "{oops"}}]},
     "not valid JSON"),
])
def test_bad_calls_come_back_as_errors_and_cost_a_turn(env, tasks, message, needle):
    task = tasks[0]
    msgs, score = play(env, task, [message] + gold_calls(task) + task.gold[-1:])
    assert needle in msgs[len(task.prompt) + 1]["content"]
    assert score.status == "correct"  # the episode goes on after the error


def test_text_protocol_tool_calls(env, tasks):
    task = tasks[0]
    texts = [f"<tool_call>{json.dumps({'name': c['tool_calls'][0]['function']['name'], 'arguments': json.loads(c['tool_calls'][0]['function']['arguments'])})}</tool_call>"
             for c in gold_calls(task)]
    actions = [message_with_calls(t) for t in texts] + task.gold[-1:]
    _, score = play(env, task, actions)
    assert score.status == "correct"


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\xff" * 1000, "9" * 1_000_000,
                                  "<think>Answer: 5", "Answer:", "\\boxed{}"])
def test_degenerate_outputs_score_zero_without_raising(env, tasks, text):
    _, score = play(env, tasks[0], gold_calls(tasks[0]) + [say(text)])
    assert score.reward == 0.0 and score.status == "wrong"


def test_determinism_and_check_env(env):
    assert env.generate(6, seed=4) == env.generate(6, seed=4)
    assert env.generate(6, seed=4) != env.generate(6, seed=5)
    assert check_env(env) == []


def test_loader_reads_gsm8k_rows(env, tmp_path):
    path = tmp_path / "gsm8k.jsonl"
    rows = [{"question": "A 3 mile walk, in km?", "answer": "3 * 1.609344 = 4.83\n#### 4.83"},
            {"question": "Total?", "answer": "#### 1,250"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    tasks = env.load(path)
    assert [t.data["answer"] for t in tasks] == [4.83, 1250.0]
    assert tasks[0].tools == env.tool_schemas()
    good = [call("convert", value=3, from_unit="mi", to_unit="km"), say("Answer: 4.83")]
    assert play(env, tasks[0], good)[1].status == "correct"


@pytest.mark.parametrize("text,value", [
    ("1,234.5 km", 1234.5), ("\\$12.50", 12.5), ("-4.2 °C", -4.2), ("3/4", 0.75),
    ("\\frac{3}{4}", 0.75), ("12 m^2", 12), ("1{,}000", 1000), ("12 or 13", None),
    ("between 5 and 6", None), ("5 (or 6)", None), ("1,2", None), ("x", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == (pytest.approx(value) if value is not None else None)


def test_gold_passes_and_near_misses_fail_across_many_tasks(env):
    for level in env.difficulties:
        for task in env.generate(40, seed=99, difficulty=level):
            assert play(env, task, task.gold)[1].status == "correct", task.id
            gold = answer(task)
            for off in (max(0.02, 2e-3 * gold), -max(0.02, 2e-3 * gold)):
                miss = gold_calls(task) + [say(f"Answer: {gold + off:.2f}")]
                assert play(env, task, miss)[1].status == "wrong", (task.id, off)


def test_answer_needs_the_asked_precision(env, tasks):
    task = next(t for t in tasks if abs(answer(t) - round(answer(t))) > 0.05)
    for text in (f"Answer: {round(answer(task)):.0f}", f"Answer: {answer(task) + 0.01:.2f}",
                 f"Answer: {answer(task):.2f} or more", f"Answer: at least {answer(task):.2f}"):
        _, score = play(env, task, gold_calls(task) + [say(text)])
        assert score.status == "wrong", (text, score)
    _, score = play(env, task, gold_calls(task) + [say(f"Answer: {answer(task):.3f}")])
    assert score.status == "correct", score


@pytest.mark.parametrize("expression", ["1", "{a:.2f}", "{a:.2f} * 1", "{b:.2f} + 0.37"])
def test_trivial_or_ungrounded_calls_are_not_tool_use(env, tasks, expression):
    task = tasks[0]
    a = answer(task)
    msgs = [call("calculate", expression=expression.format(a=a, b=a - 0.37)), say(f"Answer: {a:.2f}")]
    _, score = play(env, task, msgs)
    assert score.status == "wrong" and "tool" in score.info["reason"], score


def test_rounding_a_typed_number_is_not_a_computation(env):
    task = env.generate(1, seed=0, difficulty=1)[0]
    typed = f"{answer(task):.4f}"
    for expr in (f"round({typed}, 2)", f"{typed} + 0.001", f"floor({typed} * 100 + 0.5) / 100"):
        _, score = play(env, task, [call("calculate", expression=expr),
                                    say(f"Answer: {answer(task):.2f}")])
        assert score.status == "wrong", (expr, score)
    # Rounding a grounded result is fine: the gold calls already produced the answer.
    _, score = play(env, task, gold_calls(task) + [call("calculate", expression=f"round({typed}, 2)"),
                                                   say(f"Answer: {answer(task):.2f}")])
    assert score.status == "correct", score


@pytest.mark.parametrize("unit, ok", [("", True), ("dollars", True), ("US dollars", True),
                                      ("USD", True), ("units", True), ("litres", False),
                                      ("km per hour", False), ("EUR", False)])
def test_answer_unit_must_be_the_asked_one(env, unit, ok):
    task = env.generate(1, seed=0, difficulty=1)[0]
    assert task.data["unit"] == "dollars"
    text = f"Answer: EUR {answer(task):.2f}" if unit == "EUR" else f"Answer: {answer(task):.2f} {unit}"
    _, score = play(env, task, gold_calls(task) + [say(text)])
    assert (score.status == "correct") is ok, score


def test_unit_spellings():
    from gymkit.envs.tool_calc.units import unit_matches

    for asked, written in [("km/h", "kph"), ("km/h", "kilometres per hour"), ("°F", "degrees F"),
                           ("minutes", "mins"), ("ml", "mL"), ("kg", "kilograms")]:
        assert unit_matches(asked, written), (asked, written)
    for asked, written in [("km/h", "mph"), ("°F", "°C"), ("kg", "lb"), ("dollars", "l")]:
        assert not unit_matches(asked, written), (asked, written)
