"""Tools as typed Python methods, their JSON schemas, and tool calls parsed from model text.

An env declares a tool by decorating a method with `@tool`. The first parameter after `self`
is the episode (per-episode state); the rest are the tool's arguments, whose JSON schema is
derived from the type hints, and whose values are validated before the method runs.
"""
from __future__ import annotations

import inspect
import json
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any, get_type_hints

from pydantic import ConfigDict, ValidationError, create_model

from .chat import as_text
from .types import Message

_TOOL_ATTR = "__gymkit_tool__"
MAX_ERROR_CHARS = 500  # a tool exception's message shown to the model
log = logging.getLogger(__name__)


def tool(fn: Callable | None = None, *, name: str | None = None) -> Any:
    """Mark an env method as a tool the model may call. Its docstring is the description."""

    def mark(f: Callable) -> Callable:
        setattr(f, _TOOL_ATTR, name or f.__name__)
        return f

    return mark(fn) if fn is not None else mark


class ToolSpec:
    """A tool's name, description, argument model and schema (OpenAI function format)."""

    def __init__(self, fn: Callable, name: str):
        self.fn, self.name = fn, name
        params = list(inspect.signature(fn).parameters.values())[2:]  # skip self, episode
        hints = get_type_hints(fn, include_extras=True)
        fields: dict[str, Any] = {}
        for p in params:
            ann = hints.get(p.name, Any)
            fields[p.name] = (ann, ... if p.default is inspect.Parameter.empty else p.default)
        # NaN and infinity are never a meaningful tool argument ("nan" would pass lax floats)
        self.args_model = create_model(f"{name}_args", __config__=ConfigDict(allow_inf_nan=False),
                                       **fields)
        doc = inspect.getdoc(fn) or ""
        self.description = doc.split("\n\n")[0].replace("\n", " ")
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        schema.setdefault("required", [])
        self.schema = {"type": "function", "function": {
            "name": name, "description": self.description, "parameters": schema}}

    def call(self, env: Any, episode: Any, arguments: dict[str, Any]) -> Any:
        args = self.args_model.model_validate(arguments)
        return self.fn(env, episode, **args.model_dump())


def collect_tools(cls: type) -> dict[str, ToolSpec]:
    """All `@tool` methods of an env class, by tool name."""
    specs: dict[str, ToolSpec] = {}
    for attr in dir(cls):
        fn = getattr(cls, attr, None)
        name = getattr(fn, _TOOL_ATTR, None)
        if name:
            specs[name] = ToolSpec(fn, name)
    return specs


class ToolCallError(ValueError):
    """A tool call the model wrote that cannot be run (bad JSON, unknown tool, bad args)."""


def make_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None) -> dict:
    """An OpenAI-format tool call.

    Without `call_id` the id is a hash of the name and arguments, so a gold solution built
    with it is the same on every `generate` (check-env's determinism check). Identical calls
    in one message share that id; `message_with_calls` numbers them apart, and hand-built
    messages can pass `call_id`.
    """
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    if call_id is None:
        digest = hashlib.sha256(f"{name}\0{args}".encode("utf-8", "surrogatepass")).hexdigest()
        call_id = f"call_{digest[:12]}"
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}


# ---------------------------------------------------------------- bounded, strict JSON
# Everything below reads text the policy wrote, so every failure is a ToolCallError (an
# observation for the model), never another exception: json's C decoder recurses, and 1,000
# `[` raise RecursionError; 5,000 digits raise ValueError; lone surrogates break encoders.
MAX_CALL_CHARS = 100_000  # one call's text (JSON block or arguments string)
MAX_JSON_DEPTH = 64  # far above any real tool signature, far below the recursion limit
MAX_CALLS = 32  # tool-call blocks read from one message; the rest become one error
_JSON_MARKS = re.compile(r'[][{}"\\]')


def _nesting_exceeds(text: str, limit: int) -> bool:
    """Whether brackets outside JSON strings nest deeper than `limit` (a linear pre-scan)."""
    depth, in_str, skip = 0, False, -1
    for m in _JSON_MARKS.finditer(text):
        ch, i = m.group(), m.start()
        if in_str:
            if i == skip:
                continue
            if ch == "\\":
                skip = i + 1
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ToolCallError(f"duplicate key {dup[:40]!r}")  # last-one-wins would hide a hedge
    return dict(pairs)


def _no_constant(name: str) -> Any:
    raise ToolCallError(f"{name} is not JSON")


def _finite(text: str) -> float:
    x = float(text)
    if x != x or x in (float("inf"), float("-inf")):
        raise ToolCallError(f"number {text[:40]} is out of range")
    return x


