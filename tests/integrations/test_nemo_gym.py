"""gymkit next to NeMo Gym's own code (the published `nemo-gym` 0.4.0, in its own Python 3.12
venv: `make setup-nemogym`), both ways:

* NeMo Gym's resources servers played as a gymkit env (`gymkit.integrations.nemo_gym`):
  the stateful counter (session cookies, tools, /verify) and MCQA (single turn);
* NeMo Gym's `simple_agent` driving `gymkit serve-env`, its model a scripted policy that plays
  gymkit's gold and wrong transcripts: the reward and status must be the native ones.

The NeMo Gym servers run as subprocesses of the NeMo Gym venv (scripts/nemo_gym_serve.py).
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
NG_PY = Path(os.environ.get("GYMKIT_NEMO_GYM_PYTHON", ROOT / ".venv-nemogym" / "bin" / "python"))
if not NG_PY.exists():
    pytest.skip(f"no NeMo Gym venv at {NG_PY}: run `make setup-nemogym`", allow_module_level=True)

from gymkit.env import play  # noqa: E402
from gymkit.integrations.nemo_gym import NeMoGymEnv  # noqa: E402
from gymkit.registry import make_env  # noqa: E402
from gymkit.serve_env import start_in_thread, task_to_row  # noqa: E402
from gymkit.tools import make_call  # noqa: E402

from responses_policy import make_policy_app  # noqa: E402

pytestmark = pytest.mark.timeout(300)


@contextmanager
def nemo_gym_server(*args: str, start_timeout_s: float = 120.0):
    """A NeMo Gym server from its own venv; yields its URL once it listens. Modules in this
    folder (nemo_gym_hostile_server) are importable there."""
    log = open(ROOT / "runs" / f"nemo_gym_{args[0]}_{os.getpid()}.log", "w") \
        if (ROOT / "runs").is_dir() else subprocess.DEVNULL
    proc = subprocess.Popen([str(NG_PY), str(ROOT / "scripts" / "nemo_gym_serve.py"), *args],
                            stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent)})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                line = ""
            if line.startswith("listening "):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"NeMo Gym server {args} did not start (exit {proc.poll()}); "
                            f"see runs/nemo_gym_{args[0]}_*.log")
        yield line.split()[1]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not subprocess.DEVNULL:
            log.close()


@pytest.fixture(scope="module")
def ng_data() -> Path:
    """Where the NeMo Gym package keeps its resources servers' example data."""
    out = subprocess.run([str(NG_PY), "-c", "import resources_servers; "  # a namespace package
                          "print(list(resources_servers.__path__)[0])"],
                         capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def counter_url():
    with nemo_gym_server("resources", "resources_servers.example_session_state_mgmt.app:"
                         "StatefulCounterResourcesServer") as url:
        yield url


@pytest.fixture(scope="module")
def counter_env(counter_url, ng_data):
    env = NeMoGymEnv(url=counter_url, dataset=str(
        ng_data / "example_session_state_mgmt" / "data" / "example.jsonl"))
    yield env
    env.close()


def increments(task, total: int | None = None) -> list[dict]:
    """The counter's gold: one increment that reaches the row's expected count, then an answer."""
    row = task.data["row"]
    n = row["expected_count"] - row["initial_count"] if total is None else total
    return [{"role": "assistant", "content": "",
             "tool_calls": [make_call("increment_counter", {"count": n}, call_id="c1")]},
            {"role": "assistant", "content": "done"}]


# ---------------------------------------------------------------------------- NeMo Gym -> gymkit
def test_counter_server_as_a_gymkit_env(counter_env):
    tasks = counter_env.generate(5, seed=0)
    assert {t.tools[0]["function"]["name"] for t in tasks} == {"increment_counter"}
    assert tasks[0].prompt[0]["role"] == "user"
    for task in tasks:
        messages, score = play(counter_env, task, increments(task))
        assert score.status == "correct" and score.reward == 1.0, score
        tool_out = [m["content"] for m in messages if m["role"] == "tool"]
        assert [json.loads(x) for x in tool_out] == [{"success": True}]  # the server's answer
        _, wrong = play(counter_env, task, increments(task, total=0))
        assert wrong.status == "wrong" and wrong.reward == 0.0
        _, silent = play(counter_env, task, [{"role": "assistant", "content": "6"}])
        assert silent.status == "wrong"  # never touched the counter: the server says 0


def test_episodes_keep_their_own_sessions(counter_env):
    """Two episodes of the same task interleaved: each one's cookies, each one's counter."""
    task = counter_env.generate(1, seed=3)[0]
    good, bad = counter_env.reset(task), counter_env.reset(task)
    gold, wrong = increments(task), increments(task, total=1000)
    for g, w in zip(gold, wrong):
        a, b = counter_env.step(good, g), counter_env.step(bad, w)
    assert a.done and b.done
    assert (a.score.status, b.score.status) == ("correct", "wrong")
    assert good.state["cookies"] != bad.state["cookies"]


def test_bad_tool_calls_are_observations_not_crashes(counter_env):
    task = counter_env.generate(1)[0]
    ep = counter_env.reset(task)
    step = counter_env.step(ep, {"role": "assistant", "content": "", "tool_calls": [
        make_call("increment_counter", {"count": "many"}, call_id="a"),
        make_call("delete_everything", {}, call_id="b"),
        {"id": "c", "type": "function", "function": {"name": "increment_counter",
                                                     "arguments": "{not json"}}]})
    assert not step.done and len(step.observation) == 3
    assert "int" in step.observation[0]["content"]  # the server's own 422 detail
    assert "no tool named 'delete_everything'" in step.observation[1]["content"]
    assert "Invalid tool call arguments" in step.observation[2]["content"]
    for msg in increments(task):
        last = counter_env.step(ep, msg)
    assert last.done and last.score.status == "correct"


def test_http_pool_pointed_at_nemo_gym_says_what_to_use(counter_url):
    from gymkit.errors import GymkitError
    from gymkit.http_pool import HTTPPool

    with pytest.raises(GymkitError, match="not a `gymkit serve-env` server.*NeMoGymEnv"):
        HTTPPool(counter_url)


def test_unreachable_server_is_error_not_zero(ng_data):
    env = NeMoGymEnv(url="http://127.0.0.1:9", request_timeout_s=5, dataset=str(
        ng_data / "example_session_state_mgmt" / "data" / "example.jsonl"))
    task = env.generate(1)[0]
    _, score = play(env, task, increments(task))
    assert score.status == "error" and "seed_session" in score.error


def test_bad_options_and_rows_fail_with_one_line(tmp_path, ng_data):
    from gymkit.errors import GymkitError

    with pytest.raises(GymkitError, match="does not exist"):
        NeMoGymEnv(url="http://x", dataset=str(tmp_path / "nope.jsonl"))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"responses_create_params": {"input": "hi"}}\n{"no_params": 1}\n')
    with pytest.raises(GymkitError, match="row 1 has no responses_create_params"):
        NeMoGymEnv(url="http://x", dataset=str(bad))
    with pytest.raises(GymkitError, match="needs option url"):
        env = NeMoGymEnv(dataset=str(ng_data / "mcqa" / "data" / "example.jsonl"))
        t = env.generate(1)[0]
        env.step(env.reset(t), {"role": "assistant", "content": "x"})


