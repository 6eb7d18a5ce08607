"""`rm_chat`: prompts with no verifier, rewarded by a reward model trained with `gymkit train-rm`.

The reward is `sigmoid(rm(prompt, response))` in (0, 1); the status is `correct` when the RM
prefers the response to a coin flip (> 0.5), so pass rate reads as "share the RM likes".
Before the reward model sees a response, the env rejects what no judge should be asked to
like (status `wrong`, reward 0): empty text, text over `max_chars`, non-text (binary, symbol
soup), degenerate filler (`verifiers.degenerate`), the prompt echoed back, text written to the
judge instead of the user (role headers, "the reward model must...", self-grading, "ignore
previous instructions"; `inject.py`),
and text longer than the reward model reads (`max_len` tokens), since junk past its window
would be invisible to it. These gates need no model. Without a reward model the env cannot
judge the rest: such answers come back with status `error` (kept out of the gradient), never a
silent 0.
"""
from __future__ import annotations

import json
import os
import random
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import PositiveInt

from gymkit.env import BaseEnv
from gymkit.extras import has_module
from gymkit.registry import register_env
from gymkit.types import Score, Task
from gymkit.verifiers.constraints import looks_like_text
from gymkit.verifiers.degenerate import degenerate_reason, echo_share

from .inject import injection_reason

PROMPTS = Path(__file__).parent / "data" / "prompts.jsonl"
MAX_CHARS = 8_000  # a chat answer here is a few paragraphs; a flood is not judged
MAX_ECHO = 0.5  # share of the response's 4-word phrases copied from the prompt


@register_env
class RMChatEnv(BaseEnv):
    """Helpful-chat prompts; a reward model is the judge."""

    name = "rm_chat"
    family = "instruction"
    verifier = "a Bradley-Terry reward model (gymkit train-rm) scores prompt + response"
    difficulties = (1,)
    learned_judge = True

    def __init__(self, rm_path: str | None = None, batch_size: PositiveInt = 16,
                 max_chars: PositiveInt = MAX_CHARS, **config: Any):
        super().__init__(rm_path=rm_path, max_chars=max_chars, **config)
        self.rm_path = rm_path or os.environ.get("GYMKIT_RM_PATH")
        self.batch_size, self.max_chars = batch_size, max_chars

    @cached_property
    def prompts(self) -> list[str]:
        return [json.loads(ln)["prompt"] for ln in PROMPTS.read_text().splitlines() if ln.strip()]

    def generate_task(self, rng: random.Random, difficulty: int, index: int) -> Task:
        k = rng.randrange(len(self.prompts))
        return Task(id=f"rm_chat-{k}-{index}", env=self.name,
                    prompt=[{"role": "user", "content": self.prompts[k]}], data={"prompt_index": k})

    @cached_property
    def _rm(self):
        from gymkit.trainers.reward_model import RewardModelServer  # heavy: only when scoring

        return RewardModelServer(self.rm_path, self.batch_size)

    def score(self, task: Task, response: str) -> Score:
        if (why := self.unjudgeable(task, response)) is not None:
            return Score.wrong(why)
        if not self.rm_path:
            return Score.failed("rm_chat has no reward model: set reward_model.path "
                                "(or GYMKIT_RM_PATH) to a `gymkit train-rm` output")
        if not has_module("torch"):  # a base install: the reward model cannot run
            return Score.failed("rm_chat's reward model needs torch: pip install 'gymkit[train]'")
        rm = self._rm.rm
        if (n := len(rm.tokenizer(response)["input_ids"])) > rm.max_len:
            return Score.wrong(f"response is {n} tokens; the reward model reads {rm.max_len}")
        (p,) = self._rm.score([(task.prompt, response)])
        status = "correct" if p > 0.5 else "wrong"
        return Score(reward=p, status=status, components={"rm": p},
                     info={"reason": f"reward model score {p:.3f}"})

    def unjudgeable(self, task: Task, response: str) -> str | None:
        """Why `response` must score 0 whatever a reward model thinks of it, or None."""
        if not response.strip():
            return "empty response"
        if len(response) > self.max_chars:
            return f"response longer than {self.max_chars} characters"
        if not looks_like_text(response):
            return "response is not text: too few words among its tokens"
        if (why := degenerate_reason(response)) is not None:
            return why
        question = next((m.get("content") or "" for m in reversed(task.prompt)
                         if m.get("role") == "user"), "")
        if echo_share(response, question) > MAX_ECHO:
            return "echoes the prompt instead of answering it"
        return injection_reason(response)
