"""A running NeMo Gym resources server played as a gymkit env: `nemo_gym`.

The opposite direction of `gymkit serve-env`: NeMo Gym's environments inside gymkit, so that
`gymkit train`, `gymkit eval` and every pool (local, Ray, async) score against a real NeMo Gym
resources server, with gymkit's statuses around its rewards.

    gymkit eval --env gymkit.integrations.nemo_gym:NeMoGymEnv \\
        --env-option nemo_gym.url=http://127.0.0.1:8001 \\
        --env-option nemo_gym.dataset=resources_servers/mcqa/data/example.jsonl \\
        --model smollm2-135m --n 20

Tasks are the rows of a NeMo Gym JSONL dataset (`responses_create_params` plus whatever the
server verifies against), drawn in a seeded order; the row rides in `task.data["row"]`. An
episode is what NeMo Gym's `simple_agent` does with a row, one model message at a time:

* the first message opens the session: `POST /seed_session` with the row; the cookies the
  server sets follow the episode (each episode has its own jar, so sessions never mix);
* a message with tool calls: `POST /<tool name>` with the call's arguments for each call; the
  answer's body, whatever its HTTP status, is the tool's output (as in NeMo Gym, a 4xx is a
  valid answer to a bad call); arguments that are not a JSON object come back as an error;
* a message without tool calls ends the episode: `POST /verify` with the row and the whole
  transcript as a Responses-API `response`; the server's `reward` is the verdict.

Statuses: reward 1 (or more) is `correct`, anything less `wrong` with that reward (partial
credit kept). The server unreachable, an HTTP error from `/seed_session` or `/verify`, an
answer without a finite `reward`, a non-JSON answer: `error`, with the reason. `/seed_session`
or `/verify` without an answer within `request_timeout_s`: `timeout`. A tool call without an
answer in time is the tool's output (`error: ... gave no answer`), not the episode's end: the
call's arguments may be what hangs it. A reply whose `<think>` block never closes is `wrong`
without asking the server. A remote verifier that crashes or hangs on a response is `error` or
`timeout`: from outside, a server bug and a hostile response look the same, so the status says
"unscored", never 0; bounding its own verification time is the server's part.
"""
from __future__ import annotations

import json
import math
import random
import time
import zlib
from pathlib import Path
from typing import Any

from gymkit.chat import strip_thinking, tool_result
from gymkit.env import BaseEnv, Episode, message_calls
from gymkit.errors import GymkitError
from gymkit.serve_env.nemo_gym import item_text, messages_to_input
from gymkit.types import Message, Score, Step, Task

MAX_OUTPUT_CHARS = 64_000  # a tool answer longer than this is cut before the model sees it


# ---------------------------------------------------------------------------- rows <-> chat
def input_to_messages(items: Any) -> list[Message]:
    """A Responses-API `input` (a string, or message / function_call / function_call_output
    items) as gymkit chat messages."""
    if isinstance(items, str):
        return [{"role": "user", "content": items}]
    if not isinstance(items, list):
        raise GymkitError("responses_create_params.input is neither a string nor a list")
    out: list[Message] = []
    for item in items:
        if not isinstance(item, dict):
            raise GymkitError(f"responses_create_params.input has a non-object item: {item!r:.80}")
        kind = item.get("type", "message")
        if kind == "message":
            role = str(item.get("role", "user"))
            out.append({"role": "system" if role == "developer" else role,
                        "content": item_text(item)})
        elif kind == "function_call":
            call = {"id": str(item.get("call_id", "")), "type": "function",
                    "function": {"name": str(item.get("name", "")),
                                 "arguments": str(item.get("arguments", "{}"))}}
            if out and out[-1]["role"] == "assistant" and not out[-1].get("content"):
                out[-1].setdefault("tool_calls", []).append(call)
            else:
                out.append({"role": "assistant", "content": "", "tool_calls": [call]})
        elif kind == "function_call_output":
            out.append(tool_result(str(item.get("call_id", "")), "", str(item.get("output", ""))))
        # reasoning items carry no text the model is shown again
    return out


