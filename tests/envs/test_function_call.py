"""function_call: the BFCL-style checker, both call shapes, irrelevance and the loader."""
import json

import jsonschema
import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.envs.function_call import FunctionCallEnv
from gymkit.envs.function_call.env import DECLINE
from gymkit.tools import make_call, message_with_calls
from gymkit.verifiers.function_call import check_calls

WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "required": ["city"], "properties": {
        "city": {"type": "string"}, "days": {"type": "integer"}, "scale": {"type": "number"},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        "tags": {"type": "array", "items": {"type": "string"}}}}}}
GOLD = [{"get_weather": {"city": ["Paris", "Paris, France"], "days": [3], "scale": [2.0, ""],
                         "unit": ["celsius", ""], "tags": [["a", "b"], ""]}}]


def c(name="get_weather", **args):
    return {"name": name, "arguments": args}


@pytest.fixture(scope="module")
def env():
    return FunctionCallEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(30, seed=7)


def calls_of(task):
    return task.gold[0]["tool_calls"]


def with_calls(calls, content=""):
    return {"role": "assistant", "content": content, "tool_calls": calls}


# ------------------------------------------------------------------ the checker
@pytest.mark.parametrize("call,ok", [
    (c(city="Paris", days=3), True),
    (c(city="paris, france", days=3, unit="celsius"), True),  # alternatives, normalised
    (c(city="Paris", days=3, scale=2), True),  # int accepted for a number (BFCL leniency)
    (c(city="Paris", days=3, tags=["a", "b"]), True),
    (c(city="Paris", days=3.0), False),  # float is not an integer
    (c(city="Paris", days="3"), False),  # a string is never a number
    (c(city="Paris", days=True), False),  # bool is not an integer
    (c(city="Paris"), False),  # days is expected by the gold
    (c(days=3), False),  # required city missing
    (c(city="Paris", days=3, country="FR"), False),  # unknown parameter
    (c(city="Paris", days=3, unit="kelvin"), False),  # outside the enum
    (c(city="Paris", days=3, unit="fahrenheit"), False),  # valid but not acceptable
    (c(city="Lyon", days=3), False),
    (c(city="Paris", days=3, tags=["b", "a"]), False),  # list order matters
    (c(city="Paris", days=3, tags=["a", 1]), False),  # item type
    (c("get_forecast", city="Paris", days=3), False),  # unknown function
    ({"name": "get_weather", "arguments": "{bad json"}, False),
    ({"name": "get_weather", "arguments": "[1, 2]"}, False),
])
def test_checker_single_call(call, ok):
    assert check_calls([call], [WEATHER], GOLD)[0] is ok


def test_checker_parallel_calls_any_order_by_bipartite_matching():
    gold = [{"get_weather": {"city": ["Paris", "Rome"], "days": [1]}},
            {"get_weather": {"city": ["Paris"], "days": [1]}}]
    # Greedy matching would give the first gold to the Paris call and then fail.
    assert check_calls([c(city="Paris", days=1), c(city="Rome", days=1)], [WEATHER], gold)[0]
    assert check_calls([c(city="Rome", days=1), c(city="Paris", days=1)], [WEATHER], gold)[0]
    assert not check_calls([c(city="Rome", days=1), c(city="Rome", days=1)], [WEATHER], gold)[0]
    ok, reason = check_calls([c(city="Paris", days=1)], [WEATHER], gold)
    assert not ok and "expected 2 call(s), got 1" in reason


def test_checker_irrelevance_and_bfcl_nested_dicts():
    assert check_calls([], [WEATHER], []) == (True, "no call, as expected")
    assert not check_calls([c(city="Paris")], [WEATHER], [])[0]
    loc = {"type": "function", "function": {"name": "f", "parameters": {"type": "object",
           "properties": {"loc": {"type": "object", "properties": {"lat": {"type": "number"}}}}}}}
    gold = [{"f": {"loc": [{"lat": [1.5], "name": ["", "x"]}]}}]
    assert check_calls([c("f", loc={"lat": 1.5})], [loc], gold)[0]
    assert not check_calls([c("f", loc={"lat": 2})], [loc], gold)[0]
    assert not check_calls([c("f", loc={"lat": 1.5, "zz": 1})], [loc], gold)[0]


