"""`rm_chat`: prompts with no verifier, rewarded by a reward model trained with `gymkit train-rm`.

The reward is `sigmoid(rm(prompt, response))` in (0, 1); the status is `correct` when the RM
prefers the response to a coin flip (> 0.5), so pass rate reads as "share the RM likes".
Without a reward model the env cannot judge: every answer comes back with status `error`
(kept out of the gradient), never a silent 0.
"""
from __future__ import annotations

import json
import os
import random
from functools import cached_property
from pathlib import Path
from typing import Any

from gymkit.env import BaseEnv
from gymkit.registry import register_env
from gymkit.types import Score, Task

PROMPTS = Path(__file__).parent / "data" / "prompts.jsonl"


@register_env
class RMChatEnv(BaseEnv):
    """Helpful-chat prompts; a reward model is the judge."""

    name = "rm_chat"
    family = "instruction"
    verifier = "a Bradley-Terry reward model (gymkit train-rm) scores prompt + response"
    difficulties = (1,)
    learned_judge = True

    def __init__(self, rm_path: str | None = None, batch_size: int = 16, **config: Any):
        super().__init__(rm_path=rm_path, **config)
        self.rm_path = rm_path or os.environ.get("GYMKIT_RM_PATH")
        self.batch_size = batch_size

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
        if not self.rm_path:
            return Score.failed("rm_chat has no reward model: set reward_model.path "
                                "(or GYMKIT_RM_PATH) to a `gymkit train-rm` output")
        if not response.strip():
            return Score.wrong("empty response")
        (p,) = self._rm.score([(task.prompt, response)])
        status = "correct" if p > 0.5 else "wrong"
        return Score(reward=p, status=status, components={"rm": p},
                     info={"reason": f"reward model score {p:.3f}"})
