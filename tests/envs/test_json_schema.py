import json

import pytest

from gymkit.check import check_env
from gymkit.env import play
from gymkit.errors import GymkitError
from gymkit.envs.json_schema import JsonSchemaEnv
from gymkit.verifiers.structured import (extract_json_object, extract_whole_json,
                                         flatten_expected, json_equal, pin_errors)


@pytest.fixture(scope="module")
def env():
    return JsonSchemaEnv()


@pytest.fixture(scope="module")
def tasks(env):
    return env.generate(60, seed=11)


def _gold(task):
    return json.loads(task.gold_text.strip().removeprefix("```json").removesuffix("```"))


def _score(env, task, text):
    return play(env, task, [{"role": "assistant", "content": text}])[1]


def test_check_env(env):
    assert check_env(env) == []


def test_every_gold_scores_one(env, tasks):
    for t in tasks:
        s = _score(env, t, t.gold_text)
        assert (s.reward, s.status) == (1.0, "correct"), (t.id, s)


def test_gold_tolerates_other_layouts(env, tasks):
    t = tasks[4]
    value = _gold(t)
    for text in (json.dumps(value), f"Here you go:\n{json.dumps(value, indent=4)}\nDone.",
                 f"```\n{json.dumps(value)}\n```", f"<think>draft</think>```json\n{json.dumps(value)}```"):
        assert _score(env, t, text).reward == 1.0, text


def _mutate(value, pointer, schema):
    """Change the leaf at `pointer` to another value that the schema still allows."""
    parts = pointer.strip("/").split("/")
    node, sub = value, schema
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    for p in parts:
        sub = sub["items"] if p.isdigit() else sub["properties"][p]
    key = int(parts[-1]) if isinstance(node, list) else parts[-1]
    old = node[key]
    if "enum" in sub:
        node[key] = next(e for e in sub["enum"] if e != old and not (isinstance(node, list) and e in node))
    elif isinstance(old, bool):
        node[key] = not old
    elif isinstance(old, (int, float)):
        node[key] = sub["minimum"] if old != sub["minimum"] else sub["maximum"]
    else:
        return False
    return True


def test_schema_valid_but_wrong_pinned_value(env, tasks):
    checked = 0
    for t in tasks:
        for ptr in [k for k in t.data["pins"] if not k.endswith("#len")]:
            value = _gold(t)
            if not _mutate(value, ptr, t.data["schema"]):
                continue
            s = _score(env, t, json.dumps(value))
            assert s.components["schema"] == 1.0, s.info
            assert (s.reward, s.status) == (0.0, "wrong") and s.components["pins"] < 1.0
            checked += 1
    assert checked > 20


def test_wrong_array_length_fails(env, tasks):
    t = next(t for t in tasks if any(k.endswith("#len") for k in t.data["pins"]))
    value = _gold(t)
    ptr = next(k for k in t.data["pins"] if k.endswith("#len"))[:-4]
    node = value
    for p in ptr.strip("/").split("/"):
        node = node[p]
    node.append(node[-1])  # one extra item: may still be schema-valid, but not what was asked
    assert _score(env, t, json.dumps(value)).reward == 0.0


def test_extra_field_and_missing_required_fail(env, tasks):
    t = tasks[0]
    value = _gold(t)
    assert _score(env, t, json.dumps({**value, "sneaky": 1})).reward == 0.0
    required = t.data["schema"]["required"]
    del value[required[0]]
    s = _score(env, t, json.dumps(value))
    assert s.reward == 0.0 and s.components["schema"] == 0.0


def test_two_conflicting_objects_is_a_hedge(env, tasks):
    t = tasks[1]
    value = _gold(t)
    other = dict(value)
    other["__x"] = 1
    s = _score(env, t, f"```json\n{json.dumps(value)}\n```\nor maybe {json.dumps(other)}")
    assert s.reward == 0.0 and "hedge" in s.info["reason"]
    # the same object written twice is not a hedge
    assert _score(env, t, f"{json.dumps(value)}\n```json\n{json.dumps(value)}\n```").reward == 1.0


@pytest.mark.parametrize("text", ["", "null", "[1, 2]", "{not json}", "```json\n{'a': 1}\n```",
                                  '{"a": NaN}', "\x00\x01{", "{" * 50_000])