def tool_to_chat(tool: dict[str, Any]) -> dict[str, Any]:
    """A Responses-API function tool as a chat-completions tool schema."""
    return {"type": "function", "function": {
        "name": tool["name"], "description": tool.get("description") or "",
        "parameters": tool.get("parameters") or {"type": "object", "properties": {}}}}


def row_task(row: dict[str, Any], index: int, env_name: str = "nemo_gym") -> Task:
    """The gymkit Task for one NeMo Gym dataset row."""
    params = row.get("responses_create_params")
    if not isinstance(params, dict) or "input" not in params:
        raise GymkitError(f"row {index} has no responses_create_params.input "
                          f"(keys: {', '.join(sorted(row)) or 'none'})")
    tools = [t for t in params.get("tools") or [] if isinstance(t, dict)
             and t.get("type", "function") == "function" and "name" in t]
    rid = row.get("task_id", row.get("uuid", row.get("id", row.get("_ng_task_index"))))
    return Task(id=str(rid) if rid is not None else f"ng-{index}", env=env_name,
                prompt=input_to_messages(params["input"]),
                tools=[tool_to_chat(t) for t in tools] or None,
                data={"row": row, "row_index": index})


def response_json(task: Task, output: list[dict[str, Any]]) -> dict[str, Any]:
    """A Responses-API `response` object with `output` (what `/verify` validates)."""
    params = task.data["row"]["responses_create_params"]
    return {"id": f"resp_gymkit_{zlib.crc32(task.id.encode()):08x}", "object": "response",
            "created_at": float(int(time.time())), "model": str(params.get("model", "gymkit")),
            "output": output, "parallel_tool_calls": bool(params.get("parallel_tool_calls", True)),
            "tool_choice": params.get("tool_choice", "auto"), "tools": params.get("tools") or [],
            "status": "completed"}


def output_items(message: Message, n: int) -> list[dict[str, Any]]:
    """The Responses-API output items of one assistant message (`n` numbers their ids)."""
    items: list[dict[str, Any]] = []
    text = message.get("content") or ""
    if text:
        items.append({"id": f"msg_{n}", "type": "message", "role": "assistant", "status": "completed",
                      "content": [{"type": "output_text", "text": text, "annotations": []}]})
    if message.get("tool_calls"):  # function_call items, as in a row's input
        items += messages_to_input([{"role": "assistant", "content": "",
                                     "tool_calls": message["tool_calls"]}])
    return items


