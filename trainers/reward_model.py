"""Reward model: a causal-LM backbone with a scalar head, and how its scores reach rewards.

`RewardModel` reads the backbone's last hidden state at the final real token of
"prompt + response" (rendered with the chat template) and maps it to one number. Trained with a
Bradley-Terry loss (`trainers.rm_train`), only score *differences* are meaningful, so scores are
squashed with a sigmoid before use: a bounded reward that adds sensibly to a verifier's 0/1.

Serving: `RMClient(path, serve="ray")` hosts the model in a Ray actor (the trainer's process
keeps its memory for the policy); `serve="local"` runs it in-process (tests, small models).
`RewardBlender` applies `reward = verifier + rm_lambda * rm` per env, submitting each group as
soon as it is scored so the RM works while other groups still generate.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..errors import GymkitError
from ..types import Message, Rollout, Task

HEAD_FILE = "rm_head.pt"
META_FILE = "rm.json"


def render(tokenizer: Any, prompt: str | list[Message], response: str) -> str:
    """One conversation as text; the chat template when the tokenizer has one."""
    msgs = [{"role": "user", "content": prompt}] if isinstance(prompt, str) else list(prompt)
    msgs = msgs + [{"role": "assistant", "content": response}]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(msgs, tokenize=False)
    return "\n\n".join(f"{m['role']}: {m.get('content') or ''}" for m in msgs)


class RewardModel(nn.Module):
    """Backbone (`AutoModel`, no LM head) + `Linear(hidden, 1)` on the last real token."""

    def __init__(self, backbone: nn.Module, tokenizer: Any, max_len: int = 512):
        super().__init__()
        self.backbone, self.tokenizer, self.max_len = backbone, tokenizer, max_len
        self.head = nn.Linear(backbone.config.hidden_size, 1)
        nn.init.normal_(self.head.weight, std=1.0 / math.sqrt(backbone.config.hidden_size + 1))
        nn.init.zeros_(self.head.bias)
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token

    @classmethod
    def from_backbone(cls, model: str, max_len: int = 512) -> "RewardModel":
        """A fresh RM on a pretrained backbone (alias, directory or HF id)."""
        from transformers import AutoModel, AutoTokenizer

        from ..policy.models import resolve_checkpoint

        path = resolve_checkpoint(model)
        return cls(AutoModel.from_pretrained(path, dtype=torch.float32),
                   AutoTokenizer.from_pretrained(path), max_len)

    @classmethod
    def load(cls, path: str | Path) -> "RewardModel":
        """A trained RM written by `save`."""
        from transformers import AutoModel, AutoTokenizer

        path = Path(path)
        if not (path / HEAD_FILE).exists():
            raise GymkitError(f"{path} is not a reward model (no {HEAD_FILE}); "
                              "train one with `gymkit train-rm`")
        meta = json.loads((path / META_FILE).read_text())
        rm = cls(AutoModel.from_pretrained(path, dtype=torch.float32),
                 AutoTokenizer.from_pretrained(path), meta.get("max_len", 512))
        rm.head.load_state_dict(torch.load(path / HEAD_FILE, weights_only=True))
        return rm.eval()

    def save(self, path: str | Path, meta: dict[str, Any] | None = None) -> None:
        path = Path(path)
        self.backbone.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        torch.save(self.head.state_dict(), path / HEAD_FILE)
        (path / META_FILE).write_text(json.dumps({"max_len": self.max_len, **(meta or {})},
                                                 indent=2))

    def forward(self, texts: list[str]) -> torch.Tensor:
        """`(B,)` raw scores for rendered conversations."""
        enc = self.tokenizer(texts, return_tensors="pt", padding=True, truncation=True,
                             max_length=self.max_len, padding_side="right")
        device = self.head.weight.device
        ids, attn = enc["input_ids"].to(device), enc["attention_mask"].to(device)
        hidden = self.backbone(input_ids=ids, attention_mask=attn).last_hidden_state  # (B, L, H)
        last = attn.sum(-1) - 1  # right padding: index of the final real token
        pooled = hidden[torch.arange(hidden.shape[0], device=device), last]
        return self.head(pooled.float()).squeeze(-1)

    @torch.no_grad()
    def score(self, items: list[tuple[str | list[Message], str]], batch_size: int = 16) -> list[float]:
        """Sigmoid scores in (0, 1) for (prompt, response) pairs."""
        out: list[float] = []
        for i in range(0, len(items), batch_size):
            texts = [render(self.tokenizer, p, r) for p, r in items[i:i + batch_size]]
            out += torch.sigmoid(self(texts)).tolist()
        return out


class RewardModelServer:
    """The body of the RM's Ray actor (also usable in-process)."""

    def __init__(self, path: str, batch_size: int = 16):
        self.rm = RewardModel.load(path)
        self.batch_size = batch_size

    def score(self, items: list[tuple[Any, str]]) -> list[float]:
        return self.rm.score(items, self.batch_size)


class RMClient:
    """Submit scoring work now, collect it later; Ray actor or in-process."""

    def __init__(self, path: str, serve: str = "local", batch_size: int = 16):
        if serve == "ray":
            import ray

            from ..pool import init_ray

            init_ray()
            self._ray = ray
            self._actor = ray.remote(RewardModelServer).remote(path, batch_size)
            self._local = None
        else:
            self._ray = self._actor = None
            self._local = RewardModelServer(path, batch_size)

    def submit(self, items: list[tuple[Any, str]]) -> Any:
        if self._actor is not None:
            return self._actor.score.remote(items)
        return self._local.score(items)

    def get(self, handle: Any) -> list[float]:
        return self._ray.get(handle, timeout=600) if self._actor is not None else handle

    def score(self, items: list[tuple[Any, str]]) -> list[float]:
        return self.get(self.submit(items))


class RewardBlender:
    """`reward = verifier + rm_lambda[env] * rm(prompt, response)` for scored rollouts."""

    def __init__(self, client: RMClient, lambdas: dict[str, float]):
        self.client, self.lambdas = client, lambdas
        self._pending: list[tuple[list[Rollout], Any]] = []

    @classmethod
    def from_config(cls, cfg: Any) -> "RewardBlender | None":
        lambdas = {n: e.rm_lambda for n, e in cfg.envs.items() if e.rm_lambda > 0}
        if not lambdas:
            return None
        rm = cfg.reward_model
        return cls(RMClient(rm.path, rm.serve, rm.batch_size), lambdas)

    def on_group(self, task: Task, rollouts: list[Rollout]) -> None:
        todo = [r for r in rollouts if r.env in self.lambdas and r.scored]
        if todo:
            items = [(task.prompt, r.response) for r in todo]
            self._pending.append((todo, self.client.submit(items)))

    def finish(self, rollouts: list[Rollout]) -> None:
        """Collect the RM scores and blend them in; idempotent per batch."""
        for todo, handle in self._pending:
            for r, s in zip(todo, self.client.get(handle)):
                lam = self.lambdas[r.env]
                r.components = {**r.components, "verifier": r.reward, "rm": s}
                r.reward = r.reward + lam * s
        self._pending = []
