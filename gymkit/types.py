"""The contracts every part of gymkit speaks: Task in, Rollout out, Score in between.

Messages are OpenAI-style chat dicts (`{"role", "content", "tool_calls", "tool_call_id"}`),
so the same rows travel to an OpenAI-compatible server, a chat template, or a JSONL file.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Message = dict[str, Any]
Status = Literal["correct", "wrong", "error", "timeout", "truncated"]
STATUSES: tuple[str, ...] = ("correct", "wrong", "error", "timeout", "truncated")
# error and timeout say nothing about the answer: they are counted, never trained on.
UNSCORED: frozenset[str] = frozenset({"error", "timeout"})


class Task(BaseModel):
    """One problem an env can pose, with everything needed to verify an answer to it."""

    model_config = ConfigDict(extra="forbid")

    id: str
    env: str
    prompt: list[Message]
    tools: list[dict[str, Any]] | None = None  # OpenAI function schemas
    data: dict[str, Any] = Field(default_factory=dict)  # the verifier's data: gold answer, tests, ...
    gold: list[Message] | None = None  # assistant messages that solve the task (score 1)
    seed: int | None = None
    difficulty: int | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def gold_text(self) -> str | None:
        """The content of the first gold message (the whole gold for single-turn envs)."""
        return self.gold[0].get("content") if self.gold else None


class Score(BaseModel):
    """A verifier's verdict on one response. Status is kept apart from reward on purpose."""

    reward: float
    status: Status
    components: dict[str, float] = Field(default_factory=dict)
    error: str | None = None
    info: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def correct(cls, reward: float = 1.0, **info: Any) -> "Score":
        return cls(reward=reward, status="correct", info=info)

    @classmethod
    def wrong(cls, reason: str, reward: float = 0.0, **info: Any) -> "Score":
        return cls(reward=reward, status="wrong", info={"reason": reason, **info})

    @classmethod
    def failed(cls, error: str, status: Status = "error") -> "Score":
        """The verifier could not judge (crash, timeout): no reward signal at all."""
        return cls(reward=0.0, status=status, error=error)

    @classmethod
    def graded(cls, reward: float, reason: str = "", **info: Any) -> "Score":
        """Partial credit: status is correct only at full reward."""
        if reward >= 1.0:
            return cls.correct(reward, **info)
        return cls.wrong(reason or "partial", reward=reward, **info)


class Step(BaseModel):
    """What `BaseEnv.step` returns: the env's reply, and the verdict once the episode ends."""

    observation: list[Message] = Field(default_factory=list)
    done: bool = False
    score: Score | None = None  # set when done
    info: dict[str, Any] = Field(default_factory=dict)


class Rollout(BaseModel):
    """One sampled episode, scored. Stored rollouts carry their task and can be re-scored."""

    task_id: str
    env: str
    sample: int = 0
    messages: list[Message] = Field(default_factory=list)  # prompt + every turn
    # Exact sampler tokens: prompt_ids, then completion_ids = generated tokens interleaved with
    # observation tokens (tool results, user turns); loss_mask is 1 on generated tokens only.
    prompt_ids: list[int] = Field(default_factory=list)
    completion_ids: list[int] = Field(default_factory=list)
    logprobs: list[float] = Field(default_factory=list)
    loss_mask: list[int] = Field(default_factory=list)
    reward: float = 0.0
    components: dict[str, float] = Field(default_factory=dict)
    status: Status = "error"
    error: str | None = None
    info: dict[str, Any] = Field(default_factory=dict)
    turns: int = 0
    turn_tokens: list[int] = Field(default_factory=list)  # sampled tokens per assistant turn
    # policy version (weight syncs so far) each assistant turn was sampled with, as reported by
    # rollout engines; with turn_tokens it gives every token's version. Empty in-process.
    versions: list[int] = Field(default_factory=list)
    finish_reason: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    task: Task | None = None

    @property
    def scored(self) -> bool:
        """True when the reward says something about the answer (not an error or timeout)."""
        return self.status not in UNSCORED

    @property
    def response(self) -> str:
        """The last assistant message's text."""
        for m in reversed(self.messages):
            if m.get("role") == "assistant":
                return m.get("content") or ""
        return ""
