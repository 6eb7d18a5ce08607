"""The openai backend against a real OpenAI-compatible server on 127.0.0.1, backed by the tiny HF policy."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from gymkit.errors import GymkitError
from gymkit.policy import GenRequest, SamplingParams, load_policy
from gymkit.tools import parse_tool_calls

KEY = "test-key"


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GYMKIT_CACHE", str(tmp_path_factory.getbasetemp() / "gymkit-cache"))
        mp.setenv("GYMKIT_TEST_KEY", KEY)
        yield


@pytest.fixture(scope="module")
def hf():
    return load_policy("tiny-random-llama", dtype="float32")


class ChatServer(ThreadingHTTPServer):
    """`/v1/chat/completions` over an HFPolicy, with vLLM's token-id extensions.

    Model names trigger failures: "fail" always answers 500, "flaky" answers 503 to the first
    attempt of each conversation, "slow" waits longer than the client's timeout.
    """

    daemon_threads = False  # server_close() joins handlers: none may still run torch at exit

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # "slow": client left
            super().handle_error(request, client_address)

    def __init__(self, policy):
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.policy, self.lock, self.attempts, self.bodies = policy, threading.Lock(), {}, []


class ChatHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        srv: ChatServer = self.server
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        srv.bodies.append(body)
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": f"no route {self.path}"}})
        if self.headers.get("Authorization") != f"Bearer {KEY}":
            return self._send(401, {"error": {"message": "bad api key"}})
        key = json.dumps(body["messages"])
        with srv.lock:
            srv.attempts[key] = srv.attempts.get(key, 0) + 1
            attempt = srv.attempts[key]
        if body["model"] == "fail":
            return self._send(500, {"error": {"message": "engine died"}})
        if body["model"] == "flaky" and attempt == 1:
            return self._send(503, {"error": {"message": "warming up"}})
        if body["model"] == "slow":
            time.sleep(1.0)
        self._send(200, self._complete(srv, body))

    def _complete(self, srv: ChatServer, body: dict) -> dict:
        kwargs = body.get("chat_template_kwargs") or {}
        params = SamplingParams(max_new_tokens=body.get("max_tokens", 16), temperature=body.get("temperature", 1.0),
                                top_p=body.get("top_p", 1.0), top_k=body.get("top_k", 0), seed=body.get("seed"),
                                stop=body.get("stop") or [], enable_thinking=kwargs.get("enable_thinking"))
        with srv.lock:  # one generation at a time on the shared model
            (g,) = srv.policy.generate([GenRequest(messages=body["messages"], tools=body.get("tools"))], params)
        content, calls, _ = parse_tool_calls(g.text) if body.get("tools") else (g.text, [], [])
        choice = {"index": 0, "message": {"role": "assistant", "content": content, "tool_calls": calls},
                  "finish_reason": "tool_calls" if calls else g.finish_reason}
        if body.get("logprobs"):
            as_ids = body.get("return_tokens_as_token_ids")
            tok = srv.policy.tokenizer
            choice["logprobs"] = {"content": [
                {"token": f"token_id:{t}" if as_ids else tok.decode([t]), "logprob": lp}
                for t, lp in zip(g.token_ids, g.logprobs)]}
        out = {"id": "cmpl-test", "object": "chat.completion", "model": body["model"], "choices": [choice]}
        if body.get("return_token_ids"):
            choice["token_ids"] = g.token_ids
            out["prompt_token_ids"] = g.prompt_ids
        return out


@pytest.fixture(scope="module")
def server(hf):
    srv = ChatServer(hf)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def client(server, model="tiny-random-llama", **opts):
    opts.setdefault("api_key_env", "GYMKIT_TEST_KEY")
    return load_policy(model, backend="openai", base_url=f"http://127.0.0.1:{server.server_port}/v1", **opts)


def ask(*texts):
    return [GenRequest(messages=[{"role": "user", "content": t}]) for t in texts]


def test_matches_the_hf_policy_token_for_token(server, hf):
    greedy = SamplingParams(max_new_tokens=8, temperature=0)
    remote = client(server).generate(ask("What is 2+2?", "Hi"), greedy)
    local = hf.generate(ask("What is 2+2?", "Hi"), greedy)
    for r, l in zip(remote, local):
        assert r.error is None and r.text == l.text and r.finish_reason == l.finish_reason
        assert r.token_ids == l.token_ids and r.prompt_ids == l.prompt_ids
        assert r.logprobs == pytest.approx(l.logprobs, abs=1e-5)


def test_token_ids_from_logprob_entries_without_return_token_ids(server):
    pol = client(server, vllm_extras=False)
    (g,) = pol.generate(ask("Hi"), SamplingParams(max_new_tokens=5, temperature=0, top_k=5))
    body = server.bodies[-1]
    assert "return_token_ids" not in body and "top_k" not in body  # strict-OpenAI request
    assert g.token_ids == [] and len(g.logprobs) == 5  # text-only logprob tokens: no ids to trust
    (h,) = client(server).generate(ask("Hi"), SamplingParams(max_new_tokens=5, temperature=0))
    assert len(h.token_ids) == 5 and server.bodies[-1]["return_tokens_as_token_ids"] is True


def test_request_carries_sampling_tools_and_thinking(server):
    tool = {"type": "function", "function": {"name": "add", "parameters": {"type": "object", "properties": {}}}}
    req = GenRequest(messages=[{"role": "user", "content": "add"}], tools=[tool])
    params = SamplingParams(max_new_tokens=4, temperature=0.5, top_k=7, seed=3, stop=["\n\n"], enable_thinking=False)
    client(server).generate([req, req], params)
    a, b = server.bodies[-2:]
    assert a["tools"] == [tool] and a["top_k"] == 7 and a["stop"] == ["\n\n"]
    assert a["chat_template_kwargs"] == {"enable_thinking": False}
    assert a["seed"] != b["seed"]  # repeated prompts in a group must not share one sample
    client(server, model="nano-9b").generate(ask("q"), params)  # its switch is a system-prompt line
    body = server.bodies[-1]
    assert body["model"] == "nvidia/NVIDIA-Nemotron-Nano-9B-v2" and "chat_template_kwargs" not in body
    assert body["messages"][0] == {"role": "system", "content": "/no_think"}


def test_concurrent_requests_keep_order(server, hf):
    prompts = [f"question {i}" for i in range(6)]
    greedy = SamplingParams(max_new_tokens=3, temperature=0)
    remote = client(server, max_concurrency=4).generate(ask(*prompts), greedy)
    local = hf.generate(ask(*prompts), greedy)
    assert [g.prompt_ids for g in remote] == [g.prompt_ids for g in local]


def test_retries_then_succeeds(server):
    (g,) = client(server, model="flaky", backoff_s=0.01).generate(ask("retry me"), SamplingParams(max_new_tokens=3))
    assert g.error is None and g.token_ids


def test_server_errors_become_generation_errors(server):
    (g,) = client(server, model="fail", max_retries=2, backoff_s=0.01).generate(ask("x"), SamplingParams())
    assert g.finish_reason == "error" and "HTTP 500" in g.error and "3 attempts" in g.error and g.text == ""
    (t,) = client(server, model="slow", timeout_s=0.2, max_retries=0).generate(ask("y"), SamplingParams())
    assert t.finish_reason == "error" and "timeout" in t.error
    (u,) = client(server, api_key_env="GYMKIT_NO_SUCH_KEY").generate(ask("z"), SamplingParams())
    assert u.finish_reason == "error" and "HTTP 401" in u.error  # a client error is not retried


def test_unreachable_server_is_an_error():
    pol = load_policy("tiny-random-llama", backend="openai", base_url="http://127.0.0.1:9/v1", max_retries=1,
                      backoff_s=0.01)
    (g,) = pol.generate(ask("x"), SamplingParams())
    assert g.finish_reason == "error" and "connection error" in g.error


def test_thinking_budget_is_refused(server):
    with pytest.raises(GymkitError, match="thinking_budget"):
        client(server).generate(ask("x"), SamplingParams(thinking_budget=10))
