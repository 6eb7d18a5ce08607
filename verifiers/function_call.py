"""BFCL-style AST check of function calls against JSON schemas and acceptable values.

The gold is a list of expected calls in BFCL's form, `{name: {param: [acceptable values]}}`;
an empty list means the model must not call anything (irrelevance). A call passes when:
- its function exists and is the expected one;
- every required parameter is there, and no parameter is unknown to the schema or the gold;
- every value has the schema's type (an int is accepted for a number, as BFCL does; a float
  or a bool is not an integer; a string is never a number);
- every value is one of the acceptable ones (strings compared case- and punctuation-
  insensitively, numbers by value, lists item by item, dicts key by key);
- a parameter the call leaves out is one whose acceptable values include `""` (optional).
Parallel calls are matched to the gold in any order by a bipartite matching; an extra or a
missing call fails. Arguments are read with the shared strict JSON rules
(`verifiers.structured.strict_loads`): a repeated key (`{"unit": "C", "unit": "F"}`), NaN,
or nesting past its depth limit is a wrong call with a reason, never a crash.
"""
from __future__ import annotations

import json
import re
from typing import Any

from gymkit.verifiers.structured import strict_loads

_PUNCT = re.compile(r"[\s,./\-_*^'\"]")
# BFCL writes Python-flavoured types; JSON Schema (and OpenAI tools) spell them these ways.
_BFCL_TYPES = {"dict": "object", "float": "number", "tuple": "array", "int": "integer",
               "bool": "boolean", "str": "string", "list": "array"}
_PY_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict, "null": type(None)}


def function_key(name: str) -> str:
    """Function names compare with '.' read as '_' (OpenAI names cannot hold dots)."""
    return name.replace(".", "_")


# ------------------------------------------------------------------ inputs in several shapes
def call_parts(call: dict) -> tuple[str, Any]:
    """(name, arguments) of an OpenAI tool call or a `{name, arguments}` dict; JSON decoded."""
    fn = call.get("function", call) if isinstance(call, dict) else {}
    fn = fn if isinstance(fn, dict) else {}
    args = fn.get("arguments", fn.get("parameters", {}))
    if not isinstance(args, str):  # decoded by a backend: held to the same rules as text
        try:
            args = json.dumps(args, allow_nan=False)
        except (TypeError, ValueError, RecursionError) as e:
            return str(fn.get("name", "")), ValueError(f"arguments are not JSON data ({e})")
    try:
        args = strict_loads(args or "{}")
    except ValueError as e:
        args = ValueError(f"arguments are not valid JSON ({getattr(e, 'msg', e)})")
    return str(fn.get("name", "")), args


def function_schemas(tools: list[dict]) -> dict[str, dict]:
    """`{key: function schema}` from OpenAI tools or bare BFCL function dicts."""
    out = {}
    for t in tools:
        fn = t.get("function", t)
        out[function_key(fn["name"])] = fn
    return out


