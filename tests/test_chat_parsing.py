"""Tool-call parsing and tool-argument checks against hostile model text.

No text a model writes may raise out of the driver (issue 9, class 6: 1,000 `[` after
`<tool_call>` raised RecursionError and ended the run). Every string here goes through
`parse_tool_calls`, `message_with_calls` and a whole `play` episode of a real tool env; the
episode must end `correct`, `wrong` or `truncated`, never raise.
"""
import json
import random
import time

import pytest

from gymkit.env import play
from gymkit.envs.tool_calc import ToolCalcEnv
from gymkit.tools import (MAX_CALL_CHARS, MAX_CALLS, MAX_JSON_DEPTH, ToolCallError,
                          call_arguments, loads_bounded, make_call, message_with_calls,
                          parse_tool_calls, run_tool)

OPEN, CLOSE = "<tool_call>", "</tool_call>"
OK_STATUSES = {"correct", "wrong", "truncated"}
BINARY = bytes(range(256)).decode("latin-1")

HOSTILE = {
    "class6_brackets": OPEN + "[" * 1000,
    "brackets_10k_closed": OPEN + "[" * 10_000 + "]" * 10_000 + CLOSE,
    "braces_in_args": OPEN + '{"name": "calculate", "arguments": ' + '{"a": ' * 5000 + "1"
                      + "}" * 5001 + CLOSE,
    "deep_args_string": OPEN + json.dumps({"name": "calculate", "arguments":
                                           "[" * 3000 + "]" * 3000}) + CLOSE,
    "one_mb_block": OPEN + '{"name": "calculate", "arguments": {"expression": "'
                    + "1" * 1_000_000 + '"}}' + CLOSE,
    "one_mb_unterminated": OPEN + "x" * 1_000_000,
    "binary": OPEN + BINARY * 40 + CLOSE + BINARY,
    "nul_and_controls": "\x00" * 1000 + OPEN + "\x00{\x01}" + CLOSE,
    "unterminated_tag": 'ok ' + OPEN + '{"name": "calculate", "arguments": {"expression": "1',
    "only_close_tags": CLOSE * 10_000,
    "many_tags": (OPEN + '{"name": "calculate", "arguments": {"expression": "1+1"}}' + CLOSE)
                 * 20_000,
    "many_open_tags": OPEN * 50_000,
    "nested_tags": OPEN * 3 + '{"name": "calculate"}' + CLOSE * 3,
    "xml_unclosed_functions": (OPEN + "<function=calculate>") * 5000,
    "xml_unclosed_parameter": OPEN + "<function=calculate><parameter=expression>1+1"
                              + "</function>" + CLOSE,
    "xml_deep_parameter": OPEN + "<function=calculate><parameter=expression>" + "[" * 5000
                          + "</parameter></function>" + CLOSE,
    "xml_duplicate_parameter": OPEN + "<function=calculate><parameter=expression>1"
                               "</parameter><parameter=expression>2</parameter></function>"
                               + CLOSE,
    "duplicate_keys": OPEN + '{"name": "calculate", "name": "convert", "arguments": {}}' + CLOSE,
    "duplicate_arg_keys": OPEN + '{"name": "calculate", "arguments": {"expression": "1", '
                          '"expression": "2"}}' + CLOSE,
    "nan_constant": OPEN + '{"name": "convert", "arguments": {"value": NaN, "from_unit": "m", '
                    '"to_unit": "cm"}}' + CLOSE,
    "huge_float": OPEN + '{"name": "convert", "arguments": {"value": 1e999, "from_unit": "m", '
                  '"to_unit": "cm"}}' + CLOSE,
    "digits_5000": OPEN + '{"name": "convert", "arguments": {"value": ' + "9" * 5000
                   + ', "from_unit": "m", "to_unit": "cm"}}' + CLOSE,
    "lone_surrogate": OPEN + '{"name": "calculate", "arguments": {"expression": "\\ud800"}}'
                      + CLOSE,
    "quotes_and_backslashes": OPEN + '"\\' * 40_000 + CLOSE,
    "think_unclosed": "<think>" + OPEN + "[" * 1000,
    "think_then_deep": "<think>plan</think>" + OPEN + "{" * 100_000,
    "think_flood": "</think>" * 100_000 + OPEN + "[" * 2000,
    "name_not_string": OPEN + '{"name": ["calculate"], "arguments": {}}' + CLOSE,
    "arguments_list": OPEN + '{"name": "calculate", "arguments": [1, 2]}' + CLOSE,
    "huge_name": OPEN + json.dumps({"name": "c" * 90_000, "arguments": {}}) + CLOSE,
    "empty_block": OPEN + CLOSE,
}

