"""`gymkit serve-env` and `HTTPPool`: NeMo Gym routes, native steps, and 1,000 episodes at once.

The server runs on 127.0.0.1 (a free port) in a background thread; clients are real HTTP.
"""
import asyncio
import json
import random
import threading
import time

import httpx
import pytest

from gymkit import BaseEnv, Score, Task
from gymkit.driver import run_episodes
from gymkit.env import Episode
from gymkit.http_pool import HTTPPool
from gymkit.policy.base import Generation, Policy, SamplingParams
from gymkit.pool import LocalPool
from gymkit.registry import get_env_class, make_env
from gymkit.serve_env import EnvService, start_in_thread, task_to_row
from gymkit.serve_env.nemo_gym import messages_to_input
from gymkit.tools import make_call, tool


class Tally(BaseEnv):
    """A cheap two-turn tool env: call `add(n)` once, then answer the running total."""

    name = "test_tally"
    max_turns = 4

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        a, b = rng.randint(0, 99), rng.randint(0, 99)
        return Task(id=f"tally-{index}", env=self.name, data={"a": a, "b": b},
                    prompt=[{"role": "user", "content": f"start at {a}, add {b} #{index}"}],
                    gold=[{"role": "assistant", "content": "",
                           "tool_calls": [make_call("add", {"n": b}, call_id="c1")]},
                          {"role": "assistant", "content": str(a + b)}])

    @tool
    def add(self, ep: Episode, n: int) -> str:
        """Add n to the running total."""
        ep.state["total"] = ep.state.get("total", ep.task.data["a"]) + n
        return str(ep.state["total"])

    def score_episode(self, episode, response):
        if "total" not in episode.state:
            return Score.wrong("never called add")
        return Score.correct() if response.strip() == str(episode.state["total"]) \
            else Score.wrong("not the total")


class Sleepy(BaseEnv):
    """Scoring takes 0.3 s: a few concurrent requests overrun a one-slot server."""

    name = "test_sleepy"

    def generate_task(self, rng, difficulty, index):
        return Task(id=f"sleepy-{index}", env=self.name, prompt=[{"role": "user", "content": "x"}],
                    gold=[{"role": "assistant", "content": "x"}])

    def score(self, task, response):
        time.sleep(0.3)
        return Score.correct()


class Script(Policy):
    """Plays each task's gold, with the final answer replaced by `final` (None: gold's own)."""

    backend = "scripted"

    def __init__(self, tasks, final=None):
        self.tasks = tasks
        self.final = final

    def generate(self, requests, params):
        out = []
        for r in requests:
            task = next(t for t in self.tasks if r.messages[:len(t.prompt)] == t.prompt)
            turn = sum(1 for m in r.messages[len(task.prompt):] if m["role"] == "assistant")
            # past the gold (a wrong final answer made a user reply): keep talking
            msg = task.gold[turn] if turn < len(task.gold) else {"content": "anything else?"}
            last = turn == len(task.gold) - 1
            text = self.final if last and self.final is not None else msg.get("content") or ""
            out.append(Generation(text=text, tool_calls=msg.get("tool_calls")))
        return out


ENVS = {**{n: get_env_class(n) for n in ("math", "code", "tool_calc", "retail_agent")},
        "test_tally": Tally, "test_sleepy": Sleepy}


@pytest.fixture(scope="module")
def server():
    srv = start_in_thread(ENVS, concurrency=8, step_timeout_s=30.0)
    yield srv
    srv.stop()


def _verdicts(rollouts):
    return [(r.task_id, round(r.reward, 6), r.status) for r in rollouts]


def _output_items(actions):
    """The model's side of an episode as Responses-API output items."""
    items = []
    for a in actions:
        for it in messages_to_input([a]):
            items.append(it if it.get("type") else
                         {"type": "message", "role": "assistant",
                          "content": [{"type": "output_text", "text": it["content"]}]})
    return items


def _distinct(tasks):
    """Tasks whose prompts differ (the scripted policy tells tasks apart by prompt)."""
    seen, out = set(), []
    for t in tasks:
        key = json.dumps(t.prompt)
        if key not in seen:
            seen.add(key)
            out.append(t)
    return out