def loads_bounded(text: str) -> Any:
    """Decode JSON the model wrote, within size and depth limits, strictly.

    Rejects (with ToolCallError) text over MAX_CALL_CHARS, nesting over MAX_JSON_DEPTH,
    duplicate object keys, NaN/Infinity, out-of-range numbers and lone surrogates.
    """
    if not isinstance(text, str):
        raise ToolCallError(f"expected JSON text, got {type(text).__name__}")
    if len(text) > MAX_CALL_CHARS:
        raise ToolCallError(f"longer than {MAX_CALL_CHARS} characters")
    if _nesting_exceeds(text, MAX_JSON_DEPTH):
        raise ToolCallError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        obj = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant,
                         parse_float=_finite)
        json.dumps(obj, ensure_ascii=False).encode("utf-8")  # lone surrogates fail here
    except ToolCallError:
        raise
    except json.JSONDecodeError as e:
        raise ToolCallError(e.msg) from None
    except (ValueError, RecursionError, UnicodeError) as e:  # digit limits, surrogates
        raise ToolCallError(f"{type(e).__name__}: {str(e)[:120]}") from None
    return obj


def call_arguments(call: dict) -> dict[str, Any]:
    """Decoded arguments of an OpenAI-format call; raises ToolCallError on anything malformed."""
    fn = call.get("function") if isinstance(call, dict) else None
    if not isinstance(fn, dict):
        raise ToolCallError("a tool call needs a 'function' object with 'name' and 'arguments'")
    raw = fn.get("arguments")
    if raw is None or raw == "":
        return {}
    if isinstance(raw, dict):  # already decoded by a backend: re-check it the same way
        try:
            raw = json.dumps(raw)
        except (TypeError, ValueError, RecursionError) as e:
            raise ToolCallError(f"arguments are not JSON data ({type(e).__name__})") from None
    try:
        args = loads_bounded(raw)
    except ToolCallError as e:
        raise ToolCallError(f"arguments are not valid JSON: {e}") from None
    if not isinstance(args, dict):
        raise ToolCallError("arguments must be a JSON object")
    return args


def _shown(name: Any) -> str:
    return repr(name[:60]) if isinstance(name, str) else type(name).__name__


def infrastructure_errors() -> tuple[type[Exception], ...]:
    """Exceptions that mean the machinery failed, not the call: they end an episode as `error`.

    A sandbox that died, or a misconfigured env (GymkitError), is nothing the model did, so it
    must not come back to the model as an observation (nor be scored as its mistake).
    """
    from gymkit.errors import GymkitError
    from gymkit.sandbox.client import SandboxError

    return (SandboxError, GymkitError)


def run_tool(specs: dict[str, ToolSpec], env: Any, episode: Any, call: dict,
             infra: tuple[type[Exception], ...] = ()) -> str:
    """Run one call and return the observation text. Mistakes raise ToolCallError.

    Any other exception the tool raises (a `KeyError` on a mistyped item, a `ValueError` on
    bad input the tool did not check) is also a ToolCallError, with the exception's type and
    message, so the model sees it and can retry. Exceptions of `infra` types and of
    `infrastructure_errors()` propagate: the episode ends as `error`.
    """
    fn = call.get("function") if isinstance(call, dict) else None
    name = fn.get("name") if isinstance(fn, dict) else None
    if not isinstance(name, str) or name not in specs:
        raise ToolCallError(f"unknown tool {_shown(name)}; available: {', '.join(sorted(specs))}")
    try:
        out = specs[name].call(env, episode, call_arguments(call))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x)[:40] for x in first.get("loc", ())) or "arguments"
        raise ToolCallError(f"bad argument {loc!r} for {name}: {first.get('msg')}") from None
    except ToolCallError:
        raise
    except Exception as e:
        if isinstance(e, infra + infrastructure_errors()):
            raise
        # the traceback stays in the log: a tool that raises may also be an env bug
        log.info("tool %s raised %s; returned to the model", name, type(e).__name__, exc_info=True)
        raise ToolCallError(f"{name} raised {_exception_text(e)}") from None
    return out if isinstance(out, str) else json.dumps(out, default=str)


def _exception_text(e: BaseException) -> str:
    try:
        msg = str(e)
    except Exception:  # a broken __str__ must not replace the observation
        msg = ""
    msg = msg if len(msg) <= MAX_ERROR_CHARS else msg[:MAX_ERROR_CHARS] + "..."
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__


# ---------------------------------------------------------------- parsing tool calls from text
_OPEN, _CLOSE = "<tool_call>", "</tool_call>"


def _split_blocks(text: str) -> tuple[list[str], str]:
    """(bodies of `<tool_call>` blocks, the text without them). An unclosed block runs to the
    end (servers often strip the closing stop string). Linear: str.find, no backtracking."""
    bodies, rest, pos = [], [], 0
    while (start := text.find(_OPEN, pos)) >= 0:
        rest.append(text[pos:start])
        body = start + len(_OPEN)
        end = text.find(_CLOSE, body)
        bodies.append(text[body:end if end >= 0 else len(text)].strip())
        pos = end + len(_CLOSE) if end >= 0 else len(text)
    rest.append(text[pos:])
    return bodies, "".join(rest)