_ALPHABET = [OPEN, CLOSE, "<think>", "</think>", "{", "}", "[", "]", '"', "\\", ":", ",",
             "<function=calculate>", "</function>", "<parameter=expression>", "</parameter>",
             '"name"', '"arguments"', '"calculate"', "1", "1e999", "NaN", "\\ud800", "\n",
             " ", "\x00", "\u202e", "é", "{" * 200, "[" * 200]


def fuzz_strings(n: int, seed: int = 9):
    """Random splices of the tokens a broken or adversarial tool call is made of."""
    rng = random.Random(seed)
    for _ in range(n):
        yield "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(1, 120)))


def _check_message(msg):
    assert msg["role"] == "assistant" and isinstance(msg["content"], str)
    assert len(msg.get("tool_calls", [])) <= MAX_CALLS
    for call in msg.get("tool_calls", []):
        assert isinstance(call["function"]["name"], str)
        json.loads(call["function"]["arguments"])  # what the parser emits is always JSON
    assert all(isinstance(e, str) for e in msg.get("tool_call_errors", []))


@pytest.fixture(scope="module")
def env():
    return ToolCalcEnv()


@pytest.fixture(scope="module")
def task(env):
    return env.generate(1, seed=3)[0]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_never_raises(name, env, task):
    text = HOSTILE[name]
    start = time.perf_counter()
    content, calls, errors = parse_tool_calls(text)
    msg = message_with_calls(text)
    _check_message(msg)
    assert isinstance(content, str) and len(calls) <= MAX_CALLS
    # two more turns: the hostile one twice, so the episode must survive its own observations
    _, score = play(env, task, [msg, message_with_calls(text)])
    assert score.status in OK_STATUSES, score
    assert time.perf_counter() - start < 5, "parsing hostile text must stay fast"


def test_random_splices_never_raise(env, task):
    for text in fuzz_strings(400):
        msg = message_with_calls(text)
        _check_message(msg)
        _, score = play(env, task, [msg])
        assert score.status in OK_STATUSES, (text[:200], score)


def test_class6_is_an_error_observation_not_an_exception():
    content, calls, errors = parse_tool_calls(OPEN + "[" * 1000)
    assert calls == [] and len(errors) == 1 and "nested deeper" in errors[0]


def test_limits_are_reported():
    _, _, errors = parse_tool_calls(HOSTILE["one_mb_block"])
    assert "longer than" in errors[0]
    _, calls, errors = parse_tool_calls(HOSTILE["many_tags"])
    assert len(calls) == MAX_CALLS and "ignored" in errors[-1]
    _, calls, errors = parse_tool_calls(HOSTILE["duplicate_keys"])
    assert calls == [] and "duplicate key 'name'" in errors[0]


def test_duplicate_argument_keys_are_not_last_one_wins(env, task):
    msg = message_with_calls(HOSTILE["duplicate_arg_keys"])
    assert "tool_calls" not in msg and "duplicate key 'expression'" in msg["tool_call_errors"][0]
    msg = message_with_calls(HOSTILE["xml_duplicate_parameter"])
    assert "tool_calls" not in msg and "duplicate parameter" in msg["tool_call_errors"][0]


def test_well_formed_calls_still_parse():
    text = ('a ' + OPEN + '{"name": "calculate", "arguments": {"expression": "[[1]]"}}' + CLOSE
            + OPEN + "<function=convert>\n<parameter=value>\n2.5\n</parameter>\n"
            "<parameter=from_unit>\nkm\n</parameter>\n</function>" + CLOSE
            + OPEN + '{"name": "calculate", "arguments": "{\\"expression\\": \\"2\\"}"}')
    content, calls, errors = parse_tool_calls(text)
    assert content == "a" and errors == []
    assert [c["function"]["name"] for c in calls] == ["calculate", "convert", "calculate"]
    assert json.loads(calls[1]["function"]["arguments"]) == {"value": 2.5, "from_unit": "km"}
    assert call_arguments(calls[2]) == {"expression": "2"}
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH  # the limit itself is allowed
    assert loads_bounded(nested) is not None
    assert loads_bounded('"[[[[{{{"') == "[[[[{{{"  # brackets inside strings do not count