@pytest.mark.parametrize("env", ["math", "code", "tool_calc", "retail_agent", "test_tally"])
@pytest.mark.parametrize("final", [None, "Answer: 12345.67"])
def test_http_pool_matches_local_pool(server, env, final):
    """Gold and wrong finals score the same through HTTPPool as in-process, turn for turn."""
    tasks = _distinct(ENVS[env]().generate(4, seed=5))
    local = run_episodes(tasks, Script(tasks, final), LocalPool({env: ENVS[env]}),
                         SamplingParams())
    pool = HTTPPool(server.url, [env])
    try:
        remote = run_episodes(tasks, Script(tasks, final), pool, SamplingParams())
    finally:
        pool.close()
    assert _verdicts(remote) == _verdicts(local)
    want = "correct" if final is None else "wrong"
    assert {r.status for r in local} == {want}
    assert [r.messages for r in remote] == [r.messages for r in local]


@pytest.mark.parametrize("env", ["math", "tool_calc"])
def test_nemo_gym_routes_match_local(server, env):
    tasks = make_env(env).generate(3, seed=9)
    url = server.url
    with httpx.Client(base_url=url, timeout=30) as c:
        for task in tasks:
            for final in (None, "Answer: 12345.67"):
                actions = [dict(a) for a in task.gold]
                if final:
                    actions[-1] = {"role": "assistant", "content": final}
                want = run_episodes([task], Script([task], final), LocalPool({env: ENVS[env]}),
                                    SamplingParams())[0]
                row = task_to_row(task)
                # stateless: the whole transcript in the response, no session
                body = {**row, "response": {"output": _output_items(actions)}}
                got = c.post("/verify", json=body).json()
                assert (got["reward"], got["status"]) == (want.reward, want.status)
                assert got["task_id"] == task.id and "responses_create_params" in got  # echoed
                # stateful: seed a session, call each tool on its own route, then verify
                c.cookies.clear()
                assert c.post("/seed_session", json=row).json()["status"] == "running"
                for a in actions[:-1]:
                    for call in a["tool_calls"]:
                        fn = call["function"]
                        r = c.post(f"/{fn['name']}", json=json.loads(fn["arguments"]))
                        assert r.status_code == 200 and r.json()["output"]
                got = c.post("/verify", json={**row, "response": {
                    "output": _output_items(actions[-1:])}}).json()
                assert (got["reward"], got["status"]) == (want.reward, want.status)


def test_errors_are_statuses_not_zeros(server):
    task = make_env("math").generate(1)[0]
    with httpx.Client(base_url=server.url, timeout=30) as c:
        r = c.post("/step", json={"task": {**task.model_dump(mode="json"), "env": "nope"},
                                  "message": {"role": "assistant", "content": "1"}}).json()
        assert r["done"] and r["status"] == "error" and "not served" in r["score"]["error"]
        r = c.post("/step", json={"session_id": "gone", "message": {"role": "assistant"}}).json()
        assert r["status"] == "error" and "unknown or expired" in r["score"]["error"]
        r = c.post("/step", json={"message": "not a dict"})
        assert r.status_code == 422 and r.json()["status"] == "error"
        nan_row = {**task_to_row(task), "extra": float("nan"), "response": {"output": []}}
        r = c.post("/verify", content=json.dumps(nan_row), headers={
            "content-type": "application/json"})
        assert r.status_code == 200 and r.json()["status"] == "wrong" and "echo_error" in r.json()
        r = c.post("/verify", json={"task": {"id": "x"}, "response": {"output": []}})
        assert r.status_code == 422 and r.json()["status"] == "error" and r.json()["reward"] == 0
        c.cookies.clear()
        r = c.post("/calculate", json={"expression": "1+1"})
        assert r.status_code == 404 and r.json()["status"] == "error"


def test_overload_times_out_instead_of_hanging():
    srv = start_in_thread({"test_sleepy": Sleepy}, concurrency=1, step_timeout_s=0.5)
    task = Sleepy().generate(1)[0].model_dump(mode="json")

    async def burst():
        async with httpx.AsyncClient(base_url=srv.url, timeout=10) as c:
            return await asyncio.gather(*[c.post("/step", json={
                "task": task, "message": {"role": "assistant", "content": "x"}})
                for _ in range(8)])

    try:
        t0 = time.monotonic()
        statuses = [r.json()["status"] for r in asyncio.run(burst())]
        took = time.monotonic() - t0
    finally:
        srv.stop()
    assert len(statuses) == 8 and set(statuses) <= {"correct", "timeout"}
    assert 1 <= statuses.count("correct") <= 2 and statuses.count("timeout") >= 6
    assert took < 5


