"""Train a reward model on preference pairs with the Bradley-Terry loss (`gymkit train-rm`).

Rows are `{"prompt", "chosen", "rejected"}` (HelpSteer / Nemotron-Reward style), optionally with
a per-row `"margin"`. The loss is `-log sigmoid(r_chosen - r_rejected - margin)`: with a margin
(Llama 2's RM), clearly-better pairs must be separated by more. A held-out share of the pairs
is never trained on; its accuracy (chosen scored above rejected) is the figure to trust.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import BaseModel, ValidationError

from ..errors import GymkitError
from .reward_model import RewardModel, render, resolve_device


class PreferencePair(BaseModel):
    prompt: str | list[dict[str, Any]]
    chosen: str
    rejected: str
    margin: float = 0.0


def load_pairs(path: Path) -> list[PreferencePair]:
    """Validated pairs; a bad line fails with its file and line number."""
    if not path.exists():
        raise GymkitError(f"pairs file {path} does not exist")
    pairs = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            pairs.append(PreferencePair.model_validate_json(line))
        except ValidationError as e:
            err = e.errors()[0]
            where = ".".join(map(str, err["loc"])) or "row"
            raise GymkitError(f"{path}:{n}: {where}: {err['msg']}") from None
    if len(pairs) < 2:
        raise GymkitError(f"{path}: need at least 2 preference pairs, found {len(pairs)}")
    return pairs


def bradley_terry_loss(chosen: torch.Tensor, rejected: torch.Tensor,
                       margin: torch.Tensor | float = 0.0) -> torch.Tensor:
    """`(B,)` scores -> mean of `-log sigmoid(chosen - rejected - margin)`."""
    return -F.logsigmoid(chosen - rejected - margin).mean()


def _pair_scores(rm: RewardModel, chunk: list[PreferencePair]) -> tuple[torch.Tensor, torch.Tensor]:
    """`(B,)` chosen and `(B,)` rejected scores from one forward over both halves."""
    texts = [render(rm.tokenizer, p.prompt, p.chosen) for p in chunk]
    texts += [render(rm.tokenizer, p.prompt, p.rejected) for p in chunk]
    scores = rm(texts)
    return scores[:len(chunk)], scores[len(chunk):]


@torch.no_grad()
def pair_accuracy(rm: RewardModel, pairs: list[PreferencePair], batch_size: int = 16) -> float:
    """Share of pairs whose chosen response scores above the rejected one."""
    rm.eval()
    wins = 0
    for i in range(0, len(pairs), batch_size):
        c, r = _pair_scores(rm, pairs[i:i + batch_size])
        wins += int((c > r).sum())
    return wins / max(len(pairs), 1)


def train_reward_model(pairs_path: Path, model: str, out: Path, *, epochs: int = 1,
                       lr: float = 1e-5, batch_size: int = 8, margin: float = 0.0,
                       heldout: float = 0.1, seed: int = 0, max_len: int = 512,
                       device: str | None = None, log=print) -> dict[str, Any]:
    """Train, evaluate on held-out pairs, save to `out`; returns the metrics (also rm.json).

    `device`: None or "auto" trains on the first GPU when one is visible, else the CPU."""
    if not 0.0 < heldout < 1.0:
        raise GymkitError(f"--heldout must be a fraction in (0, 1), got {heldout}")
    torch.manual_seed(seed)
    pairs = load_pairs(pairs_path)
    random.Random(seed).shuffle(pairs)
    n_test = max(1, int(len(pairs) * heldout))
    test, train = pairs[:n_test], pairs[n_test:]
    dev = resolve_device(device)
    rm = RewardModel.from_backbone(model, max_len).to(dev)
    acc_before = pair_accuracy(rm, test, batch_size)
    opt = torch.optim.AdamW([p for p in rm.parameters() if p.requires_grad], lr=lr)
    rng = random.Random(seed + 1)
    t0, losses = time.monotonic(), []
    for epoch in range(epochs):
        rng.shuffle(train)
        rm.train()
        for i in range(0, len(train), batch_size):
            chunk = train[i:i + batch_size]
            c, r = _pair_scores(rm, chunk)
            m = torch.tensor([margin + p.margin for p in chunk], device=dev)
            loss = bradley_terry_loss(c, r, m)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(rm.parameters(), 1.0)
            opt.step()
            losses.append(float(loss.detach()))
        log(f"epoch {epoch + 1}/{epochs}: loss {sum(losses[-10:]) / len(losses[-10:]):.4f}")
    metrics = {"model": model, "pairs": len(pairs), "train_pairs": len(train),
               "heldout_pairs": len(test), "epochs": epochs, "lr": lr, "margin": margin,
               "heldout_accuracy_before": acc_before,
               "heldout_accuracy": pair_accuracy(rm, test, batch_size),
               "final_loss": losses[-1] if losses else None, "device": str(dev),
               "train_s": round(time.monotonic() - t0, 2)}
    out.mkdir(parents=True, exist_ok=True)
    rm.save(out, {"metrics": metrics})
    (out / "rm_metrics.json").write_text(json.dumps(metrics, indent=2))
    return metrics
