import random

import pytest

from gymkit import BaseEnv, Score, Task, tool
from gymkit.chat import strip_thinking
from gymkit.check import check_env
from gymkit.env import play
from gymkit.errors import GymkitError
from gymkit.registry import get_env_class, register_env
from gymkit.tools import make_call, parse_tool_calls


class Echo(BaseEnv):
    """A test env: repeat the secret word."""

    name = "test_echo"

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        word = "".join(rng.choice("abcdef") for _ in range(4 + difficulty))
        return Task(id=f"echo-{index}-{word}", env=self.name,
                    prompt=[{"role": "user", "content": f"Say {word}"}], data={"word": word},
                    gold=[{"role": "assistant", "content": word}])

    def score(self, task: Task, response: str) -> Score:
        if response.strip() == task.data["word"]:
            return Score.correct()
        return Score.wrong("mismatch")


class Counter(BaseEnv):
    name = "test_counter"
    max_turns = 4

    @tool
    def add(self, ep, amount: int) -> str:
        """Add to the counter."""
        ep.state["n"] = ep.state.get("n", 0) + amount
        return str(ep.state["n"])

    def generate_task(self, rng, difficulty, index):
        target = rng.randint(1, 9)
        call = {"id": "c1", "type": "function",
                "function": {"name": "add", "arguments": f'{{"amount": {target}}}'}}
        return Task(id=f"ctr-{index}", env=self.name, data={"target": target},
                    prompt=[{"role": "user", "content": f"Reach {target}"}],
                    gold=[{"role": "assistant", "content": "", "tool_calls": [call]},
                          {"role": "assistant", "content": "done"}])

    def score_episode(self, episode, response):
        ok = episode.state.get("n") == episode.task.data["target"]
        return Score.correct() if ok else Score.wrong("counter off target")


def test_single_turn_env_passes_check():
    assert check_env(Echo()) == []


def test_tool_env_passes_check_and_schema_is_derived():
    env = Counter()
    assert check_env(env) == []
    (schema,) = env.tool_schemas()
    assert schema["function"]["name"] == "add"
    assert schema["function"]["parameters"]["properties"]["amount"]["type"] == "integer"
    assert schema["function"]["parameters"]["required"] == ["amount"]


def test_bad_tool_args_come_back_as_observation():
    env = Counter()
    task = env.generate(1)[0]
    bad = {"role": "assistant", "content": "", "tool_calls": [
        {"id": "x", "type": "function", "function": {"name": "add", "arguments": '{"amount": "many"}'}}]}
    msgs, score = play(env, task, [bad, {"role": "assistant", "content": "done"}])
    assert "error: bad argument 'amount'" in msgs[2]["content"]
    assert score.status == "wrong"


def test_check_env_catches_a_broken_env():
    class Lenient(Echo):
        name = "test_lenient"

        def score(self, task, response):
            return Score.correct()  # rewards anything: a farmable false positive

    problems = check_env(Lenient())
    assert any("garbage response" in p for p in problems)


def test_env_crash_is_error_not_zero():
    class Crashy(Echo):
        name = "test_crashy"

        def score(self, task, response):
            raise RuntimeError("boom")

    env = Crashy()
    _, score = play(env, env.generate(1)[0], [{"role": "assistant", "content": "x"}])
    assert score.status == "error" and "boom" in score.error


@pytest.mark.parametrize("text,expected", [
    ("<think>2+2=5</think>\n4", "4"),
    ("<think>no end", None),
    ("plain", "plain"),
    ("<think>a</think>b<think>c</think> d", "d"),
])
def test_strip_thinking(text, expected):
    assert strip_thinking(text) == expected


def test_parse_tool_calls_json_xml_and_malformed():
    content, calls, errors = parse_tool_calls(
        'hi <tool_call>{"name": "f", "arguments": {"x": 1}}</tool_call>'
        '<tool_call><function=g>\n<parameter=y>\n2\n</parameter>\n</function></tool_call>'
        '<tool_call>{not json}</tool_call>')
    assert content == "hi"
    assert [c["function"]["name"] for c in calls] == ["f", "g"]
    assert calls[1]["function"]["arguments"] == '{"y": 2}'
    assert len(errors) == 1


def test_unknown_env_error_lists_choices():
    register_env(Echo)
    with pytest.raises(GymkitError, match="unknown env 'nope'; choose one of: .*test_echo"):
        get_env_class("nope")