class Laggard(BaseEnv):
    """Scoring overruns the server's deadline; records when its episode is ended."""

    name = "test_laggard"
    scored = threading.Event()
    ended_after_score = []

    def generate_task(self, rng, difficulty, index):
        return Task(id=f"lag-{index}", env=self.name, prompt=[{"role": "user", "content": "x"}],
                    gold=[{"role": "assistant", "content": "x"}])

    def score(self, task, response):
        time.sleep(0.6)
        Laggard.scored.set()
        return Score.correct()

    def end_episode(self, episode):
        Laggard.ended_after_score.append(Laggard.scored.is_set())


def test_overrun_step_times_out_and_its_episode_ends_after_it():
    srv = start_in_thread({"test_laggard": Laggard}, step_timeout_s=0.2)
    task = Laggard().generate(1)[0].model_dump(mode="json")
    try:
        r = httpx.post(f"{srv.url}/step", json={"task": task, "message": {
            "role": "assistant", "content": "x"}}, timeout=10).json()
        assert r["status"] == "timeout" and r["done"] and "deadline" in r["score"]["error"]
        assert Laggard.scored.wait(5)
        deadline = time.monotonic() + 5
        while not Laggard.ended_after_score and time.monotonic() < deadline:
            Laggard.scored.wait(0.01)  # end_episode is queued behind the finished step
        assert Laggard.ended_after_score == [True]  # ended once, never under the running step
        assert not srv.service.sessions
    finally:
        srv.stop()


def test_idle_sessions_expire():
    service = EnvService({"test_tally": Tally}, idle_timeout_s=0.0)
    task = Tally().generate(1)[0]

    async def run():
        sid, fail = await service.open(task)
        assert fail is None and sid in service.sessions
        assert service.expire() == 1 and not service.sessions
        step = await service.step(sid, task.gold[0])
        return step

    step = asyncio.run(run())
    service.shutdown()
    assert step.done and step.score.status == "error" and "expired" in step.score.error


def test_one_thousand_concurrent_episodes(server):
    """1,000 two-turn episodes at once, one connection each: every one comes back scored."""
    import aiohttp  # httpx's connection pool is quadratic in connections: 100 s here, not 15

    tasks = Tally().generate(1000, seed=1)
    wrong = set(range(0, 1000, 7))

    async def post(c, body):
        async with c.post(f"{server.url}/step", json=body) as r:
            return await r.json()

    async def episode(c, i, task):
        r = await post(c, {"task": task.model_dump(mode="json"), "message": task.gold[0]})
        if r["done"]:
            return r["status"]
        answer = "-1" if i in wrong else task.gold[1]["content"]
        r = await post(c, {"session_id": r["session_id"],
                           "message": {"role": "assistant", "content": answer}})
        return r["status"]

    async def run_all():
        timeout = aiohttp.ClientTimeout(total=90)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1000),
                                         timeout=timeout) as c:
            return await asyncio.gather(*[episode(c, i, t) for i, t in enumerate(tasks)],
                                        return_exceptions=True)

    t0 = time.monotonic()
    statuses = asyncio.run(run_all())
    took = time.monotonic() - t0
    print(f"1000 episodes (2000 requests, 1000 connections) in {took:.1f}s")
    assert len(statuses) == 1000
    assert [s for s in statuses if isinstance(s, BaseException)] == []
    assert statuses.count("wrong") == len(wrong)
    assert statuses.count("correct") == 1000 - len(wrong)
    assert took < 60
    assert not server.service.sessions  # every finished episode freed its session


def test_eval_scores_on_an_env_server(server, tmp_path):
    """`evaluate(env_server=...)` (what `gymkit eval --env-server` calls) scores remotely."""
    from gymkit.evaluate import evaluate

    tasks = Tally().generate(6, seed=2)
    metrics = evaluate(Script(tasks), tasks, tmp_path, env_server=server.url,
                       show_progress=False)
    head = json.loads((tmp_path / "metrics.json").read_text())["header"]
    assert head["pool"] == server.url
    rows = [json.loads(x) for x in (tmp_path / "rollouts.jsonl").read_text().splitlines()]
    assert [r["status"] for r in rows] == ["correct"] * 6 and "test_tally" in metrics