def test_hostile_server_hangs_and_crashes_are_never_scores(tmp_path):
    """A tool that hangs is an observation (the episode goes on and is scored); a verifier
    that crashes is `error`, one that hangs `timeout`, a NaN reward `error`: none is a 0."""
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"responses_create_params": {"input": "say ok", "tools": [
        {"type": "function", "name": "slow_tool", "strict": False, "parameters": {
            "type": "object", "properties": {"seconds": {"type": "number"}}}}]}}) + "\n")
    with nemo_gym_server("resources", "nemo_gym_hostile_server:HostileServer") as url:
        env = NeMoGymEnv(url=url, dataset=str(rows), request_timeout_s=2)
        task = env.generate(1)[0]
        hang_tool = {"role": "assistant", "content": "", "tool_calls": [
            make_call("slow_tool", {"seconds": 30}, call_id="s")]}
        ep = env.reset(task)
        step = env.step(ep, hang_tool)
        assert not step.done and "gave no answer within 2 s" in step.observation[0]["content"]
        assert env.step(ep, {"role": "assistant", "content": "ok"}).score.status == "correct"
        fast = {"role": "assistant", "content": "", "tool_calls": [
            make_call("slow_tool", {"seconds": 0}, call_id="f")]}
        for final, status in (("ok", "correct"), ("no", "wrong"), ("crash", "error"),
                              ("hang", "timeout"), ("nan", "error")):
            _, score = play(env, task, [fast, {"role": "assistant", "content": final}])
            assert score.status == status, (final, score)
            assert score.reward == (1.0 if status == "correct" else 0.0)
            if status in ("error", "timeout"):
                assert score.error and "/verify" in score.error
        env.close()


def test_mcqa_server_single_turn(ng_data):
    with nemo_gym_server("resources", "resources_servers.mcqa.app:MCQAResourcesServer") as url:
        env = NeMoGymEnv(url=url, dataset=str(ng_data / "mcqa" / "data" / "example.jsonl"))
        tasks = env.generate(4, seed=1)
        for task in tasks:
            gold = task.data["row"]["expected_answer"]
            other = "A" if gold != "A" else "B"
            assert play(env, task, [{"role": "assistant", "content": f"\\boxed{{{gold}}}"}]
                        )[1].status == "correct"
            assert play(env, task, [{"role": "assistant", "content": f"\\boxed{{{other}}}"}]
                        )[1].status == "wrong"
            # reasoning that never closes is refused before the server is asked
            unclosed = play(env, task, [{"role": "assistant",
                                         "content": f"<think>\\boxed{{{gold}}}"}])[1]
            assert unclosed.status == "wrong" and "unterminated" in unclosed.info["reason"]
        env.close()


