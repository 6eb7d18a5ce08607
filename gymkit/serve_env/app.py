"""The HTTP routes: NeMo Gym's resources-server protocol, plus gymkit's native step protocol.

NeMo Gym (an agent server drives these; the session id travels as a cookie or in the body):
- POST /seed_session  {task, ...row}            -> {session_id}
- POST /<tool_name>   {...tool arguments, session_id?} -> {output}
- POST /verify        {...row, response: {output: [...]}, session_id?}
                      -> the row echoed, with reward, status and error added
gymkit-native (HTTPPool and multi-turn clients):
- POST /reset {task} -> {session_id, observation, tools}
- POST /step  {session_id | task, message} -> Step JSON with session_id and status
- POST /close {session_id};  GET /health
Every answer carries a status (`running` while an episode goes on), so an error or a
timeout never reads as a zero reward.
"""
from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

from fastapi import Body, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, ValidationError

from gymkit.serve_env.nemo_gym import actions_from_output, final_text
from gymkit.serve_env.sessions import EnvService
from gymkit.tools import make_call
from gymkit.types import Message, Score, Step, Task

COOKIE = "gymkit_session"
RESERVED = {"seed_session", "verify", "reset", "step", "close", "health", "docs", "openapi.json",
            "close_session", "aggregate_metrics", "reverify_mode", "sandbox_access", "mcp"}
# NeMo Gym's shared failure vocabulary for verify responses; statuses with no entry there
# go namespaced as "gymkit:<status>"
FAILURE_KIND = {"error": "verifier_error", "timeout": "gymkit:timeout"}


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    task: Task


class StepRequest(BaseModel):
    """A step of a live session, or (with `task` and no session) the first step of a new one."""

    model_config = ConfigDict(extra="forbid")
    session_id: str | None = None
    task: Task | None = None
    message: dict[str, Any]


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    session_id: str


def _failed(score: Score, code: int = 200, **extra: Any) -> JSONResponse:
    return JSONResponse({**extra, "status": score.status, "error": score.error,
                         "reward": 0.0}, status_code=code)


def _step_json(step: Step, sid: str | None) -> dict[str, Any]:
    body = step.model_dump(mode="json")
    body["session_id"] = sid
    body["status"] = step.score.status if step.done and step.score else "running"
    return body


def _session_id(request: Request, body: dict[str, Any]) -> str | None:
    sid = body.get("session_id") or request.cookies.get(COOKIE)
    return sid if isinstance(sid, str) else None


def _row_task(body: dict[str, Any]) -> Task | Score:
    try:
        return Task.model_validate(body.get("task"))
    except ValidationError as e:
        return Score.failed(f"the row's 'task' is not a gymkit Task: {_first_line(e)}")