# ------------------------------------------------------------------ the env
def test_gold_scores_one_at_every_level(env):
    for level in env.difficulties:
        for task in env.generate(8, seed=2, difficulty=level):
            _, score = play(env, task, task.gold)
            assert (score.status, score.reward) == ("correct", 1.0), (task.id, score)


def test_generator_covers_parallel_and_irrelevance(tasks):
    assert any(len(t.data["ground_truth"]) > 1 for t in tasks)
    assert any(t.meta["irrelevant"] for t in tasks)
    for t in tasks:  # the functions the gold calls are offered; irrelevant ones are not
        offered = {s["function"]["name"] for s in t.tools}
        assert (offered.isdisjoint(t.meta["functions"]) if t.meta["irrelevant"]
                else offered.issuperset(t.meta["functions"]))


def test_parallel_gold_in_reverse_order(env, tasks):
    task = next(t for t in tasks if len(t.data["ground_truth"]) > 1)
    _, score = play(env, task, [with_calls(calls_of(task)[::-1])])
    assert score.status == "correct"


def test_extra_missing_and_duplicate_calls_fail(env, tasks):
    task = next(t for t in tasks if t.gold[0].get("tool_calls"))
    calls = calls_of(task)
    other = make_call("get_stock_price", {"symbol": "AAPL"})
    for bad in ([*calls, other], [*calls, calls[0]], calls[:-1] if len(calls) > 1 else []):
        _, score = play(env, task, [with_calls(bad)])
        assert (score.status, score.reward) == ("wrong", 0.0)


def test_wrong_types_fail(env):
    task = next(t for t in env.generate(40, seed=3, difficulty=1)
                if t.meta["functions"] == ["get_weather_forecast"])
    args = json.loads(calls_of(task)[0]["function"]["arguments"])
    for days in (str(args["days"]), float(args["days"]), [args["days"]]):
        bad = make_call("get_weather_forecast", {**args, "days": days})
        _, score = play(env, task, [with_calls([bad])])
        assert score.status == "wrong" and "days" in score.info["reason"]


def test_text_protocol_calls_are_the_answer(env, tasks):
    task = next(t for t in tasks if len(t.data["ground_truth"]) > 1)
    blocks = "".join(f"<tool_call>{json.dumps({'name': k['function']['name'], 'arguments': json.loads(k['function']['arguments'])})}</tool_call>"
                     for k in calls_of(task))
    for action in ({"role": "assistant", "content": blocks}, message_with_calls(blocks)):
        assert play(env, task, [action])[1].status == "correct"
    assert env.score(task, blocks).status == "correct"  # `gymkit verify` path: text only
    malformed = blocks + "<tool_call>{not json}</tool_call>"
    assert "malformed" in env.score(task, malformed).info["reason"]
    echoed = with_calls(calls_of(task), content=blocks)  # a server that also echoes the text
    assert play(env, task, [echoed])[1].status == "correct"
    hidden = f"<think>{blocks}</think>I am not sure."  # calls only in the reasoning do not count
    assert play(env, task, [{"role": "assistant", "content": hidden}])[1].status == "wrong"


def test_irrelevance_needs_an_explicit_decline(env, tasks):
    task = next(t for t in tasks if t.meta["irrelevant"])
    assert play(env, task, task.gold)[1].status == "correct"
    any_call = make_call(task.tools[0]["function"]["name"], {})
    for bad in (with_calls([any_call]), with_calls([any_call], content=f"{DECLINE} sorry"),
                {"role": "assistant", "content": "Sure, done!"}):
        assert play(env, task, [bad])[1].status == "wrong"
    relevant = next(t for t in tasks if not t.meta["irrelevant"])
    assert play(env, relevant, [{"role": "assistant", "content": f"{DECLINE}: no"}])[1].status == "wrong"