def test_generation_is_seeded():
    env = Echo()
    assert env.generate(3, seed=5) == env.generate(3, seed=5)
    assert env.generate(3, seed=5) != env.generate(3, seed=6)
    with pytest.raises(GymkitError, match="no difficulty 9"):
        env.generate(1, difficulty=9)


def test_tool_calls_inside_thinking_are_not_actions():
    from gymkit.tools import message_with_calls

    call = '<tool_call>{"name": "add", "arguments": {"amount": 1}}</tool_call>'
    assert "tool_calls" not in message_with_calls(f"<think>maybe {call}</think>no call")
    assert "tool_calls" not in message_with_calls(f"<think>unfinished {call}")
    msg = message_with_calls(f"<think>plan</think>{call}")
    assert msg["tool_calls"][0]["function"]["name"] == "add"
    assert msg["content"].startswith("<think>plan</think>")


PRICES = {"apple": 0.5, "pear": 0.75}


class Shop(BaseEnv):
    """docs/writing-an-env.md's tool example, verbatim: `PRICES[item]` raises on a typo."""

    name = "test_shop"
    max_turns = 8

    @tool
    def price(self, episode, item: str) -> float:
        """Look up the price of an item."""
        return PRICES[item]

    def generate_task(self, rng, difficulty, index):
        item = rng.choice(sorted(PRICES))
        return Task(id=f"shop-{index}", env=self.name, data={"item": item},
                    prompt=[{"role": "user", "content": f"What does one {item} cost?"}],
                    gold=[{"role": "assistant", "content": "",
                           "tool_calls": [make_call("price", {"item": item})]},
                          {"role": "assistant", "content": str(PRICES[item])}])

    def score(self, task, response):
        ok = response.strip() == str(PRICES[task.data["item"]])
        return Score.correct() if ok else Score.wrong("wrong price")


def _calls(*calls):
    return {"role": "assistant", "content": "", "tool_calls": list(calls)}


def test_tool_exception_comes_back_as_observation_and_the_episode_goes_on():
    env = Shop()
    task = env.generate(1)[0]
    item = task.data["item"]
    msgs, score = play(env, task, [_calls(make_call("price", {"item": item[:-1]})),
                                   _calls(make_call("price", {"item": item})),
                                   {"role": "assistant", "content": str(PRICES[item])}])
    assert msgs[2]["role"] == "tool"
    assert msgs[2]["content"] == f"error: price raised KeyError: {item[:-1]!r}"
    assert msgs[4]["content"] == str(PRICES[item])  # the retry worked
    assert score.status == "correct" and score.reward == 1.0


def test_infrastructure_errors_from_tools_still_end_the_episode():
    from gymkit.sandbox import SandboxError

    class Broken(Shop):
        name = "test_shop_broken"
        tool_infra_errors = (ConnectionError,)

        @tool
        def price(self, episode, item: str) -> float:
            """Look up the price of an item."""
            raise {"dead": SandboxError, "net": ConnectionError}.get(item, OSError)(item)

    env = Broken()
    task = env.generate(1)[0]
    for item, exc in (("dead", SandboxError), ("net", ConnectionError)):
        with pytest.raises(exc):
            play(env, task, [_calls(make_call("price", {"item": item}))])
    msgs, _ = play(env, task, [_calls(make_call("price", {"item": "disk"}))])
    assert msgs[2]["content"] == "error: price raised OSError: disk"  # not listed: observed


def test_make_call_ids_are_deterministic_so_gold_passes_check_env():
    assert make_call("f", {"x": 1}) == make_call("f", {"x": 1})
    assert make_call("f", {"x": 1})["id"] != make_call("f", {"x": 2})["id"]
    assert make_call("f", {"x": 1}, "c7")["id"] == "c7"
    env = Shop()
    assert env.generate(2, seed=3) == env.generate(2, seed=3)
    assert check_env(env) == []


def test_identical_parsed_calls_get_distinct_ids():
    from gymkit.tools import message_with_calls

    call = '<tool_call>{"name": "price", "arguments": {"item": "apple"}}</tool_call>'
    ids = [c["id"] for c in message_with_calls(call * 3)["tool_calls"]]
    assert len(set(ids)) == 3 and ids == [c["id"] for c in message_with_calls(call * 3)["tool_calls"]]