def _first_line(e: ValidationError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "body"
    return f"{where}: {err.get('msg', 'invalid')}"


def make_app(service: EnvService) -> FastAPI:
    """The FastAPI app serving `service`'s envs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        sweeper = asyncio.create_task(service.expire_forever())
        yield
        sweeper.cancel()
        service.shutdown()

    app = FastAPI(title="gymkit env server", lifespan=lifespan)

    @app.exception_handler(RequestValidationError)
    async def bad_body(request: Request, exc: RequestValidationError) -> JSONResponse:
        err = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        return _failed(Score.failed(f"bad request to {request.url.path}: {where}: "
                                    f"{err.get('msg', 'invalid')}"), code=422)

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"envs": {n: [t["function"]["name"] for t in e.tool_schemas() or []]
                         for n, e in service.envs.items()},
                "sessions": len(service.sessions), "concurrency": service.concurrency,
                "step_timeout_s": service.step_timeout_s, "statuses": dict(service.counts)}

    @app.post("/reset")
    async def reset(req: ResetRequest) -> JSONResponse:
        sid, fail = await service.open(req.task)
        if fail:
            return _failed(fail, session_id=None)
        return JSONResponse({"session_id": sid, "observation": req.task.prompt,
                             "tools": req.task.tools, "status": "running"})

    @app.post("/step")
    async def step(req: StepRequest) -> dict[str, Any]:
        sid = req.session_id
        if sid is None:
            if req.task is None:
                return _step_json(Step(done=True, score=Score.failed(
                    "step needs a session_id, or a task to start a session")), None)
            sid, fail = await service.open(req.task)
            if fail:
                return _step_json(Step(done=True, score=fail), None)
        return _step_json(await service.step(sid, req.message), sid)

    @app.post("/close")
    async def close(req: CloseRequest) -> dict[str, Any]:
        return {"closed": service.close(req.session_id)}

    @app.post("/seed_session")
    async def seed_session(body: dict[str, Any] = Body(...)) -> JSONResponse:
        if "resources_session_id" in body:  # an Environment Server seeding its own id
            return await _seed_resources(service, body)
        task = _row_task(body)
        if isinstance(task, Score):
            return _failed(task, code=422, session_id=None)
        sid, fail = await service.open(task)
        if fail:
            return _failed(fail, session_id=None)
        resp = JSONResponse({"session_id": sid, "status": "running"})
        resp.set_cookie(COOKIE, sid, httponly=True, samesite="strict")
        return resp

    @app.post("/verify")
    async def verify(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
        task = _row_task(body)
        response = body.get("response")
        output = response.get("output") if isinstance(response, dict) else None
        if isinstance(task, Score) or not isinstance(output, list):
            score = task if isinstance(task, Score) else Score.failed(
                "verify needs 'response' with an 'output' list (Responses API items)")
            return _echo(body, score, 422)
        return _echo(body, await _verdict(service, _session_id(request, body), task, output))

    @app.post("/close_session")
    async def close_session(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
        """Idempotent: closing an unknown or closed session succeeds, and a seed that
        arrives later under the same id starts nothing."""
        sid = body.get("resources_session_id") or _session_id(request, body)
        if not isinstance(sid, str) or not sid:
            return _failed(Score.failed("close_session needs resources_session_id"), code=422)
        service.close(sid)
        service.closed_ids[sid] = time.monotonic()
        return JSONResponse({"resources_session_id": sid})

    @app.get("/reverify_mode")
    async def reverify_mode() -> str:
        return "stateless"  # /verify replays the row's transcript when no session is live

    @app.post("/aggregate_metrics")
    async def aggregate_metrics(body: dict[str, Any] = Body(...)) -> JSONResponse:
        rows = body.get("verify_responses")
        if not isinstance(rows, list):
            return _failed(Score.failed("aggregate_metrics needs verify_responses: a list"), 422)
        return JSONResponse(aggregate(rows))

    for name in sorted({t["function"]["name"] for e in service.envs.values()
                        for t in e.tool_schemas() or []}):
        if name in RESERVED:
            raise ValueError(f"tool {name!r} clashes with a server route; rename it")
        app.post(f"/{name}", name=f"tool_{name}")(_tool_route(service, name))
    return app


async def _seed_resources(service: EnvService, body: dict[str, Any]) -> JSONResponse:
    """NeMo Gym's ResourcesSeedSessionRequest: the caller names the session; seeding the same
    id again returns the live session; an id already closed stays closed."""
    sid = body.get("resources_session_id")
    data = body.get("task_data")
    if not isinstance(sid, str) or not sid or not isinstance(data, dict):
        return _failed(Score.failed("seed_session needs resources_session_id (a string) and "
                                    "task_data (the row)"), code=422)
    if sid in service.sessions:
        return JSONResponse({"resources_session_id": sid})
    if sid in service.closed_ids:
        return _failed(Score.failed(f"session {sid} was closed"), code=409,
                       resources_session_id=sid)
    task = _row_task(data)
    if isinstance(task, Score):
        return _failed(task, code=422, resources_session_id=sid)
    got, fail = await service.open(task, sid)
    if fail:
        return _failed(fail, resources_session_id=sid)
    return JSONResponse({"resources_session_id": got})


def aggregate(rows: list[Any]) -> dict[str, Any]:
    """Mean reward per task and overall, and the status counts, from verify responses (rows
    that are not objects with a numeric reward are counted as malformed, never as 0)."""
    groups: dict[str, list[float]] = {}
    statuses: dict[str, int] = {}
    bad = masked = 0
    for row in rows:
        reward = row.get("reward") if isinstance(row, dict) else None
        if (not isinstance(reward, (int, float)) or isinstance(reward, bool)
                or not math.isfinite(reward)):  # a NaN would turn every mean into NaN
            bad += 1
            continue
        status = str(row.get("status", "unknown"))
        statuses[status] = statuses.get(status, 0) + 1
        if row.get("mask_sample"):
            masked += 1
            continue
        key = str(row.get("_ng_task_index", row.get("task_id", (row.get("task") or {}).get("id"))))
        groups.setdefault(key, []).append(float(reward))
    per_task = [{"task": k, "mean/reward": sum(v) / len(v), "rollouts": len(v)}
                for k, v in groups.items()]
    scored = [r for v in groups.values() for r in v]
    overall = {"mean/reward": sum(scored) / len(scored) if scored else None,
               "rollouts": len(rows), "scored": len(scored), "masked": masked,
               "malformed": bad, **{f"status/{k}": n for k, n in sorted(statuses.items())}}
    return {"group_level_metrics": per_task, "agent_metrics": overall,
            "key_metrics": {"mean/reward": overall["mean/reward"]}}


def _echo(row: dict[str, Any], score: Score, code: int = 200) -> JSONResponse:
    """The row with the verdict added; a row JSON cannot carry back (NaN) keeps its ids only.
    NeMo Gym's fields ride along: `mask_sample` for a verdict that measures nothing (error,
    timeout: the rollout stays out of scores), `failure_kind` and `failure_reason`."""
    unscored = score.status in ("error", "timeout")
    verdict = {"reward": score.reward, "status": score.status, "error": score.error,
               "mask_sample": unscored,
               "failure_kind": FAILURE_KIND.get(score.status) if unscored else None,
               "failure_reason": score.error if unscored else None}
    try:
        return JSONResponse({**row, **verdict}, status_code=code)
    except ValueError as e:  # starlette refuses NaN/Infinity: the verdict must still get back
        keep = {k: row[k] for k in ("task_id", "env") if isinstance(row.get(k), str)}
        return JSONResponse({**keep, **verdict, "echo_error": f"row not echoed: {e}"},
                            status_code=code)


async def _verdict(service: EnvService, sid: str | None, task: Task, output: list) -> Score:
    """A live session ends with the response's final text; otherwise the transcript replays.

    A session counts only when its task is the row's task in full, not just by id: an agent
    such as NeMo Gym's simple_agent posts any tool name the model writes, so a model can call
    `seed_session` itself with a task of its own making under the same id, and the agent
    carries the new cookie to /verify. Such a session is ignored and the row's transcript is
    replayed on the row's own task."""
    if sid and sid in service.ended and service.ended[sid][0] == task:
        return service.ended.pop(sid)[1]
    live = service.sessions.get(sid or "")
    if live is not None and live.episode.task == task:
        step = await service.step(sid, {"role": "assistant", "content": final_text(output)})
        if step.done and step.score:
            return step.score
        service.close(sid)
        return Score(reward=0.0, status="truncated",
                     info={"reason": "the env replied to the final message: episode unfinished"})
    return await service.play(task, actions_from_output(output))


def _tool_route(service: EnvService, name: str):
    async def call_tool(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
        sid = _session_id(request, body)
        s = service.sessions.get(sid or "")
        if s is None:
            return _failed(Score.failed(f"tool {name}: unknown or expired session "
                                        f"(call /seed_session first)"), code=404)
        if name not in (service.envs[s.env]._tool_specs or {}):
            return _failed(Score.failed(f"env {s.env!r} has no tool {name!r}"), code=404)
        args = {k: v for k, v in body.items() if k != "session_id"}
        message: Message = {"role": "assistant", "content": "",
                            "tool_calls": [make_call(name, args, call_id=f"{name}_call")]}
        step = await service.step(sid, message)
        if step.done:
            score = step.score or Score.failed("env ended without a score")
            service.ended[sid] = (s.episode.task, score, time.monotonic())  # for /verify
            return JSONResponse({"output": f"episode ended: {score.status}",
                                 "status": score.status, "error": score.error})
        text = "\n".join(str(m.get("content") or "") for m in step.observation)
        return JSONResponse({"output": text, "status": "running"})

    call_tool.__doc__ = f"Run tool {name} in the caller's session."
    return call_tool
