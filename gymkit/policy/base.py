"""The `Policy` interface: batched chat generation that returns the sampler's exact tokens.

Backends: `hf` (transformers, the embedded CPU default), `openai` (any OpenAI-compatible
server: `vllm serve`, NIM, build.nvidia.com) and `vllm` (in-process engine). The driver
calls `generate` once per turn for every live episode, so a backend sees the whole batch.

Multi-turn token bookkeeping: on a later turn the driver passes `prefix_ids`, the exact tokens
of the conversation so far (the previous prompt plus the sampled tokens), and
`n_prefix_messages`, how many of `messages` those tokens cover. A token-level backend must
return `prompt_ids` that start with `prefix_ids` and add only the new messages' tokens: the
sampled tokens are never re-tokenised (re-templating multi-turn history breaks on-policy RL).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..types import Message


class SamplingParams(BaseModel):
    """Sampling settings, shared by every backend."""

    model_config = ConfigDict(extra="forbid")

    max_new_tokens: int = Field(256, gt=0)
    temperature: float = Field(1.0, ge=0.0)  # 0 means greedy
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    top_k: int = Field(0, ge=0)  # 0 means off
    seed: int | None = None
    stop: list[str] = Field(default_factory=list)
    # Nemotron reasoning control: passed to the chat template as `enable_thinking`; None keeps
    # the template's default. thinking_budget caps the tokens spent inside <think>.
    enable_thinking: bool | None = None
    thinking_budget: int | None = Field(None, gt=0)


@dataclass
class GenRequest:
    """One chat request. On later turns of an episode, `prefix_ids` holds the exact tokens of the
    conversation so far and `n_prefix_messages` how many of `messages` they cover."""

    messages: list[Message]
    tools: list[dict[str, Any]] | None = None
    prefix_ids: list[int] | None = None
    n_prefix_messages: int = 0


@dataclass
class Generation:
    """A backend's answer to one GenRequest. `logprobs[i]` is the logprob of `token_ids[i]`
    (see the backend's docstring for which distribution); servers that do not return token ids
    leave `prompt_ids`/`token_ids` empty."""

    text: str
    prompt_ids: list[int] = field(default_factory=list)  # what the model was fed this turn
    token_ids: list[int] = field(default_factory=list)  # what it sampled
    logprobs: list[float] = field(default_factory=list)  # one per sampled token
    finish_reason: str = "stop"  # stop | length | tool_calls | error
    tool_calls: list[dict[str, Any]] | None = None  # from servers that parse them
    latency_s: float = 0.0
    error: str | None = None  # the backend failed for this request (never a silent empty text)
    # Positions in token_ids that the backend forced rather than sampled (the thinking budget's
    # "</think>"): the trainer should mask them out of the policy-gradient loss.
    forced: list[int] = field(default_factory=list)
    # The policy version (weight syncs so far) of the engine that sampled it; None in-process.
    version: int | None = None


class Policy(ABC):
    """A model that answers chat requests in batches."""

    backend: str = ""
    model_id: str = ""

    @abstractmethod
    def generate(self, requests: list[GenRequest], params: SamplingParams) -> list[Generation]:
        """One generation per request, in order."""

    def sync_weights(self, model: Any) -> None:
        """Load new weights after an optimizer step (no-op where the sampler *is* the model)."""

    def close(self) -> None:
        """Free the model, engine or connection."""