def test_tasks_export_nemo_gym_rows(tmp_path, capsys):
    from gymkit.cli import main

    out = tmp_path / "rows.jsonl"
    assert main(["tasks", "--env", "tool_calc", "--n", "2", "--format", "nemo-gym",
                 "--out", str(out)]) == 0
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    params = rows[0]["responses_create_params"]
    assert [m["role"] for m in params["input"]] == ["system", "user"]
    assert {t["name"] for t in params["tools"]} == {"calculate", "convert"}
    assert Task.model_validate(rows[0]["task"]).env == "tool_calc"
    # NeMo Gym's rollout collection and NeMo RL need an agent_ref on every row
    assert rows[0]["agent_ref"] == {"type": "responses_api_agents", "name": "gymkit_simple_agent"}
    assert main(["tasks", "--env", "math", "--format", "nemo-gym", "--agent-ref", "my_agent",
                 "--out", str(out)]) == 0
    assert json.loads(out.read_text().splitlines()[0])["agent_ref"]["name"] == "my_agent"
    assert main(["tasks", "--env", "math", "--format", "nemo-gym", "--agent-ref", "",
                 "--out", str(out)]) == 0
    assert "agent_ref" not in json.loads(out.read_text().splitlines()[0])
    assert main(["tasks", "--env", "math", "--format", "csv"]) == 2


def test_train_config_pool_http_scores_on_the_server(server):
    from gymkit.errors import GymkitError
    from gymkit.trainers.config import load_config
    from gymkit.trainers.trainer import make_pool

    cfg = load_config("tiny-cpu", ["rollout.pool=http", f"rollout.env_server={server.url}"])
    pool = make_pool(cfg)
    try:
        assert isinstance(pool, HTTPPool) and set(cfg.envs) <= set(pool.served)
    finally:
        pool.close()
    with pytest.raises(GymkitError, match="rollout.env_server"):
        load_config("tiny-cpu", ["rollout.pool=http"])


def test_unreachable_or_incomplete_server_is_one_line(server):
    from gymkit.errors import GymkitError

    with pytest.raises(GymkitError, match="does not serve sql"):
        HTTPPool(server.url, ["math", "sql"])
    dead = start_in_thread({"test_tally": Tally})
    url = dead.url
    dead.stop()
    with pytest.raises(GymkitError, match="did not answer /health"):
        HTTPPool(url, ["test_tally"])


def test_server_gone_mid_run_is_status_error():
    """Episodes in flight when the server dies come back as error, not lost or hung."""
    srv = start_in_thread({"test_tally": Tally})
    tasks = Tally().generate(4)
    pool = HTTPPool(srv.url, ["test_tally"], request_timeout_s=10)

    class StopServerAfterFirstTurn(Script):
        def generate(self, requests, params):
            if any(m["role"] == "tool" for r in requests for m in r.messages):
                srv.stop()
            return super().generate(requests, params)

    try:
        rollouts = run_episodes(tasks, StopServerAfterFirstTurn(tasks), pool, SamplingParams())
    finally:
        pool.close()
    assert [r.status for r in rollouts] == ["error"] * 4
    assert all("env server" in r.error for r in rollouts)


def test_tool_route_turn_limit_then_verify_keeps_the_verdict(server):
    task = Tally().generate(1, seed=4)[0]
    row = task_to_row(task)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        sid = c.post("/seed_session", json=row).json()["session_id"]
        outs = [c.post("/add", json={"n": 1, "session_id": sid}).json() for _ in range(Tally.max_turns)]
        assert [o["status"] for o in outs] == ["running"] * 3 + ["truncated"]
        got = c.post("/verify", json={**row, "session_id": sid, "response": {"output": [
            {"type": "message", "role": "assistant", "content": "anything"}]}}).json()
        assert (got["reward"], got["status"]) == (0.0, "truncated")


def test_model_seeding_its_own_task_under_the_same_id_is_not_scored_on_it(server):
    """An agent forwards any tool name the model writes to `/<name>`, and carries the cookies
    it gets back to /verify (NeMo Gym's simple_agent does). A model that calls `seed_session`
    with a task of its own under the real task's id, makes that easy task's state, and answers
    it, must still be scored on the row's task."""
    task = Tally().generate(1, seed=6)[0]
    row = task_to_row(task)
    a, b = task.data["a"], task.data["b"]
    easy = task.model_copy(update={"data": {"a": 0, "b": 0}})  # same id, answer 0 after add(0)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        assert c.post("/seed_session", json=row).status_code == 200  # the agent's own seeding
        forged = c.post("/seed_session", json={"task": easy.model_dump(mode="json")})  # "tool"
        assert forged.status_code == 200  # the client's cookie is now the forged session
        c.post("/add", json={"n": 0})
        output = [{"type": "function_call", "call_id": "x", "name": "seed_session",
                   "arguments": json.dumps({"task": easy.model_dump(mode="json")})},
                  {"type": "function_call_output", "call_id": "x", "output": forged.text},
                  {"type": "function_call", "call_id": "y", "name": "add", "arguments": '{"n": 0}'},
                  {"type": "function_call_output", "call_id": "y", "output": "0"},
                  {"type": "message", "role": "assistant", "content": "0"}]
        got = c.post("/verify", json={**row, "response": {"output": output}}).json()
    assert a + b != 0 and got["status"] == "wrong" and got["reward"] == 0.0, got


