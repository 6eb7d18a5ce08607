"""Conversions between gymkit's chat messages and NeMo Gym's Responses-API rows.

A NeMo Gym dataset row carries `responses_create_params` (the request an agent sends to the
model: `input` items and `tools`) plus whatever its resources server needs to verify; gymkit
rows add the full `task`, so `/verify` can score a row without any server-side state.
"""
from __future__ import annotations

import json
from typing import Any

from gymkit.types import Message, Task


def tool_to_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI chat-completions function schema as a Responses-API function tool."""
    fn = schema.get("function", schema)
    return {"type": "function", "name": fn["name"], "description": fn.get("description", ""),
            "parameters": fn.get("parameters", {"type": "object", "properties": {}}),
            "strict": False}


def messages_to_input(messages: list[Message]) -> list[dict[str, Any]]:
    """Chat messages as Responses-API input items (tool calls and results become items)."""
    items: list[dict[str, Any]] = []
    for m in messages:
        role = m.get("role")
        if role == "tool":
            items.append({"type": "function_call_output", "call_id": m.get("tool_call_id", ""),
                          "output": str(m.get("content") or "")})
            continue
        if m.get("content") or not m.get("tool_calls"):
            items.append({"role": role, "content": m.get("content") or ""})
        for call in m.get("tool_calls") or []:
            fn = call.get("function", {})
            args = fn.get("arguments", "{}")
            items.append({"type": "function_call", "call_id": str(call.get("id") or "call"),
                          "name": str(fn.get("name", "")),
                          "arguments": args if isinstance(args, str) else json.dumps(args)})
    return items


def task_to_row(task: Task, agent: str | None = None) -> dict[str, Any]:
    """One NeMo Gym JSONL row for `task` (`gymkit tasks --format nemo-gym`); `agent` names
    the NeMo Gym agent that rolls it out (the row's `agent_ref`, which NeMo Gym's rollout
    collection and NeMo RL require on every row)."""
    params: dict[str, Any] = {"input": messages_to_input(task.prompt)}
    if task.tools:
        params["tools"] = [tool_to_responses(t) for t in task.tools]
    row: dict[str, Any] = {"responses_create_params": params, "env": task.env,
                           "task_id": task.id, "task": task.model_dump(mode="json")}
    if agent:
        row["agent_ref"] = {"type": "responses_api_agents", "name": agent}
    return row


def item_text(item: dict[str, Any]) -> str:
    """The text of a Responses-API message item (its `content`: a string or text parts)."""
    content = item.get("content")
    if isinstance(content, str):
        return content
    parts = [c.get("text", "") for c in content or [] if isinstance(c, dict)
             and c.get("type") in ("output_text", "text", "input_text")]
    return "".join(p for p in parts if isinstance(p, str))


def actions_from_output(output: list[Any]) -> list[Message]:
    """The model's assistant messages, rebuilt from a Responses-API `output` list.

    Consecutive `function_call` items form one assistant message with `tool_calls`; a message
    item closes the turn. Reasoning items and tool outputs (the env's side) are skipped."""
    actions: list[Message] = []
    calls: list[dict[str, Any]] = []
    text = ""
    for item in output:
        if not isinstance(item, dict):
            continue
        kind = item.get("type", "message" if "role" in item else None)
        if kind == "function_call":
            calls.append({"id": str(item.get("call_id") or item.get("id") or f"call_{len(calls)}"),
                          "type": "function",
                          "function": {"name": str(item.get("name", "")),
                                       "arguments": str(item.get("arguments", "{}"))}})
        elif kind == "message" and item.get("role", "assistant") == "assistant":
            if calls:
                actions.append({"role": "assistant", "content": text, "tool_calls": calls})
                calls, text = [], ""
            text += item_text(item)
        elif kind == "function_call_output" and calls:
            actions.append({"role": "assistant", "content": text, "tool_calls": calls})
            calls, text = [], ""
    if calls:
        actions.append({"role": "assistant", "content": text, "tool_calls": calls})
    else:
        actions.append({"role": "assistant", "content": text})
    return actions


def final_text(output: list[Any]) -> str:
    """The text of the last assistant message item of a Responses-API `output` list."""
    for item in reversed(output):
        if isinstance(item, dict) and item.get("type", "message") == "message" \
                and item.get("role", "assistant") == "assistant":
            return item_text(item)
    return ""