@pytest.mark.parametrize("text,msg", [
    ("[" * (MAX_JSON_DEPTH + 1), "nested deeper"), ("1" * (MAX_CALL_CHARS + 1), "longer than"),
    ('{"a": 1, "a": 2}', "duplicate key"), ("Infinity", "not JSON"), ("1e400", "out of range"),
    ("9" * 5000, "ValueError"), ('"\\udc00"', "UnicodeEncodeError"), ("{", "Expecting"),
])
def test_loads_bounded_rejects(text, msg):
    with pytest.raises(ToolCallError, match=msg):
        loads_bounded(text)


# ------------------------------------------------------------------ tool argument validation
@pytest.mark.parametrize("arguments,msg", [
    ({"expression": {"a": [[[[1]]]]}}, "bad argument 'expression'"),
    ('{"expression": ' + "[" * 500 + "]" * 500 + "}", "nested deeper"),
    ({"expression": 12}, "valid string"),
    ({"expression": None}, "valid string"),
    ({}, "bad argument 'expression'.*Field required"),
    ("[1, 2]", "must be a JSON object"),
    ('{"expression": "' + "1" * MAX_CALL_CHARS + '"}', "longer than"),
    ("not json", "not valid JSON"),
    (12, "not valid JSON"),
])
def test_calculate_arguments_are_validated(env, task, arguments, msg):
    ep = env.reset(task)
    call = make_call("calculate", "{}")
    call["function"]["arguments"] = arguments
    with pytest.raises(ToolCallError, match=msg):
        run_tool(env._tool_specs, env, ep, call)


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e999", [1.0], {"v": 1}])
def test_non_finite_or_wrong_type_numbers_are_refused(env, task, value):
    ep = env.reset(task)
    call = make_call("convert", {"value": value, "from_unit": "m", "to_unit": "cm"})
    with pytest.raises(ToolCallError, match="bad argument 'value'"):
        run_tool(env._tool_specs, env, ep, call)


@pytest.mark.parametrize("call", [
    {}, {"function": None}, {"function": "calculate"}, {"function": {"name": 5}},
    {"function": {"name": "calculate", "arguments": ["x"]}}, "calculate", None,
    {"function": {"name": "x" * 100_000}},
])
def test_malformed_call_objects_are_tool_errors(env, task, call):
    with pytest.raises(ToolCallError):
        run_tool(env._tool_specs, env, env.reset(task), call)


def test_deep_decoded_arguments_from_a_server_are_refused(env, task):
    deep: dict = {}
    node = deep
    for _ in range(5000):  # a backend that already decoded 5,000-deep JSON
        node["a"] = {}
        node = node["a"]
    call = make_call("calculate", "{}")
    call["function"]["arguments"] = {"expression": deep}
    with pytest.raises(ToolCallError):
        run_tool(env._tool_specs, env, env.reset(task), call)
    msg = {"role": "assistant", "content": "", "tool_calls": [call]}
    _, score = play(env, task, [msg])
    assert score.status in OK_STATUSES


@pytest.mark.parametrize("env_name", ["tool_calc", "maze", "sokoban", "wordle"])
@pytest.mark.parametrize("content", [
    [{"type": "text", "text": "<think>x</think>" + OPEN + "[" * 1000}], [{"type": "image"}],
    12, {"text": "R"}, None, ["R R"],
])
def test_odd_content_types_never_raise(env_name, content):
    from gymkit.registry import make_env

    env = make_env(env_name)
    task = env.generate(1, seed=1)[0]
    msg = {"role": "assistant", "content": content}
    _, score = play(env, task, [msg, message_with_calls(content)])
    assert score.status in OK_STATUSES, score


def test_content_parts_are_read_as_text():
    from gymkit.chat import strip_thinking

    assert strip_thinking([{"type": "text", "text": "<think>a</think>"},
                           {"type": "text", "text": " b"}]) == "b"
    msg = message_with_calls([{"type": "text", "text": OPEN + '{"name": "calculate", '
                                                      '"arguments": {"expression": "1"}}'}])
    assert msg["tool_calls"][0]["function"]["name"] == "calculate"