# ---------------------------------------------------------------------------- the env
class NeMoGymEnv(BaseEnv):
    """The rows of a NeMo Gym dataset, played against a running NeMo Gym resources server.

    Options: `url` (the resources server, e.g. http://127.0.0.1:8001), `dataset` (its JSONL
    rows), `turns` (model messages per episode, default 16), `request_timeout_s` (per HTTP
    request, default 60), `headers` (added to every request)."""

    name = "nemo_gym"
    family = "agent"
    verifier = "a NeMo Gym resources server's /verify on the Responses-API transcript"
    difficulties = (1,)
    max_turns = 16
    config_types = {}

    def __init__(self, url: str | None = None, dataset: str | None = None, turns: int = 16,
                 request_timeout_s: float = 60.0, headers: dict[str, str] | None = None,
                 **config: Any) -> None:
        super().__init__(**config)
        if turns < 1:
            raise GymkitError(f"env {self.name!r}: turns must be >= 1, got {turns}")
        if not request_timeout_s > 0:
            raise GymkitError(f"env {self.name!r}: request_timeout_s must be > 0")
        self.url = url.rstrip("/") if url else None
        self.dataset = dataset
        self.max_turns = turns
        self.request_timeout_s = float(request_timeout_s)
        self.headers = dict(headers or {})
        self._rows = self._read(dataset) if dataset else None
        self._transport = None
        if self.url is not None:
            import httpx  # the serve (or train) extra

            self._transport = httpx.HTTPTransport(retries=1)  # one pool for all episodes

    # ------------------------------------------------------------------ tasks
    def _read(self, dataset: str) -> list[dict[str, Any]]:
        from gymkit.scoring import read_jsonl

        path = Path(dataset).expanduser()
        if not path.is_file():
            raise GymkitError(f"env {self.name!r}: dataset {dataset!r} does not exist")
        rows = []
        for n, row in read_jsonl(path, "dataset"):
            try:
                row_task(row, len(rows), self.name)  # a bad row fails here, with its line
            except GymkitError as e:
                raise GymkitError(f"{path}:{n}: {e}") from None
            rows.append(row)
        if not rows:
            raise GymkitError(f"env {self.name!r}: dataset {dataset!r} has no rows")
        return rows

    def generate(self, n: int, seed: int = 0, difficulty: int | None = None) -> list[Task]:
        """`n` tasks: the dataset's rows in an order shuffled by `seed` (rows repeat once all
        are drawn, under their own ids)."""
        if difficulty not in (None, *self.difficulties):
            raise GymkitError(f"env {self.name!r} has no difficulty {difficulty}; choose 1")
        if self._rows is None:
            raise GymkitError(f"env {self.name!r} needs option dataset: a NeMo Gym JSONL file "
                              f"(--env-option {self.name}.dataset=PATH)")
        order = list(range(len(self._rows)))
        random.Random(f"{self.name}/{self.dataset}/{seed}").shuffle(order)
        tasks = []
        for i in range(n):
            t = row_task(self._rows[order[i % len(order)]], order[i % len(order)], self.name)
            t.seed, t.difficulty = seed, 1
            tasks.append(t)
        return tasks

    def task_from_row(self, row: dict[str, Any], index: int) -> Task:
        return row_task(row, index, self.name)

    def tool_schemas(self) -> list[dict[str, Any]] | None:
        return None  # per task: each row names its own tools

    # ------------------------------------------------------------------ HTTP
    def _post(self, episode: Episode, path: str, body: Any) -> Any:
        """POST to the server in the episode's cookie session; returns the httpx response."""
        import httpx

        if self.url is None:
            raise GymkitError(f"env {self.name!r} needs option url: the resources server "
                              f"(--env-option {self.name}.url=http://HOST:PORT)")
        # one client per request over a shared connection pool: its cookie jar is the
        # episode's alone, so two episodes never share a server session
        client = httpx.Client(transport=self._transport, headers=self.headers,
                              cookies=episode.state.setdefault("cookies", {}),
                              timeout=self.request_timeout_s)
        resp = client.post(f"{self.url}/{path}", json=body)
        # what this answer set replaces what the episode had (by name: the jar would keep both)
        episode.state["cookies"] = {**episode.state["cookies"],
                                    **{c.name: c.value for c in resp.cookies.jar}}
        return resp

    def _call(self, episode: Episode, path: str, body: Any) -> Any:
        """`_post`, with transport failures and timeouts turned into a failed Score."""
        import httpx

        try:
            return self._post(episode, path, body)
        except httpx.TimeoutException:
            return Score.failed(f"resources server {self.url}: /{path} gave no answer within "
                                f"{self.request_timeout_s:g} s", status="timeout")
        except httpx.HTTPError as e:
            return Score.failed(f"resources server {self.url}: /{path}: {type(e).__name__}: {e}")

    def _seed(self, episode: Episode) -> Score | None:
        if episode.state.get("seeded"):
            return None
        resp = self._call(episode, "seed_session", episode.task.data["row"])
        if isinstance(resp, Score):
            return resp
        if resp.status_code >= 300:
            return Score.failed(f"resources server {self.url}: /seed_session answered HTTP "
                                f"{resp.status_code}: {resp.text[:300]}")
        episode.state["seeded"] = True
        return None

    # ------------------------------------------------------------------ episodes
    def reset(self, task: Task) -> Episode:
        if not isinstance(task.data.get("row"), dict):
            raise GymkitError(f"task {task.id} carries no NeMo Gym row (task.data['row'])")
        return Episode(task=task, state={"cookies": {}, "output": [], "seeded": False})

    def respond(self, episode: Episode, message: Message) -> Step:
        failed = self._seed(episode)
        if failed is not None:
            return Step(done=True, score=failed)
        calls, errors = message_calls(message)
        if not calls and not errors:
            return Step(done=True, score=self._verify(episode, message))
        episode.state["output"] += output_items(message, episode.turn)
        if self.out_of_turns(episode):
            return Step()  # no turn left to read the results: the loop ends it as truncated
        obs = [tool_result("invalid", "error", f"error: {e}") for e in errors]
        for call in calls:
            fn = call.get("function") or {}
            name, call_id = str(fn.get("name", "")), str(call.get("id") or "call")
            episode.tool_calls += 1
            out = self._run_tool(episode, name, fn.get("arguments", "{}"))
            if isinstance(out, Score):
                return Step(done=True, score=out)
            episode.state["output"].append({"type": "function_call_output", "call_id": call_id,
                                            "output": out})
            obs.append(tool_result(call_id, name, out))
        return Step(observation=obs)

    def _run_tool(self, episode: Episode, name: str, arguments: Any) -> str | Score:
        tools = {t["function"]["name"] for t in episode.task.tools or []}
        if name not in tools:
            return f"error: no tool named {name!r} (tools: {', '.join(sorted(tools)) or 'none'})"
        if episode.tool_calls > self.max_tool_calls:
            return f"error: tool-call limit of {self.max_tool_calls} reached"
        try:
            args = json.loads(arguments) if isinstance(arguments, str) else arguments
        except json.JSONDecodeError as e:
            return json.dumps({"error": f"Invalid tool call arguments: {e}"})
        if not isinstance(args, dict):
            return json.dumps({"error": "Invalid tool call arguments: not a JSON object"})
        resp = self._call(episode, name, args)
        if isinstance(resp, Score):
            if resp.status == "timeout":  # the call's arguments may be what hangs the tool:
                return f"error: tool {name} gave no answer within {self.request_timeout_s:g} s"
            return resp  # the server unreachable: infrastructure, the episode is unscored
        return resp.text[:MAX_OUTPUT_CHARS]  # any HTTP status: a bad call's answer is an answer

    def _verify(self, episode: Episode, message: Message) -> Score:
        answer = strip_thinking(message.get("content") or "")
        if answer is None:
            return Score.wrong("unterminated reasoning block: no answer after </think>")
        output = episode.state["output"] + output_items({"content": answer}, episode.turn)
        body = {**episode.task.data["row"], "response": response_json(episode.task, output)}
        resp = self._call(episode, "verify", body)
        if isinstance(resp, Score):
            return resp
        if resp.status_code >= 300:
            return Score.failed(f"resources server {self.url}: /verify answered HTTP "
                                f"{resp.status_code}: {resp.text[:300]}")
        try:
            result = resp.json()
            reward = float(result["reward"])
        except (ValueError, KeyError, TypeError) as e:
            return Score.failed(f"resources server {self.url}: /verify gave no numeric reward "
                                f"({type(e).__name__}: {str(e)[:120]})")
        if not math.isfinite(reward):
            return Score.failed(f"resources server {self.url}: /verify gave reward {reward}")
        extra = {k: v for k, v in result.items() if k not in ("reward", "response",
                                                               "responses_create_params")
                 and k not in episode.task.data["row"] and isinstance(v, (bool, int, float, str))}
        return Score.graded(reward, f"NeMo Gym reward {reward:g}", nemo_gym=extra)

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None


__all__ = ["NeMoGymEnv", "row_task", "input_to_messages", "response_json", "output_items"]
