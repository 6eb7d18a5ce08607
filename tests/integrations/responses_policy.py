"""A scripted policy behind a Responses-API model server (`POST /v1/responses`), for driving
NeMo Gym's own agent in tests: it plays fixed transcripts, as the conformance suite does.

`scripts` maps a conversation's first user message to the assistant messages to play, in
order; the reply to a request is the next message of its script, picked by how many model
turns the request's `input` already holds (a turn: a run of function_call / assistant message
items, ended by a function_call_output). A conversation without a script, or past its end, is
answered HTTP 400, so a test cannot pass on a reply nobody wrote.
"""
from __future__ import annotations

from typing import Any

from fastapi import Body, FastAPI
from fastapi.responses import JSONResponse

from gymkit.integrations.nemo_gym import output_items
from gymkit.types import Message


def first_user_text(items: Any) -> str:
    if isinstance(items, str):
        return items
    for item in items or []:
        if isinstance(item, dict) and item.get("role") == "user":
            content = item.get("content")
            if isinstance(content, list):
                return "".join(c.get("text", "") for c in content if isinstance(c, dict))
            return str(content)
    return ""


def turns_taken(items: Any) -> int:
    turns, in_turn = 0, False
    for item in items if isinstance(items, list) else []:
        kind = item.get("type", "message") if isinstance(item, dict) else None
        assistant = kind == "function_call" or (kind == "message" and item.get("role") == "assistant"
                                                and "id" in item)
        if assistant and not in_turn:
            turns, in_turn = turns + 1, True
        elif kind == "function_call_output":
            in_turn = False
    return turns


def make_policy_app(scripts: dict[str, list[Message]]) -> FastAPI:
    app = FastAPI()
    app.state.requests = 0

    @app.post("/v1/responses")
    async def responses(body: dict[str, Any] = Body(...)) -> JSONResponse:
        app.state.requests += 1
        items = body.get("input")
        script = scripts.get(first_user_text(items))
        n = turns_taken(items)
        if script is None or n >= len(script):
            return JSONResponse({"error": f"no scripted turn {n} for this conversation"}, 400)
        output = output_items(script[n], n)
        return JSONResponse({
            "id": f"resp_{app.state.requests}", "object": "response", "created_at": 0.0,
            "model": "scripted", "output": output, "parallel_tool_calls": True,
            "tool_choice": "auto", "tools": body.get("tools") or [], "status": "completed"})

    return app