def bfcl_schema(schema: Any) -> Any:
    """A BFCL parameter schema in JSON Schema terms (`dict` -> `object`, `float` -> `number`)."""
    if isinstance(schema, list):
        return [bfcl_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "type" and isinstance(v, str):
            if v == "any":
                continue  # no constraint
            out[k] = _BFCL_TYPES.get(v, v)
        elif k in ("properties", "$defs"):
            out[k] = {name: bfcl_schema(s) for name, s in v.items()}
        else:
            out[k] = bfcl_schema(v)
    return out


def bfcl_tool(fn: dict) -> dict:
    """A BFCL function description as an OpenAI tool schema."""
    params = bfcl_schema(fn.get("parameters") or {"type": "object", "properties": {}})
    params.setdefault("type", "object")
    return {"type": "function", "function": {"name": function_key(fn["name"]),
                                             "description": fn.get("description", ""),
                                             "parameters": params}}


# ------------------------------------------------------------------ types and values
def type_error(value: Any, schema: dict, where: str) -> str | None:
    """Why `value` does not fit `schema` (type, enum, items, properties), or None."""
    types = schema.get("type")
    types = [types] if isinstance(types, str) else (types or [])
    if types and not any(_has_type(value, t) for t in types):
        return f"{where}: expected {'/'.join(types)}, got {type(value).__name__} {value!r:.60}"
    if "enum" in schema and not any(_same(value, e) for e in schema["enum"]):
        return f"{where}: {value!r:.60} is not one of {schema['enum']}"
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            if err := type_error(item, schema["items"], f"{where}[{i}]"):
                return err
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        for key, item in value.items():
            sub = schema["properties"].get(key)
            if sub is None:
                if schema.get("additionalProperties", True) is False:
                    return f"{where}: unknown key {key!r}"
                continue
            if err := type_error(item, sub, f"{where}.{key}"):
                return err
    return None


def _has_type(value: Any, t: str) -> bool:
    t = _BFCL_TYPES.get(t, t)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":  # BFCL's leniency: an int is a fine float
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    py = _PY_TYPES.get(t)
    return py is None or isinstance(value, py)  # an unknown type name constrains nothing


def _norm(s: str) -> str:
    return _PUNCT.sub("", s).lower()


def _same(value: Any, gold: Any) -> bool:
    """One value equals one acceptable value (normalised strings, numbers by value)."""
    if isinstance(gold, bool) or isinstance(value, bool):
        return value is gold
    if isinstance(gold, (int, float)):
        return isinstance(value, (int, float)) and float(value) == float(gold)
    if isinstance(gold, str):
        return isinstance(value, str) and _norm(value) == _norm(gold)
    if isinstance(gold, list):
        return (isinstance(value, list) and len(value) == len(gold)
                and all(_same(v, g) for v, g in zip(value, gold)))
    if isinstance(gold, dict):  # BFCL nests acceptable lists inside dict values
        return isinstance(value, dict) and _params_error(value, gold, "dict") is None
    return value == gold


def _acceptable(value: Any, options: list) -> bool:
    return any(_same(value, g) for g in options if not (g == "" and value != ""))


def _params_error(args: dict, gold: dict, where: str) -> str | None:
    """Compare argument values with BFCL acceptable lists `{param: [values]}`."""
    for name, value in args.items():
        if name not in gold:
            return f"{where}: unexpected parameter {name!r}"
        options = gold[name] if isinstance(gold[name], list) else [gold[name]]
        if not _acceptable(value, options):
            return f"{where}: {name}={json.dumps(value)[:80]} is not an acceptable value"
    for name, options in gold.items():
        options = options if isinstance(options, list) else [options]
        if name not in args and "" not in options:
            return f"{where}: missing parameter {name!r}"
    return None


# ------------------------------------------------------------------ calls
def check_call(call: dict, schemas: dict[str, dict], expected: dict) -> str | None:
    """Why one model call fails one expected `{name: {param: [values]}}`, or None if it passes."""
    name, args = call_parts(call)
    key = function_key(name)
    if key not in schemas:
        return f"unknown function {name!r}; available: {', '.join(sorted(schemas))}"
    (gold_name, gold_params), = expected.items()
    if key != function_key(gold_name):
        return f"called {name!r}, expected {gold_name!r}"
    if isinstance(args, ValueError):
        return f"{name}: {args}"
    if not isinstance(args, dict):
        return f"{name}: arguments must be a JSON object"
    params = schemas[key].get("parameters") or {}
    props = params.get("properties") or {}
    for req in params.get("required") or []:
        if req not in args:
            return f"{name}: missing required parameter {req!r}"
    for arg, value in args.items():
        if arg not in props:
            return f"{name}: unknown parameter {arg!r}"
        if err := type_error(value, props[arg], f"{name}.{arg}"):
            return err
    return _params_error(args, gold_params, name)


def _match(ok: list[list[bool]]) -> list[int]:
    """Maximum bipartite matching by augmenting paths (Kuhn): gold j -> call index or -1.

    Hand-written: a handful of calls, and no matching library is a dependency here.
    """
    owner = [-1] * (len(ok[0]) if ok else 0)  # call i -> gold j

    def augment(j: int, seen: set[int]) -> bool:
        for i, fits in enumerate(ok[j]):
            if fits and i not in seen:
                seen.add(i)
                if owner[i] < 0 or augment(owner[i], seen):
                    owner[i] = j
                    return True
        return False

    for j in range(len(ok)):
        augment(j, set())
    gold_to_call = [-1] * len(ok)
    for i, j in enumerate(owner):
        if j >= 0:
            gold_to_call[j] = i
    return gold_to_call


def check_calls(calls: list[dict], tools: list[dict], expected: list[dict]) -> tuple[bool, str]:
    """(passed, reason) for the model's calls against the expected calls, in any order."""
    schemas = function_schemas(tools)
    if not expected:
        return (not calls), ("no call, as expected" if not calls
                             else f"expected no call (no function fits), got {len(calls)}")
    if len(calls) != len(expected):
        return False, f"expected {len(expected)} call(s), got {len(calls)}"
    errors = [[check_call(c, schemas, e) for c in calls] for e in expected]
    matched = _match([[err is None for err in row] for row in errors])
    for j, i in enumerate(matched):
        if i < 0:
            (gold_name, _), = expected[j].items()
            same = [err for c, err in zip(calls, errors[j])
                    if function_key(call_parts(c)[0]) == function_key(gold_name)]
            return False, (same[0] if same else f"no call to {gold_name!r}")
    return True, "all calls match"
