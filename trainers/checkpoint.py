"""Checkpoints that a kill cannot corrupt, and that resume a run exactly.

Layout under `OUT/checkpoints/`:
    step-000010/model/          HF `save_pretrained` (or the LoRA adapter) + tokenizer;
                                with trainer.distributed: the full model, LoRA merged
    step-000010/sharded/        trainer.distributed only: each rank's model + Adam shards
                                (torch.distributed.checkpoint), what --resume reads
    step-000010/trainer.pt      optimizer, LR schedule, RNG states, data position, step
    latest                      one line: the name of the newest complete checkpoint

A checkpoint is written to `step-N.tmp-PID`, flushed, renamed into place, and only then is
`latest` replaced (write a temp file, `os.replace`). A kill at any point leaves `latest`
naming a complete checkpoint; half-written temp folders are swept on the next start.
"""
from __future__ import annotations

import logging
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import GymkitError

log = logging.getLogger(__name__)
LATEST = "latest"


def rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(),
             "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _fsync_tree(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file():
            with p.open("rb") as f:
                os.fsync(f.fileno())


def _is_peft(model: torch.nn.Module) -> bool:
    return hasattr(model, "peft_config")


def save_checkpoint(root: Path, step: int, write: Callable[[Path], dict[str, Any]],
                    trainer_state: dict[str, Any], keep: int = 2) -> Path:
    """Write checkpoint `step` atomically, point `latest` at it, keep the newest `keep`.

    `write(folder)` puts the model (and, for a `TrainGroup`, its shards) into the temp
    folder and returns the optimizer/schedule state that goes into `trainer.pt`."""
    ckpts = root / "checkpoints"
    ckpts.mkdir(parents=True, exist_ok=True)
    name = f"step-{step:06d}"
    tmp = ckpts / f"{name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    state = {**trainer_state, **write(tmp), "step": step, "rng": rng_state()}
    torch.save(state, tmp / "trainer.pt")
    _fsync_tree(tmp)
    final = ckpts / name
    if final.exists():  # a complete earlier save of this step that `latest` never named
        shutil.rmtree(final)
    os.rename(tmp, final)
    pointer = ckpts / f"{LATEST}.tmp-{os.getpid()}"
    pointer.write_text(name + "\n")
    with pointer.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(pointer, ckpts / LATEST)
    _prune(ckpts, keep, name)
    return final


def _prune(ckpts: Path, keep: int, newest: str) -> None:
    done = sorted(p for p in ckpts.glob("step-*") if p.is_dir() and ".tmp-" not in p.name)
    for old in done[:-keep]:
        if old.name != newest:
            shutil.rmtree(old, ignore_errors=True)


def sweep_partial(root: Path) -> None:
    """Remove temp folders left by a save that was killed."""
    for p in (root / "checkpoints").glob("*.tmp-*"):
        shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def latest_checkpoint(root: Path) -> Path | None:
    """The checkpoint `latest` names, or None when the run has none yet."""
    pointer = root / "checkpoints" / LATEST
    if not pointer.exists():
        return None
    path = root / "checkpoints" / pointer.read_text().strip()
    if not (path / "trainer.pt").exists():
        raise GymkitError(f"{pointer} names {path.name}, which is incomplete or missing")
    return path


def _read_weights(folder: Path) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    files = sorted(folder.glob("*.safetensors"))
    if not files:
        raise GymkitError(f"no safetensors weights in {folder}")
    state: dict[str, torch.Tensor] = {}
    for f in files:
        state.update(load_file(str(f)))
    return state


def load_model_weights(model: torch.nn.Module, folder: Path) -> None:
    """Load weights written by `save_checkpoint` into `model` in place (same architecture)."""
    state = _read_weights(folder)
    if _is_peft(model):
        from peft import set_peft_model_state_dict

        result = set_peft_model_state_dict(model, state)
        if result.unexpected_keys:
            raise GymkitError(f"{folder}: adapter does not match: {result.unexpected_keys[:3]}")
        return
    missing, unexpected = model.load_state_dict(state, strict=False)
    tied = {k for k in missing if "lm_head" in k or "embed" in k}  # dropped when tied on save
    if unexpected or set(missing) - tied:
        raise GymkitError(f"{folder}: weights do not match the model "
                          f"(missing {sorted(set(missing) - tied)[:3]}, unexpected {unexpected[:3]})")


def load_trainer_state(ckpt: Path) -> dict[str, Any]:
    """The trainer state of a checkpoint; also restores the process RNG states."""
    state = torch.load(ckpt / "trainer.pt", weights_only=False)  # our own file: numpy RNG state
    set_rng_state(state["rng"])
    return state
