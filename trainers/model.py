"""The trainable model: taken from the `hf` sampler (one copy of the weights) or loaded for
out-of-process samplers, with LoRA, gradient checkpointing and the optional frozen reference.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

import torch

from ..errors import GymkitError
from ..policy.base import Policy
from .config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class Trainable:
    model: torch.nn.Module  # what the optimizer updates (maybe a peft wrapper)
    tokenizer: Any
    ref_model: torch.nn.Module | None  # None unless loss.kl_coef > 0
    pad_id: int
    shared: bool  # the sampler runs this very module: no weight sync needed


def _load_hf(cfg: TrainConfig) -> tuple[torch.nn.Module, Any]:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from ..policy.models import resolve_checkpoint

    path = resolve_checkpoint(cfg.model)
    # frozen LoRA base weights can stay bf16 (peft keeps adapters fp32); trained ones are fp32
    frozen_bf16 = cfg.trainer.lora.enabled and cfg.trainer.bf16
    kw: dict[str, Any] = {"dtype": torch.bfloat16 if frozen_bf16 else torch.float32}
    if cfg.trainer.device_map:
        kw["device_map"] = cfg.trainer.device_map
    return AutoModelForCausalLM.from_pretrained(path, **kw), AutoTokenizer.from_pretrained(path)


def build_trainable(policy: Policy, cfg: TrainConfig) -> Trainable:
    """The model to train. With the `hf` backend it is the sampler's own module, so updates are
    visible to the next generation without copying; other backends get a fresh load."""
    model = getattr(policy, "model", None)
    tokenizer = getattr(policy, "tokenizer", None)
    shared = model is not None
    if model is None:
        model, tokenizer = _load_hf(cfg)
    elif not cfg.trainer.lora.enabled and any(
            p.dtype != torch.float32 for p in model.parameters() if p.is_floating_point()):
        # Master weights must be fp32: bf16 rounds lr~1e-6 updates to nothing. The sampler
        # keeps its fast bf16 copy and receives the new weights after every step.
        log.info("training an fp32 master copy of %s; the sampler keeps its own dtype", cfg.model)
        model = copy.deepcopy(model).float()
        shared = False
    if cfg.trainer.gradient_checkpointing:
        kw = {"use_reentrant": False}  # non-reentrant: works with frozen inputs (LoRA)
        if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2 name
            model.activation_checkpointing_enable(kw)
        else:
            model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kw)
        model.config.use_cache = False
    ref = None
    if cfg.trainer.lora.enabled:
        model = _add_lora(model, cfg)
        ref = model if cfg.loss.kl_coef > 0 else None  # adapters off = the reference
    elif cfg.loss.kl_coef > 0:
        ref = copy.deepcopy(model).eval().requires_grad_(False)
    pad = getattr(tokenizer, "pad_token_id", None)
    if pad is None:
        pad = getattr(tokenizer, "eos_token_id", None) or 0
    return Trainable(model, tokenizer, ref, int(pad), shared)


def sampler_state(model: torch.nn.Module) -> dict[str, torch.Tensor] | torch.nn.Module:
    """What to hand `Policy.sync_weights`: the module, or for LoRA the merged plain weights
    under the base model's own parameter names (a sampler knows nothing of adapters)."""
    if not hasattr(model, "merge_adapter"):
        return model
    model.merge_adapter()
    try:
        return {k.replace(".base_layer", ""): v.detach().clone()
                for k, v in model.get_base_model().state_dict().items() if "lora_" not in k}
    finally:
        model.unmerge_adapter()


def _add_lora(model: torch.nn.Module, cfg: TrainConfig) -> torch.nn.Module:
    from peft import LoraConfig, get_peft_model

    lc = cfg.trainer.lora
    try:
        return get_peft_model(model, LoraConfig(
            r=lc.r, lora_alpha=lc.alpha, lora_dropout=lc.dropout,
            target_modules=lc.target_modules, task_type="CAUSAL_LM"))
    except ValueError as e:  # e.g. target modules not in this architecture
        raise GymkitError(f"trainer.lora: {str(e).splitlines()[0]}") from None


def make_optimizer(model: torch.nn.Module, cfg: TrainConfig):
    """AdamW over the trainable parameters, with linear warmup then a constant LR."""
    t = cfg.trainer
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=t.lr, betas=t.betas, weight_decay=t.weight_decay)
    warm = max(t.warmup_steps * t.mini_batches, 1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm))
    return opt, sched
