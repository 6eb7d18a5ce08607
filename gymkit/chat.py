"""Chat-text helpers shared by envs and policies: reasoning traces and message shapes.

Tool calls written in text are parsed by `gymkit.tools.parse_tool_calls` (bounded and strict:
no model text makes it raise).
"""
from __future__ import annotations

import re
from typing import Any

from .types import Message

_THINK_OPEN = re.compile(r"<think(?:ing)?>", re.I)
_THINK_CLOSE = re.compile(r"</think(?:ing)?>", re.I)


def as_text(content: Any) -> str:
    """Message content as text: OpenAI content parts joined, anything else not text is ""."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        return "".join(p["text"] for p in content
                       if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def strip_thinking(text: str | None) -> str | None:
    """The answer part of a response: everything after the last `</think>`.

    Returns None when a reasoning block was opened but never closed: such a response has no
    answer yet, and scoring text inside the trace is a known reward hack. A response with no
    reasoning block at all is returned unchanged (stripped). Content that is not a string
    (a list of OpenAI content parts, or junk) is read through `as_text`.
    """
    if text is None:
        return None
    text = as_text(text)
    closes = list(_THINK_CLOSE.finditer(text))
    if closes:
        return text[closes[-1].end():].strip()
    if _THINK_OPEN.search(text):
        return None
    return text.strip()


def user(content: str) -> Message:
    return {"role": "user", "content": content}


def system(content: str) -> Message:
    return {"role": "system", "content": content}


def assistant(content: str, tool_calls: list[dict] | None = None) -> Message:
    m: Message = {"role": "assistant", "content": content}
    if tool_calls:
        m["tool_calls"] = tool_calls
    return m


def tool_result(call_id: str, name: str, content: str) -> Message:
    return {"role": "tool", "tool_call_id": call_id, "name": name, "content": content}