def test_hostile_verify_output_is_wrong_not_error(server):
    """Junk the model controls (odd items, huge or deeply nested text) is a verdict: wrong."""
    task = make_env("math").generate(1, seed=3)[0]
    junk = [7, None, "text", {"type": "reasoning", "summary": []},
            {"type": "function_call", "name": 5, "arguments": {"x": [1]}},
            {"type": "function_call_output", "output": "x"},
            {"type": "message", "role": "assistant",
             "content": [{"type": "output_text", "text": "\\boxed{" * 10_000}, 3, None]},
            {"type": "message", "role": "assistant", "content": "(" * 100_000 + "1" * 900_000}]
    with httpx.Client(base_url=server.url, timeout=60) as c:
        for output in (junk, junk[:-1], []):
            got = c.post("/verify", json={**task_to_row(task), "response": {"output": output}})
            assert got.status_code == 200
            assert got.json()["status"] in ("wrong", "truncated"), got.json()


def test_resources_session_protocol_and_verify_fields(server):
    """NeMo Gym's newer resources-server contract: a caller-named session (idempotent seed,
    idempotent close, no revival after close), mask_sample / failure_kind on verify, the
    reverify mode, and aggregate metrics that never count a malformed row as a zero."""
    task = make_env("tool_calc").generate(1, seed=3)[0]
    row = task_to_row(task)
    with httpx.Client(base_url=server.url, timeout=30) as c:
        seed = {"resources_session_id": "rs-1", "episode_id": "e1", "task_id": task.id,
                "task_data": row}
        assert c.post("/seed_session", json=seed).json() == {"resources_session_id": "rs-1"}
        assert c.post("/seed_session", json=seed).json() == {"resources_session_id": "rs-1"}
        for a in task.gold[:-1]:
            for call in a["tool_calls"]:
                fn = call["function"]
                r = c.post(f"/{fn['name']}", json={**json.loads(fn["arguments"]),
                                                   "session_id": "rs-1"})
                assert r.status_code == 200, r.text
        got = c.post("/verify", json={**row, "session_id": "rs-1", "response": {
            "output": _output_items(task.gold[-1:])}}).json()
        assert got["reward"] == 1.0 and got["mask_sample"] is False and got["failure_kind"] is None
        for _ in range(2):
            r = c.post("/close_session", json={"resources_session_id": "rs-1", "episode_id": "e1"})
            assert r.json() == {"resources_session_id": "rs-1"}
        assert c.post("/seed_session", json=seed).status_code == 409
        bad = c.post("/verify", json={"task": {"id": "x"}, "response": {"output": []}}).json()
        assert bad["mask_sample"] is True and bad["failure_kind"] == "verifier_error"
        assert bad["failure_reason"]
        assert c.get("/reverify_mode").json() == "stateless"
        body = json.dumps({"verify_responses": [  # json.dumps writes Infinity, as some clients do
            {"task_id": "a", "reward": 1.0, "status": "correct"},
            {"task_id": "a", "reward": 0.0, "status": "wrong"},
            {"task_id": "b", "reward": 0.0, "status": "error", "mask_sample": True},
            {"task_id": "c", "reward": "NaN"}, {"task_id": "d", "reward": float("inf")}, "junk"]})
        agg = c.post("/aggregate_metrics", content=body,
                     headers={"content-type": "application/json"}).json()
        assert agg["agent_metrics"]["mean/reward"] == 0.5
        assert agg["agent_metrics"]["masked"] == 1 and agg["agent_metrics"]["malformed"] == 3
        assert agg["group_level_metrics"] == [{"task": "a", "mean/reward": 0.5, "rollouts": 2}]
