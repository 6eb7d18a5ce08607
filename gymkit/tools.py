"""Tools as typed Python methods, their JSON schemas, and tool calls parsed from model text.

An env declares a tool by decorating a method with `@tool`. The first parameter after `self`
is the episode (per-episode state); the rest are the tool's arguments, whose JSON schema is
derived from the type hints, and whose values are validated before the method runs.
"""
from __future__ import annotations

import inspect
import json
import re
import uuid
from collections.abc import Callable
from typing import Any, get_type_hints

from pydantic import ValidationError, create_model

from .types import Message

_TOOL_ATTR = "__gymkit_tool__"


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
        self.args_model = create_model(f"{name}_args", **fields)
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
    """An OpenAI-format tool call."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"id": call_id or f"call_{uuid.uuid4().hex[:12]}", "type": "function",
            "function": {"name": name, "arguments": args}}


def call_arguments(call: dict) -> dict[str, Any]:
    """Decoded arguments of an OpenAI-format call; raises ToolCallError on malformed JSON."""
    raw = call.get("function", {}).get("arguments", {})
    if isinstance(raw, dict):
        return raw
    try:
        args = json.loads(raw or "{}")
    except json.JSONDecodeError as e:
        raise ToolCallError(f"arguments are not valid JSON: {e.msg}") from None
    if not isinstance(args, dict):
        raise ToolCallError("arguments must be a JSON object")
    return args


def run_tool(specs: dict[str, ToolSpec], env: Any, episode: Any, call: dict) -> str:
    """Run one call and return the observation text. Mistakes come back as error text."""
    name = call.get("function", {}).get("name", "")
    if name not in specs:
        raise ToolCallError(f"unknown tool {name!r}; available: {', '.join(sorted(specs))}")
    try:
        out = specs[name].call(env, episode, call_arguments(call))
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first.get("loc", ())) or "arguments"
        raise ToolCallError(f"bad argument {loc!r} for {name}: {first.get('msg')}") from None
    return out if isinstance(out, str) else json.dumps(out, default=str)


# ---------------------------------------------------------------- parsing tool calls from text
_TOOL_CALL_RE = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.S)
_FUNC_RE = re.compile(r"<function=([^>\s]+)>(.*?)</function>", re.S)  # qwen3_coder XML form
_PARAM_RE = re.compile(r"<parameter=([^>\s]+)>\n?(.*?)\n?</parameter>", re.S)


def parse_tool_calls(text: str) -> tuple[str, list[dict], list[str]]:
    """Split model text into (content, tool calls, errors).

    Understands `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` (Hermes, Qwen,
    Nemotron) and the qwen3_coder form `<tool_call><function=f><parameter=p>v</parameter>
    </function></tool_call>` that the Nemotron 3 card names. Malformed blocks become error
    strings that the env returns to the model as an observation; they never raise.
    """
    calls: list[dict] = []
    errors: list[str] = []
    for block in _TOOL_CALL_RE.findall(text):
        fm = _FUNC_RE.search(block)
        if fm:
            args: dict[str, Any] = {}
            for k, v in _PARAM_RE.findall(fm.group(2)):
                try:
                    args[k] = json.loads(v)
                except json.JSONDecodeError:
                    args[k] = v
            calls.append(make_call(fm.group(1), args))
            continue
        try:
            obj = json.loads(block)
        except json.JSONDecodeError as e:
            errors.append(f"tool call is not valid JSON ({e.msg}): {block[:200]}")
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
            errors.append(f"tool call needs a 'name' and 'arguments': {block[:200]}")
            continue
        arguments = obj.get("arguments", obj.get("parameters", {}))
        calls.append(make_call(obj["name"], arguments if isinstance(arguments, (dict, str)) else {}))
    content = _TOOL_CALL_RE.sub("", text).strip() if (calls or errors) else text
    return content, calls, errors


_THINK_END = re.compile(r"</think(?:ing)?>", re.I)
_THINK_START = re.compile(r"<think(?:ing)?>", re.I)


def message_with_calls(text: str) -> Message:
    """An assistant message built from raw model text, tool calls parsed out of it.

    Only the text after the reasoning trace can call tools: a call written inside `<think>`
    (or in a trace that never closed) is thought, not action, and is left in the content.
    """
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
        msg["tool_calls"] = calls
    if errors:
        msg["tool_call_errors"] = errors
    return msg