def test_garbage_is_wrong_never_raises(env, tasks, text):
    s = _score(env, tasks[0], text)
    assert s.reward == 0.0 and s.status == "wrong"


def test_extraction_helpers():
    assert extract_json_object('text {"a": {"b": 1}} more').value == {"a": {"b": 1}}
    assert not extract_json_object('{"a": 1} {"a": 2}').ok
    assert extract_whole_json('```json\n[1]\n```').value == [1]
    assert not extract_whole_json('see: {"a": 1}').ok
    assert json_equal(3, 3.0) and not json_equal(True, 1) and not json_equal("3", 3)
    # pins are copied, not computed: exact, no tolerance
    assert json_equal(414.91, 414.910) and not json_equal(414.91, 414.9100001)
    assert not json_equal(1e-13, 0)
    # a lone surrogate (escaped or raw) is not Unicode text; a valid escaped pair is
    assert not extract_json_object('{"t": "a\\ud800b"}').ok
    assert not extract_json_object('x {"t": "a\ud800b"} y').ok
    assert not extract_json_object('{"\\udc00": 1}').ok
    assert extract_json_object('{"t": "\\ud83d\\ude00"}').value == {"t": "\U0001F600"}
    assert flatten_expected({"a": [{"b": 1}], "c": "x"}) == {"/a#len": 1, "/a/0/b": 1, "/c": "x"}
    assert pin_errors({"a": [1, 2]}, {"/a#len": 1}) == ["/a must have exactly 1 items"]


def test_seeded_determinism(env):
    assert env.generate(5, seed=3) == env.generate(5, seed=3)
    assert env.generate(5, seed=3) != env.generate(5, seed=4)


def test_difficulty_controls_nesting(env):
    flat = env.generate(10, seed=0, difficulty=1)
    deep = env.generate(10, seed=0, difficulty=3)
    has_nested = [any(p.get("type") == "object" or p.get("items", {}).get("type") == "object"
                      for p in t.data["schema"]["properties"].values()) for t in flat]
    assert not any(has_nested)
    assert any("/" in k.strip("/") for t in deep for k in t.data["pins"])


def test_loader_standard_rows(env, tmp_path):
    schema = {"type": "object", "properties": {"name": {"type": "string"},
                                               "age": {"type": "integer", "minimum": 0}},
              "required": ["name", "age"]}
    rows = [{"prompt": "Describe Ada, aged 36.", "schema": schema, "expected": {"name": "Ada", "age": 36}},
            {"prompt": [{"role": "user", "content": "Any person."}], "schema": json.dumps(schema)},
            {"prompt": "x", "schema": schema, "expected": {"/age": 5},
             "completion": '```json\n{"name": "B", "age": 5}\n```'}]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    a, b, c = env.load(path)
    assert "JSON Schema" in a.prompt[0]["content"] and a.gold is not None
    assert _score(env, a, '{"name": "Ada", "age": 36}').reward == 1.0
    assert _score(env, a, '{"name": "Ada", "age": 37}').reward == 0.0
    assert _score(env, b, '{"name": "Zed", "age": 1}').reward == 1.0
    assert _score(env, b, '{"name": "Zed", "age": -1}').reward == 0.0
    assert c.gold is not None and _score(env, c, c.gold_text).reward == 1.0


def test_loader_rejects_bad_schema(env, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"prompt": "p", "schema": {"type": "nonsense"}}))
    with pytest.raises(GymkitError, match="row 0: invalid JSON Schema"):
        env.load(path)


def test_repeated_keys_and_deep_nesting_are_rejected_quickly():
    assert "duplicate key 'a'" in extract_json_object('{"a": 1, "a": 2}').error
    assert "duplicate key 'b'" in extract_json_object('x {"a": {"b": 1, "b": 1}} y').error
    assert not extract_whole_json('{"a": 1, "a": 1}').ok
    deep = '{"a": ' + "[" * 10_000 + "1" + "]" * 10_000 + "}"
    assert "more than 64" in extract_json_object(deep).error
    assert not extract_whole_json(deep).ok
    # brackets inside strings are not nesting
    assert extract_json_object('{"a": "[[[[{{{{"}').value == {"a": "[[[[{{{{"}
