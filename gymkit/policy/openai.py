"""The `openai` backend: any OpenAI-compatible chat endpoint (`vllm serve`, NIM, build.nvidia.com).

Requests go out concurrently (a thread pool over one pooled httpx client), each with a timeout
and a bounded number of retries on connection errors, timeouts, 429 and 5xx. A request that
still fails comes back with `Generation.error` and finish_reason "error", never as an empty
answer. Tool calls the server parses are passed through in `Generation.tool_calls`; a server's
separate reasoning field is folded back into the text as `<think>...</think>`.

With `vllm_extras=True` (default) the request also carries vLLM's extensions: `top_k`,
`chat_template_kwargs` (`enable_thinking`), `return_token_ids` (prompt and sampled token ids)
and `return_tokens_as_token_ids` (logprob entries name their token id). Strict OpenAI servers
reject unknown fields: pass `vllm_extras=False` for those. Token-level multi-turn
(`prefix_ids`) cannot be honoured over a chat API, since the server re-renders the history; a
warning is logged when the returned prompt ids do not start with the given prefix.
`thinking_budget` needs token-level control and is refused here (use the hf or vllm backend).
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from ..errors import GymkitError
from . import models
from .base import Generation, GenRequest, Policy, SamplingParams
from .prompts import DEFAULT_SWITCH, with_system_lines
from .sampling import row_seed

log = logging.getLogger(__name__)
_RETRY_STATUS = {408, 429, 500, 502, 503, 504}


class OpenAIPolicy(Policy):
    """A chat-completions client behind the `Policy` interface.

    `model` is an alias (sent as its HF id) or the server's model name. `base_url` defaults to
    `$OPENAI_BASE_URL`, then `http://127.0.0.1:8000/v1`; the API key is read from the
    environment variable named by `api_key_env` (none sent when it is unset).
    """

    backend = "openai"

    def __init__(self, model: str, *, base_url: str | None = None, api_key_env: str = "OPENAI_API_KEY",
                 max_concurrency: int = 16, timeout_s: float = 300.0, max_retries: int = 3,
                 backoff_s: float = 0.5, logprobs: bool = True, vllm_extras: bool = True,
                 thinking_switch: tuple[str, str] | None = None) -> None:
        spec = models.get_spec(model)
        self.model_id = model
        self.served_name = spec.hf_id if spec and spec.hf_id else model
        self.switch = thinking_switch or (spec.thinking_switch if spec else None)
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or "http://127.0.0.1:8000/v1").rstrip("/")
        key = os.environ.get(api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.max_concurrency, self.max_retries, self.backoff_s = max_concurrency, max_retries, backoff_s
        self.logprobs, self.vllm_extras = logprobs, vllm_extras
        self.client = httpx.Client(base_url=self.base_url, headers=headers, timeout=httpx.Timeout(timeout_s),
                                   limits=httpx.Limits(max_connections=max_concurrency))
        self.pool = ThreadPoolExecutor(max_workers=max_concurrency, thread_name_prefix="gymkit-openai")

    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        """One Generation per request, in order; requests run concurrently."""
        if params.thinking_budget is not None:
            raise GymkitError("thinking_budget needs token-level control: use --backend hf or vllm")
        futures = [self.pool.submit(self._one, i, req, params) for i, req in enumerate(requests)]
        return [f.result() for f in futures]

    def request_body(self, index: int, req: GenRequest, params: SamplingParams) -> dict[str, Any]:
        """The JSON body for one request (public so it can be inspected and logged)."""
        messages = req.messages
        extra_kwargs: dict[str, Any] = {}
        if params.enable_thinking is not None:
            if self.switch or not self.vllm_extras:  # the model reads a system-prompt switch
                on, off = self.switch or DEFAULT_SWITCH
                messages, _ = with_system_lines(messages, [on if params.enable_thinking else off])
            else:
                extra_kwargs["enable_thinking"] = params.enable_thinking
        body: dict[str, Any] = {"model": self.served_name, "messages": messages,
                                "max_tokens": params.max_new_tokens, "temperature": params.temperature,
                                "top_p": params.top_p}
        if params.seed is not None:  # distinct per request: a GRPO group repeats one prompt
            body["seed"] = row_seed(params.seed, index)
        if params.stop:
            body["stop"] = params.stop
        if req.tools:
            body["tools"] = req.tools
        if self.logprobs:
            body["logprobs"] = True
        if self.vllm_extras:
            body["return_token_ids"] = True
            if self.logprobs:
                body["return_tokens_as_token_ids"] = True
            if params.top_k > 0:
                body["top_k"] = params.top_k
            if extra_kwargs:
                body["chat_template_kwargs"] = extra_kwargs
        return body

    def _one(self, index: int, req: GenRequest, params: SamplingParams) -> Generation:
        t0 = time.perf_counter()
        try:
            data = self._post(self.request_body(index, req, params))
            gen = parse_response(data)
        except _RequestFailed as e:
            gen = Generation(text="", finish_reason="error", error=str(e))
        gen.latency_s = time.perf_counter() - t0
        if req.prefix_ids and gen.prompt_ids and gen.prompt_ids[:len(req.prefix_ids)] != list(req.prefix_ids):
            log.warning("server re-tokenised the conversation history: prompt ids differ from prefix_ids")
        return gen

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff_s * 2 ** (attempt - 1))  # back off before a retry, not as sync
            try:
                resp = self.client.post("/chat/completions", json=body)
            except httpx.TimeoutException as e:
                last = f"timeout ({type(e).__name__})"
                continue
            except httpx.TransportError as e:
                last = f"connection error: {type(e).__name__}: {e}"
                continue
            if resp.status_code in _RETRY_STATUS:
                last = f"HTTP {resp.status_code}: {resp.text[:300]}"
                continue
            if resp.status_code != 200:  # a client error: retrying would not help
                raise _RequestFailed(f"HTTP {resp.status_code}: {resp.text[:300]}")
            try:
                return resp.json()
            except ValueError as e:
                raise _RequestFailed(f"server sent invalid JSON: {e}") from e
        raise _RequestFailed(f"{last} (after {self.max_retries + 1} attempts)")

    def sync_weights(self, model: Any) -> None:
        """Refused: a chat API cannot load new weights, and a silent no-op would let a run
        train a local copy while the server never learns (train refuses this backend)."""
        raise GymkitError("the openai backend cannot update the server's weights; "
                          "train with --backend hf or vllm")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()


class _RequestFailed(Exception):
    """A request that failed for good; becomes Generation.error."""


def parse_response(data: dict[str, Any]) -> Generation:
    """A chat-completions response as a Generation (token ids and logprobs when the server sent them)."""
    try:
        choice = data["choices"][0]
        msg = choice["message"]
    except (KeyError, IndexError, TypeError) as e:
        raise _RequestFailed(f"malformed response (no choices[0].message): {str(data)[:300]}") from e
    text = msg.get("content") or ""
    reasoning = msg.get("reasoning_content") or msg.get("reasoning")
    if reasoning:  # vLLM's reasoning parser splits the trace off; keep it, the env strips it
        text = f"<think>{reasoning}</think>{text}"
    entries = ((choice.get("logprobs") or {}).get("content")) or []
    logprobs = [float(e["logprob"]) for e in entries]
    token_ids = list(choice.get("token_ids") or [])
    if not token_ids and entries and all(str(e.get("token", "")).startswith("token_id:") for e in entries):
        token_ids = [int(e["token"].split(":", 1)[1]) for e in entries]
    return Generation(text=text, prompt_ids=list(data.get("prompt_token_ids") or []), token_ids=token_ids,
                      logprobs=logprobs, finish_reason=choice.get("finish_reason") or "stop",
                      tool_calls=msg.get("tool_calls") or None)
