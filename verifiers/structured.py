"""Structured output: JSON found in model text, JSON-schema validation, pinned values.

Extraction policy (shared by `json_schema`, `ifeval`'s JSON constraint and `logic`'s zebra):
every JSON object in the response is found (fenced blocks, the whole text, or objects inline
in prose); identical copies count once, and two *different* objects are a hedge and extract
nothing. A response that writes two candidate answers must not be paid for either.

Three more rules close hacks on the parser itself: an object that repeats a key (`{"a": 1,
"a": 2}`: Python keeps the last, other parsers the first) is rejected, so is a string holding
a lone surrogate (`"\\ud800"`: not Unicode text, RFC 8259 8.2; it breaks UTF-8 export), and so
is a response nested deeper than `MAX_DEPTH` (checked by a linear pre-scan, so 10,000 `[` are
`wrong` at once instead of a RecursionError or a quadratic rescan).

Pinned values compare exactly (`json_equal`): two numbers are equal when they are the same
number once parsed (3 == 3.0 == 3e0), never within a tolerance, since a pin is copied, not computed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import jsonschema

# Fences: ```json ... ``` or ``` ... ``` (any info string); the body is taken verbatim.
_FENCE = re.compile(r"```[^\n`]*\n(.*?)```", re.S)
MAX_JSON_CHARS = 100_000  # past this, scanning for inline objects is not worth the time
MAX_DEPTH = 64  # real answers nest a handful of levels; deeper is a flood, not an answer
# a JSON string (possessive, so an unterminated one fails in linear time) or a bracket
_DEPTH_TOKENS = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|[\[\]{}]')


class RejectedJSON(ValueError):
    """JSON that parses but must not be read: a repeated key (which value counts is parser-
    dependent) or nesting past `MAX_DEPTH`."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting in `text`, brackets inside JSON strings excluded. Linear."""
    depth = deepest = 0
    for m in _DEPTH_TOKENS.finditer(text):
        tok = m.group(0)
        if tok in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise RejectedJSON(f"duplicate key {key[:40]!r} in a JSON object")
        obj[key] = value
    return obj


_SURROGATE = re.compile("[\ud800-\udfff]")  # json joins valid pairs, so any left is lone


def _no_lone_surrogates(value: Any) -> Any:
    """`value`, or RejectedJSON when a key or string in it holds a lone surrogate."""
    stack = [value]
    while stack:  # iterative: depth is bounded by _guard, but keep it flat anyway
        node = stack.pop()
        if isinstance(node, str):
            if _SURROGATE.search(node):
                raise RejectedJSON("a string holds a lone surrogate (not Unicode text)")
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return value


def _guard(text: str) -> None:
    """Raise RejectedJSON for a text nested past MAX_DEPTH (before any recursive parse)."""
    if (depth := nesting_depth(text)) > MAX_DEPTH:
        raise RejectedJSON(f"nested {depth} levels deep (more than {MAX_DEPTH})")


def strict_loads(text: str) -> Any:
    """One JSON value under this module's rules (no repeated keys, no NaN/Infinity, at most
    MAX_DEPTH deep). Raises ValueError (RejectedJSON or JSONDecodeError), never RecursionError."""
    _guard(text)
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RecursionError:  # unreachable after the guard; kept so no parse can crash a caller
        raise RejectedJSON("JSON nested too deeply") from None
    return _no_lone_surrogates(value)


@dataclass
class Extraction:
    """The one JSON value a response holds, or why there is none."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _loads(text: str) -> tuple[bool, Any]:
    """(parsed, value); RejectedJSON (a repeated key) propagates: it must not be skipped."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except RejectedJSON:
        raise
    except (ValueError, RecursionError):
        return False, None
    return True, _no_lone_surrogates(value)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity are Python extensions, not JSON


def _inline_values(text: str, openers: str) -> list[Any]:
    """Top-level JSON values starting with one of `openers`, left to right, skipping nested."""
    decoder = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    # Only plausible starts: an object opens with a key or closes at once, and the arrays
    # worth keeping hold objects. This keeps `{{{{...` floods from costing a decode each.
    starts = [r'\{\s*["}]'] + ([r"\[\s*\{"] if "[" in openers else [])
    pattern = re.compile("|".join(starts))
    found, m = [], pattern.search(text)
    while m:
        try:
            value, end = decoder.raw_decode(text, m.start())
        except RejectedJSON:
            raise
        except (ValueError, RecursionError):
            m = pattern.search(text, m.start() + 1)
            continue
        found.append(_no_lone_surrogates(value))
        m = pattern.search(text, end)
    return found


