"""Reward model: a causal-LM backbone with a scalar head, and how its scores reach rewards.

`RewardModel` reads the backbone's last hidden state at the final real token of
"prompt + response" (rendered with the chat template) and maps it to one number. Trained with a
Bradley-Terry loss (`trainers.rm_train`), only score *differences* are meaningful, so scores are
squashed with a sigmoid before use: a bounded reward that adds sensibly to a verifier's 0/1.
Long conversations are cut on the left: the prompt goes first and the response's end, where
the answer is, is always seen.

Blending centres the raw scores per group before the sigmoid (`group_center`, the default):
sigma(rm) alone depends on the Bradley-Terry score's arbitrary offset (a constant the loss never
sees), so the same RM could add ~0 or ~lambda to every reward. Centred, the RM ranks a group's
samples and adds lambda/2 on average. The trade-off: how good a group is *as a whole* is lost,
which group baselines (GRPO, RLOO) discard anyway, but batch-whitened REINFORCE++ would use.

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
        tokenizer.truncation_side = "left"  # cut the prompt first; keep the response's end

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
    def score(self, items: list[tuple[str | list[Message], str]], batch_size: int = 16,
              raw: bool = False) -> list[float]:
        """Sigmoid scores in (0, 1) for (prompt, response) pairs (`raw`: the head's output)."""
        out: list[float] = []
        for i in range(0, len(items), batch_size):
            texts = [render(self.tokenizer, p, r) for p, r in items[i:i + batch_size]]
            scores = self(texts)
            out += (scores if raw else torch.sigmoid(scores)).tolist()
        return out


def resolve_device(device: str | None) -> torch.device:
    """None or "auto": the first GPU when there is one, else the CPU; otherwise as given."""
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError:
        raise GymkitError(f"device {device!r} is not a torch device (cpu, cuda, cuda:1, ...)") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise GymkitError(f"device {device!r} asked for, but no CUDA GPU is visible")
    return dev


class RewardModelServer:
    """The body of the RM's Ray actor (also usable in-process)."""

    def __init__(self, path: str, batch_size: int = 16, device: str | None = None):
        self.rm = RewardModel.load(path).to(resolve_device(device))
        self.batch_size = batch_size

    def score(self, items: list[tuple[Any, str]], raw: bool = False) -> list[float]:
        return self.rm.score(items, self.batch_size, raw=raw)

    def device(self) -> str:
        return str(self.rm.head.weight.device)


class RMClient:
    """Submit scoring work now, collect it later; Ray actor or in-process.

    `num_gpus` reserves GPUs for the Ray actor (Ray then sets its CUDA_VISIBLE_DEVICES);
    `device` places the model (None: a GPU when one is visible, else the CPU)."""

    def __init__(self, path: str, serve: str = "local", batch_size: int = 16,
                 num_gpus: float = 0.0, device: str | None = None):
        if serve == "ray":
            import ray

            from ..pool import init_ray

            init_ray()
            self._ray = ray
            self._actor = ray.remote(num_gpus=num_gpus)(RewardModelServer).remote(
                path, batch_size, device)
            self._local = None
        else:
            self._ray = self._actor = None
            self._local = RewardModelServer(path, batch_size, device)

    def device(self) -> str:
        """Where the model runs (e.g. "cuda:0")."""
        if self._actor is not None:
            return self._ray.get(self._actor.device.remote(), timeout=600)
        return self._local.device()

    def submit(self, items: list[tuple[Any, str]], raw: bool = False) -> Any:
        if self._actor is not None:
            return self._actor.score.remote(items, raw)
        return self._local.score(items, raw)

    def get(self, handle: Any) -> list[float]:
        return self._ray.get(handle, timeout=600) if self._actor is not None else handle

    def score(self, items: list[tuple[Any, str]]) -> list[float]:
        return self.get(self.submit(items))


class RewardBlender:
    """`reward = verifier + rm_lambda[env] * rm(prompt, response)` for scored rollouts."""

    def __init__(self, client: RMClient, lambdas: dict[str, float], group_center: bool = True):
        self.client, self.lambdas, self.group_center = client, lambdas, group_center
        self._pending: list[tuple[list[Rollout], Any]] = []

    @classmethod
    def from_config(cls, cfg: Any) -> "RewardBlender | None":
        lambdas = {n: e.rm_lambda for n, e in cfg.envs.items() if e.rm_lambda > 0}
        if not lambdas:
            return None
        rm = cfg.reward_model
        client = RMClient(rm.path, rm.serve, rm.batch_size, rm.num_gpus, rm.device)
        return cls(client, lambdas, rm.group_center)

    def on_group(self, task: Task, rollouts: list[Rollout]) -> None:
        todo = [r for r in rollouts if r.env in self.lambdas and r.scored]
        if todo:
            items = [(task.prompt, r.response) for r in todo]
            self._pending.append((todo, self.client.submit(items, raw=True)))

    def finish(self, rollouts: list[Rollout]) -> None:
        """Collect the RM scores and blend them in; idempotent per batch."""
        for todo, handle in self._pending:
            raw = torch.tensor(self.client.get(handle))
            if self.group_center:  # the BT offset is arbitrary: rank within the group
                raw = raw - raw.mean()
            for r, s in zip(todo, torch.sigmoid(raw).tolist()):
                lam = self.lambdas[r.env]
                r.components = {**r.components, "verifier": r.reward, "rm": s}
                r.reward = r.reward + lam * s
        self._pending = []