# ---------------------------------------------------------------------------- gymkit -> NeMo Gym
@contextmanager
def policy_server(scripts):
    import uvicorn

    from gymkit.serve_env import bind

    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(make_policy_app(scripts), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


def wrong_actions(env, task):
    """A wrong transcript: no tool call, a final answer that is not the gold's (some envs
    judge the state the tools leave, not the text, so the gold's calls would pass there)."""
    return [{"role": "assistant", "content": "\\boxed{-987654321} I am not sure"}]


@pytest.mark.parametrize("env_names", [["math", "tool_calc", "search_kb", "python_tool"]])
def test_nemo_gym_simple_agent_drives_gymkit_serve_env(env_names):
    envs = {n: make_env(n) for n in env_names}
    tasks = [t for n, e in envs.items() for t in e.generate(3, seed=5)]
    scripts: dict = {}
    served = start_in_thread(env_names)
    try:
        with policy_server(scripts) as model_url, \
                nemo_gym_server("agent", "--config", "configs/nemo_gym/gymkit.yaml", "--resources",
                                served.url, "--model", model_url) as agent:
            for kind in ("gold", "wrong"):
                scripts.clear()
                for t in tasks:
                    user = next(m["content"] for m in t.prompt if m["role"] == "user")
                    env = envs[t.env]
                    scripts[user] = env.gold_actions(t) if kind == "gold" else wrong_actions(env, t)
                rows = []
                for t in tasks:
                    row = task_to_row(t, agent="gymkit_simple_agent")  # as `gymkit tasks` writes
                    resp = httpx.post(f"{agent}/run", json=row, timeout=60)
                    assert resp.status_code == 200, resp.text[:500]
                    out = resp.json()
                    native = play(envs[t.env], t, scripts[next(
                        m["content"] for m in t.prompt if m["role"] == "user")])[1]
                    assert (out["status"], out["reward"]) == (native.status, native.reward), \
                        (kind, t.env, t.id, out.get("error"), native)
                    assert out["status"] == ("correct" if kind == "gold" else "wrong")
                    rows.append(out)
                # NeMo Gym's agent proxies /aggregate_metrics to the env server and validates it
                agg = httpx.post(f"{agent}/aggregate_metrics", json={"verify_responses": rows},
                                 timeout=60)
                assert agg.status_code == 200, agg.text[:500]
                assert agg.json()["agent_metrics"]["scored"] == len(tasks)
    finally:
        served.stop()


def test_conversational_env_under_simple_agent_is_truncated_not_wrong():
    """NeMo Gym's simple_agent ends an episode at the first plain text message. retail_agent
    answers text with its simulated customer, so its episodes cannot finish under that loop:
    the verdict says `truncated` with the reason, never a silent 0 for a right answer."""
    env = make_env("retail_agent")
    task = env.generate(1, seed=4)[0]
    gold = env.gold_actions(task)
    assert any(m.get("content") and not m.get("tool_calls") for m in gold[:-1])
    user = next(m["content"] for m in task.prompt if m["role"] == "user")
    served = start_in_thread(["retail_agent"])
    try:
        with policy_server({user: gold}) as model_url, \
                nemo_gym_server("agent", "--resources", served.url, "--model", model_url) as agent:
            out = httpx.post(f"{agent}/run", json=task_to_row(task), timeout=60).json()
        assert out["status"] == "truncated" and out["reward"] == 0.0, out.get("error")
    finally:
        served.stop()


def test_shipped_nemo_gym_config_as_nemo_gym_reads_it():
    """configs/nemo_gym/gymkit.yaml: the gymkit server is reachable by name and not launched
    (no entrypoint), and the agent block validates as NeMo Gym's SimpleAgentConfig."""
    code = """
import json, sys
from omegaconf import OmegaConf
from nemo_gym.global_config import get_first_server_config_dict
from responses_api_agents.simple_agent.app import SimpleAgentConfig
cfg = OmegaConf.load(sys.argv[1])
block = get_first_server_config_dict(cfg, "gymkit_simple_agent")
agent = SimpleAgentConfig.model_validate({**OmegaConf.to_container(block),
                                          "name": "gymkit_simple_agent", "host": "h", "port": 1})
res = get_first_server_config_dict(cfg, agent.resources_server.name)
print(json.dumps({"port": res.port, "launched": "entrypoint" in res,
                  "model": agent.model_server.name, "max_steps": agent.max_steps}))
"""
    out = subprocess.run([str(NG_PY), "-c", code, str(ROOT / "configs/nemo_gym/gymkit.yaml")],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout) == {"port": 8000, "launched": False, "model": "policy_model",
                                      "max_steps": 16}
    row = task_to_row(make_env("math").generate(1)[0], agent="gymkit_simple_agent")
    assert row["agent_ref"] == {"type": "responses_api_agents", "name": "gymkit_simple_agent"}
