"""`json_schema`: write one JSON object that validates against a schema and holds pinned values."""
from __future__ import annotations

import hashlib
import json
import random
from typing import Any

from gymkit.env import BaseEnv
from gymkit.errors import GymkitError
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.structured import (check_schema, extract_json_object, flatten_expected,
                                         pin_errors, schema_errors)

from .schemas import ROOTS, SchemaBuilder, dotted, leaves

# difficulty -> (nesting depth, optional-field rate, number of pinned values)
LEVELS = {1: (0, 0.0, 2), 2: (1, 0.2, 3), 3: (2, 0.3, 5)}
FORMAT = ("Reply with exactly one JSON object, in a ```json fenced block. Do not add fields "
          "the schema does not allow.")


def _fenced(value: Any) -> str:
    return "```json\n" + json.dumps(value, indent=2, ensure_ascii=False) + "\n```"


def _request(root: str, schema: dict, pins: dict[str, Any]) -> str:
    lines = []
    for key, want in pins.items():
        if key.endswith("#len"):
            lines.append(f"- `{dotted(key[:-4])}` has exactly {want} entries")
        else:
            lines.append(f"- `{dotted(key)}` = {json.dumps(want, ensure_ascii=False)}")
    return (f"Create a {root.replace('_', ' ')} record as JSON. It must validate against this "
            f"JSON Schema:\n{_fenced(schema)}\n\nUse exactly these values:\n" + "\n".join(lines)
            + "\n\nFill every other required field with any value the schema allows. " + FORMAT)


@register_env
class JsonSchemaEnv(BaseEnv):
    """Structured output: schema validity (jsonschema, 2020-12) plus requested values."""

    name = "json_schema"
    family = "instruction"
    verifier = "one JSON object (hedges rejected), jsonschema 2020-12 validation + pinned values"
    difficulties = (1, 2, 3)

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        depth, optional_rate, n_pins = LEVELS[difficulty]
        root = rng.choice(ROOTS)
        schema, gold = SchemaBuilder(rng, depth, optional_rate).object(root, 0)
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": root,
                  **schema}
        chosen = sorted(rng.sample(leaves(gold), min(n_pins, len(leaves(gold)))))
        pins: dict[str, Any] = {}
        for pointer, value in chosen:
            parts = pointer.strip("/").split("/")
            for i, part in enumerate(parts):  # a pin inside an array fixes that array's length
                if part.isdigit():
                    array = "/" + "/".join(parts[:i])
                    pins[array + "#len"] = len(_at(gold, parts[:i]))
            pins[pointer] = value
        digest = hashlib.sha1(json.dumps([schema, pins]).encode()).hexdigest()[:8]
        return Task(id=f"json_schema-d{difficulty}-{index}-{digest}", env=self.name,
                    prompt=[{"role": "user", "content": _request(root, schema, pins)}],
                    data={"schema": schema, "pins": pins},
                    gold=[{"role": "assistant", "content": _fenced(gold)}])

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        """Rows `{prompt, schema, expected?}`; `expected` is a (partial) object whose every leaf
        is required, or a `{"/json/pointer": value}` map; `completion` is a full reference."""
        if "schema" not in row or "prompt" not in row:
            return super().task_from_row(row, index)
        schema = _json_field(row["schema"], "schema", index)
        reference: Any = None
        if (problem := check_schema(schema)) is not None:
            raise GymkitError(f"row {index}: {problem}")
        expected = _json_field(row.get("expected"), "expected", index)
        if pins_are_pointers(expected):
            pins = dict(expected)
        else:
            pins = flatten_expected(expected) if expected not in (None, {}, []) else {}
            reference = expected
        completion = row.get("completion")
        if isinstance(completion, str):  # a reference answer as text, possibly fenced
            reference = extract_json_object(completion).value
        elif completion is not None:
            reference = completion
        gold = None
        if reference is not None and not schema_errors(reference, schema) and not pin_errors(
                reference, pins):
            gold = [{"role": "assistant", "content": _fenced(reference)}]
        prompt = row["prompt"]
        if isinstance(prompt, str):
            prompt = [{"role": "user", "content": f"{prompt}\n\nThe answer must validate against "
                                                  f"this JSON Schema:\n{_fenced(schema)}\n\n{FORMAT}"}]
        return Task(id=str(row.get("id", f"json_schema-row-{index}")), env=self.name,
                    prompt=prompt, data={"schema": schema, "pins": pins}, gold=gold)

    def score(self, task: Task, response: str) -> Score:
        got = extract_json_object(response)
        if not got.ok:
            return Score.wrong(got.error or "no JSON")
        schema_problems = schema_errors(got.value, task.data["schema"])
        pins = task.data.get("pins", {})
        pin_problems = pin_errors(got.value, pins)
        components = {"schema": float(not schema_problems),
                      "pins": 1.0 - len(pin_problems) / len(pins) if pins else 1.0}
        if schema_problems or pin_problems:
            reason = "schema violation" if schema_problems else "requested values not met"
            return Score(reward=0.0, status="wrong", components=components,
                         info={"reason": reason, "errors": schema_problems + pin_problems})
        return Score(reward=1.0, status="correct", components=components)


def pins_are_pointers(expected: Any) -> bool:
    return isinstance(expected, dict) and bool(expected) and all(
        isinstance(k, str) and k.startswith("/") for k in expected)


def _at(value: Any, parts: list[str]) -> Any:
    for p in parts:
        value = value[int(p)] if isinstance(value, list) else value[p]
    return value


def _json_field(value: Any, field: str, index: int) -> Any:
    """Datasets often store schemas and answers as JSON strings; accept both."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as e:
        raise GymkitError(f"row {index}: field {field!r} is a string but not JSON ({e.msg})") from None