def find_json_values(text: str, objects_only: bool = True) -> list[Any]:
    """Every distinct JSON object (or array of objects) in `text`, in order (module docstring).
    Raises RejectedJSON for a repeated key or nesting past MAX_DEPTH."""
    _guard(text)
    candidates: list[Any] = []
    whole_ok, whole = _loads(text.strip())
    if whole_ok:
        candidates.append(whole)
    else:
        for body in _FENCE.findall(text):
            ok, value = _loads(body.strip())
            if ok:
                candidates.append(value)
        # Objects outside the fences count too: prose holding a second answer is a hedge.
        outside = _FENCE.sub(" ", text)
        candidates.extend(_inline_values(outside, "{" if objects_only else "{["))
    # Arrays count only as lists of objects, so a stray `[1, 2]` in prose is not a hedge.
    candidates = [c for c in candidates if isinstance(c, dict) or (
        not objects_only and isinstance(c, list) and c and all(isinstance(x, dict) for x in c))]
    distinct: dict[str, Any] = {}
    for c in candidates:
        distinct.setdefault(_canonical(c), c)
    return list(distinct.values())


def extract_json_object(text: str, allow_arrays: bool = False) -> Extraction:
    """The single JSON object (or array) a response holds; an error when none or several."""
    if not text or not text.strip():
        return Extraction(error="empty response")
    if len(text) > MAX_JSON_CHARS:
        return Extraction(error=f"response longer than {MAX_JSON_CHARS} characters")
    try:
        values = find_json_values(text, objects_only=not allow_arrays)
    except RejectedJSON as e:
        return Extraction(error=str(e))
    if not values:
        return Extraction(error="no JSON object found")
    if len(values) > 1:
        return Extraction(error=f"hedge: {len(values)} different JSON objects in the response")
    return Extraction(value=values[0])


def extract_whole_json(text: str) -> Extraction:
    """The response as one JSON value, optionally inside a single fenced block (IFEval rule)."""
    body = text.strip()
    if len(body) > MAX_JSON_CHARS:
        return Extraction(error=f"response longer than {MAX_JSON_CHARS} characters")
    fences = _FENCE.findall(body)
    if len(fences) == 1 and _FENCE.sub("", body).strip() == "":
        body = fences[0].strip()
    try:
        _guard(body)
        ok, value = _loads(body)
    except RejectedJSON as e:
        return Extraction(error=str(e))
    if not ok:
        return Extraction(error="the response is not a single JSON value")
    return Extraction(value=value)


# ---------------------------------------------------------------------------- schema + pins
def check_schema(schema: Any) -> str | None:
    """None when `schema` is a valid JSON Schema (2020-12), else a one-line reason."""
    if not isinstance(schema, dict):
        return f"schema must be a JSON object, got {type(schema).__name__}"
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as e:
        return f"invalid JSON Schema: {e.message}"
    return None


def schema_errors(instance: Any, schema: dict, limit: int = 5) -> list[str]:
    """Human-readable validation errors (empty when valid); formats such as date are checked."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    return [f"{_pointer(e.absolute_path) or '/'}: {e.message}" for e in errors[:limit]]


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def resolve_pointer(doc: Any, pointer: str) -> tuple[bool, Any]:
    """(found, value) at an RFC 6901 JSON pointer."""
    if pointer == "":
        return True, doc
    node = doc
    for raw in pointer.lstrip("/").split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False, None
    return True, node


def json_equal(a: Any, b: Any) -> bool:
    """Exact JSON equality: 3 == 3.0, but 414.91 != 414.9100001, true != 1 and "3" != 3;
    objects compare key by key. Numbers are equal when they parse to the same value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b  # Python compares int with float exactly; no tolerance (module docstring)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def flatten_expected(expected: Any, prefix: str = "") -> dict[str, Any]:
    """Pins (pointer -> leaf) from a partial expected object; lists pin their length too."""
    if isinstance(expected, dict) and expected:
        out: dict[str, Any] = {}
        for k, v in expected.items():
            out.update(flatten_expected(v, f"{prefix}/{_pointer([k])[1:]}"))
        return out
    if isinstance(expected, list) and expected:
        out = {f"{prefix}#len": len(expected)}
        for i, v in enumerate(expected):
            out.update(flatten_expected(v, f"{prefix}/{i}"))
        return out
    return {prefix: expected}


def pin_errors(instance: Any, pins: dict[str, Any]) -> list[str]:
    """Pins the instance misses. A key `"/a/b"` pins a value, `"/a#len"` an array's length."""
    errors = []
    for key, want in pins.items():
        pointer, is_len = (key[:-4], True) if key.endswith("#len") else (key, False)
        found, got = resolve_pointer(instance, pointer)
        if is_len:
            if not (found and isinstance(got, list) and len(got) == want):
                errors.append(f"{pointer or '/'} must have exactly {want} items")
        elif not found:
            errors.append(f"{pointer} is missing (expected {json.dumps(want)})")
        elif not json_equal(got, want):
            errors.append(f"{pointer} is {json.dumps(got)[:60]}, expected {json.dumps(want)}")
    return errors