@pytest.mark.parametrize("text", ["", "  ", "\x00\x01\xff" * 1000, "9" * 1_000_000,
                                  "<think>unfinished", "<tool_call>", "call it"])
def test_degenerate_outputs_score_zero_without_raising(env, tasks, text):
    for task in tasks[:6]:
        _, score = play(env, task, [{"role": "assistant", "content": text}])
        assert score.reward == 0.0 and score.status == "wrong"


def test_determinism_and_check_env(env):
    assert env.generate(6, seed=4) == env.generate(6, seed=4)
    assert env.generate(6, seed=4) != env.generate(6, seed=5)
    assert check_env(env) == []


def test_loader_reads_bfcl_rows(env, tmp_path):
    fn = {"name": "math.triangle_area", "description": "Area of a triangle.", "parameters": {
        "type": "dict", "required": ["base", "height"], "properties": {
            "base": {"type": "integer"}, "height": {"type": "float"},
            "unit": {"type": "string", "description": "unit", "default": "units"},
            "meta": {"type": "any"}}}}
    rows = [{"id": "simple_0", "question": [[{"role": "user", "content": "Area, base 10 height 5?"}]],
             "function": [fn], "ground_truth": [{"math.triangle_area": {
                 "base": [10], "height": [5.0], "unit": ["units", ""]}}]},
            {"id": "irrelevance_0", "question": "What is the capital of Peru?", "function": fn}]
    path = tmp_path / "bfcl.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    simple, irrelevant = env.load(path)
    schema = simple.tools[0]["function"]
    assert schema["name"] == "math_triangle_area" and schema["parameters"]["type"] == "object"
    jsonschema.Draft202012Validator.check_schema(schema["parameters"])
    good = make_call("math_triangle_area", {"base": 10, "height": 5})
    assert play(env, simple, [with_calls([good])])[1].status == "correct"
    bad = make_call("math_triangle_area", {"base": 10.5, "height": 5})
    assert play(env, simple, [with_calls([bad])])[1].status == "wrong"
    assert irrelevant.data["ground_truth"] == [] and irrelevant.prompt[-1]["content"].startswith("What")
    assert play(env, irrelevant, [{"role": "assistant", "content": f"{DECLINE}: no tool"}])[1].status == "correct"
    with pytest.raises(Exception, match="needs BFCL keys"):
        env.task_from_row({"q": 1}, 0)


def _mutations(args):
    """Every single-parameter corruption of a correct argument dict."""
    for key, value in args.items():
        yield {k: v for k, v in args.items() if k != key}  # dropped
        yield {**args, key: {"bool": not value} if isinstance(value, bool) else
               value + "zz" if isinstance(value, str) else
               value + 1 if isinstance(value, (int, float)) else [*value, "extra"]}
        yield {**args, key: str(value) if not isinstance(value, str) else 7}  # wrong type
    yield {**args, "verbose": True}  # unknown parameter


def test_every_single_mutation_of_the_gold_fails(env):
    checked = 0
    for task in env.generate(60, seed=21):
        gold = calls_of(task) if task.gold[0].get("tool_calls") else []
        for i, k in enumerate(gold):
            name, args = k["function"]["name"], json.loads(k["function"]["arguments"])
            for bad in _mutations(args):
                calls = [*gold[:i], make_call(name, bad), *gold[i + 1:]]
                _, score = play(env, task, [with_calls(calls)])
                assert score.status == "wrong", (task.id, bad)
                checked += 1
    assert checked > 300


@pytest.mark.parametrize("raw, needle", [
    ('{"city": "Rome", "city": "Paris", "days": 3}', "duplicate key"),
    ('{"city": "Paris", "days": 3, "x": ' + "[" * 10000 + "]" * 10000 + "}", "nested"),
    ('{"city": "Paris", "days": NaN}', "NaN"),
])
def test_strict_arguments_fail_with_a_reason(raw, needle):
    call = {"id": "c", "type": "function", "function": {"name": "get_weather", "arguments": raw}}
    ok, reason = check_calls([call], [WEATHER], GOLD)
    assert not ok and needle in reason, reason