def _xml_call(block: str) -> dict | None:
    """The qwen3_coder form `<function=f><parameter=p>v</parameter></function>`, or None when
    the block does not use it. Parameter values that are JSON are decoded, else kept as text."""
    i = block.find("<function=")
    if i < 0:
        return None
    j, k = block.find(">", i), block.find("</function>", i)
    name = block[i + len("<function="):j] if j >= 0 else ""
    if k < 0 or j > k or not name or any(c.isspace() for c in name):
        raise ToolCallError("malformed <function=NAME>...</function> block")
    args: dict[str, Any] = {}
    body, pos = block[j + 1:k], 0
    while (p := body.find("<parameter=", pos)) >= 0:
        q = body.find(">", p)
        end = body.find("</parameter>", q) if q >= 0 else -1
        if end < 0:
            raise ToolCallError("unterminated <parameter=NAME>...</parameter>")
        key, value = body[p + len("<parameter="):q], body[q + 1:end]
        value = value[1:] if value.startswith("\n") else value
        value = value[:-1] if value.endswith("\n") else value
        if key in args:
            raise ToolCallError(f"duplicate parameter {key[:40]!r}")
        try:
            args[key] = loads_bounded(value)
        except ToolCallError:
            args[key] = value
        pos = end + len("</parameter>")
    return make_call(name, args)


def _parse_block(block: str) -> dict:
    """One OpenAI-format call from a block's text; raises ToolCallError."""
    if len(block) > MAX_CALL_CHARS:
        raise ToolCallError(f"tool call is longer than {MAX_CALL_CHARS} characters")
    call = _xml_call(block)
    if call is not None:
        return call
    try:
        obj = loads_bounded(block)
    except ToolCallError as e:
        raise ToolCallError(f"tool call is not valid JSON ({e}): {block[:200]}") from None
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise ToolCallError(f"tool call needs a 'name' and 'arguments': {block[:200]}")
    arguments = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(arguments, str):  # arguments sent as a JSON string: decoded here, bounded,
        try:  # so every emitted call carries a well-formed JSON object
            arguments = loads_bounded(arguments or "{}")
        except ToolCallError as e:
            raise ToolCallError(f"tool call arguments are not valid JSON ({e}): "
                                f"{block[:200]}") from None
    if not isinstance(arguments, dict):
        raise ToolCallError(f"tool call arguments must be a JSON object: {block[:200]}")
    return make_call(obj["name"], arguments)


def parse_tool_calls(text: str) -> tuple[str, list[dict], list[str]]:
    """Split model text into (content, tool calls, errors).

    Understands `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` (Hermes, Qwen,
    Nemotron) and the qwen3_coder form `<tool_call><function=f><parameter=p>v</parameter>
    </function></tool_call>` that the Nemotron 3 card names. Malformed, oversized or too
    deeply nested blocks become error strings that the env returns to the model as an
    observation: no text makes this raise. At most MAX_CALLS blocks are read.
    """
    if not isinstance(text, str):
        return "", [], [f"model output is {type(text).__name__}, not text"]
    bodies, rest = _split_blocks(text)
    calls: list[dict] = []
    errors: list[str] = []
    for block in bodies[:MAX_CALLS]:
        try:
            calls.append(_parse_block(block))
        except ToolCallError as e:
            errors.append(str(e))
    if len(bodies) > MAX_CALLS:
        errors.append(f"{len(bodies) - MAX_CALLS} more tool calls ignored; at most {MAX_CALLS} "
                      "are read from one message")
    content = rest.strip() if bodies else text
    return content, calls, errors


_THINK_END = re.compile(r"</think(?:ing)?>", re.I)
_THINK_START = re.compile(r"<think(?:ing)?>", re.I)


def message_with_calls(text: str) -> Message:
    """An assistant message built from raw model text, tool calls parsed out of it.

    Only the text after the reasoning trace can call tools: a call written inside `<think>`
    (or in a trace that never closed) is thought, not action, and is left in the content.
    """
    text = as_text(text)
    ends = list(_THINK_END.finditer(text))
    if ends:
        head, tail = text[:ends[-1].end()], text[ends[-1].end():]
    elif _THINK_START.search(text):
        head, tail = text, ""
    else:
        head, tail = "", text
    content, calls, errors = parse_tool_calls(tail)
    content = (head + ("\n" if head and content else "") + content) if head else content
    msg: Message = {"role": "assistant", "content": content}
    if calls:
        msg["tool_calls"] = _distinct_ids(calls)
    if errors:
        msg["tool_call_errors"] = errors
    return msg


def _distinct_ids(calls: list[dict]) -> list[dict]:
    """The same calls, a repeated id (identical calls in one message) suffixed `_2`, `_3`..."""
    seen: dict[str, int] = {}
    for call in calls:
        n = seen[call["id"]] = seen.get(call["id"], 0) + 1
        if n > 1:
            call["id"] = f"{call['id']}_{n}"
    return calls
