"""The trainable model: taken from the `hf` sampler (one copy of the weights) or loaded for
out-of-process samplers, with LoRA, gradient checkpointing and the optional frozen reference;
and what the sampler receives after a step (`sampler_state`: LoRA merged out of place).
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

import torch

from gymkit.errors import GymkitError
from gymkit.policy.base import Policy
from gymkit.trainers.config import TrainConfig

log = logging.getLogger(__name__)


@dataclass
class Trainable:
    model: torch.nn.Module  # what the optimizer updates (maybe a peft wrapper)
    tokenizer: Any
    ref_model: torch.nn.Module | None  # None unless loss.kl_coef > 0
    pad_id: int
    shared: bool  # the sampler runs this very module: no weight sync needed


def trainer_gpus(cfg: TrainConfig) -> list[int]:
    """The visible GPUs the in-process trainer may use: an in-process vLLM engine takes the
    first `tensor_parallel_size` of them, so `device_map: auto` must stay off those."""
    if not torch.cuda.is_available():
        return []
    gpus = list(range(torch.cuda.device_count()))
    if cfg.backend == "vllm":
        tp = int(cfg.backend_options.get("tensor_parallel_size", 1))
        gpus = gpus[tp:] or gpus[-1:]  # one GPU in all: share it (the engine sleeps)
    return gpus


def load_hf(cfg: TrainConfig, dtype: torch.dtype | None = None, meta: bool = False):
    """The model and tokenizer of `cfg.model` from disk; `meta=True` builds the architecture
    only (no weights: FSDP ranks other than 0 are filled by broadcast)."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from gymkit.policy.models import resolve_checkpoint

    path = resolve_checkpoint(cfg.model)
    if dtype is None:  # frozen LoRA base weights can stay bf16; trained ones are fp32
        dtype = torch.bfloat16 if cfg.trainer.lora.enabled and cfg.trainer.bf16 else torch.float32
    tok = AutoTokenizer.from_pretrained(path)
    if meta:
        with torch.device("meta"):
            return AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(path),
                                                    dtype=dtype), tok
    kw: dict[str, Any] = {"dtype": dtype}
    if cfg.trainer.device_map and not cfg.trainer.distributed.enabled:
        gpus = trainer_gpus(cfg)
        kw["device_map"] = cfg.trainer.device_map
        if gpus:  # only the trainer's GPUs, never the sampler's
            kw["max_memory"] = {i: torch.cuda.get_device_properties(i).total_memory
                                for i in gpus}
    model = AutoModelForCausalLM.from_pretrained(path, **kw)
    if "device_map" not in kw and torch.cuda.is_available() and not cfg.trainer.distributed.enabled:
        gpus = trainer_gpus(cfg)
        model.to(f"cuda:{gpus[0]}")  # never train silently on the CPU of a GPU machine
    return model, tok


def enable_checkpointing(model: torch.nn.Module) -> None:
    kw = {"use_reentrant": False}  # non-reentrant: works with frozen inputs (LoRA)
    if hasattr(model, "activation_checkpointing_enable"):  # transformers >= 5.2 name
        model.activation_checkpointing_enable(kw)
    else:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs=kw)
    model.config.use_cache = False


def build_trainable(policy: Policy, cfg: TrainConfig) -> Trainable:
    """The model to train. With the `hf` backend it is the sampler's own module, so updates are
    visible to the next generation without copying; other backends get a fresh load."""
    model = getattr(policy, "model", None)
    tokenizer = getattr(policy, "tokenizer", None)
    shared = model is not None
    if model is None:
        model, tokenizer = load_hf(cfg)
    elif not cfg.trainer.lora.enabled and any(
            p.dtype != torch.float32 for p in model.parameters() if p.is_floating_point()):
        # Master weights must be fp32: bf16 rounds lr~1e-6 updates to nothing. The sampler
        # keeps its fast bf16 copy and receives the new weights after every step.
        log.info("training an fp32 master copy of %s; the sampler keeps its own dtype", cfg.model)
        model = copy.deepcopy(model).float()
        shared = False
    if cfg.trainer.gradient_checkpointing:
        enable_checkpointing(model)
    ref = None
    if cfg.trainer.lora.enabled:
        model = add_lora(model, cfg)
        ref = model if cfg.loss.kl_coef > 0 else None  # adapters off = the reference
    elif cfg.loss.kl_coef > 0:
        ref = copy.deepcopy(model).eval().requires_grad_(False)
    return Trainable(model, tokenizer, ref, pad_token(tokenizer), shared)


def pad_token(tokenizer: Any) -> int:
    pad = getattr(tokenizer, "pad_token_id", None)
    if pad is None:
        pad = getattr(tokenizer, "eos_token_id", None) or 0
    return int(pad)


# ---------------------------------------------------------------- LoRA, merged out of place
@dataclass(frozen=True)
class LoraSite:
    """One adapted weight: where its base tensor and adapters are in the peft state dict."""

    base_key: str
    a_key: str
    b_key: str
    scaling: float
    experts: int  # 0: a Linear weight; E: a fused (E, ., .) expert parameter
    swapped: bool  # peft swapped in/out: experts stored (E, out, in), like nn.Linear


def lora_sites(model: torch.nn.Module) -> list[LoraSite]:
    """Every LoRA layer of a peft model, read from the modules (works on `meta` too)."""
    from peft.tuners.lora.layer import LoraLayer, ParamWrapper

    keys = set(model.state_dict().keys())
    sites = []
    for name, mod in model.named_modules():
        if not isinstance(mod, LoraLayer) or "default" not in mod.lora_A:
            continue
        if isinstance(mod, ParamWrapper):  # the wrapped parameter sits under nested base_layers
            cands = [k for k in keys if k.startswith(f"{name}.base_layer")
                     and k.endswith(f".{mod.parameter_name}")
                     and set(k[len(name) + 1:].split(".")[:-1]) == {"base_layer"}]
            base, experts, swapped = cands[0], mod.num_experts, mod._did_swap_in_out_features
        else:
            base, experts, swapped = f"{name}.base_layer.weight", 0, False
        sites.append(LoraSite(base, f"{name}.lora_A.default.weight",
                              f"{name}.lora_B.default.weight", float(mod.scaling["default"]),
                              experts, swapped))
    return sites


def _delta(a: torch.Tensor, b: torch.Tensor, site: LoraSite) -> torch.Tensor:
    a, b = a.float(), b.float()
    if not site.experts or site.experts == 1:
        return (b @ a) * site.scaling
    a = a.reshape(site.experts, -1, a.shape[-1])  # (E, r, in)
    b = b.reshape(b.shape[0], -1, site.experts)  # (out, r, E)
    eq = "o r e, e r i -> e o i" if site.swapped else "o r e, e r i -> e i o"
    return torch.einsum(eq, b, a) * site.scaling


def plain_name(key: str) -> str:
    """A peft state-dict key in the base model's own naming (what a sampler loads)."""
    key = key.removeprefix("base_model.model.")
    return key.replace(".base_layer", "")


def merge_lora(state: dict[str, torch.Tensor], sites: list[LoraSite]) -> dict[str, torch.Tensor]:
    """New tensors `W + scale * B @ A` (added in fp32, then cast to W's dtype) under the base
    model's names; `state` is never written to, so the trained base stays bit-identical."""
    merged = {s.base_key: (state[s.base_key].float()
                           + _delta(state[s.a_key], state[s.b_key], s).reshape(
                               state[s.base_key].shape)).to(state[s.base_key].dtype)
              for s in sites}
    return {plain_name(k): merged.get(k, v.detach()) for k, v in state.items()
            if "lora_" not in k}


def sampler_state(model: torch.nn.Module) -> dict[str, torch.Tensor] | torch.nn.Module:
    """What to hand `Policy.sync_weights`: the module, or for LoRA every entry of the base
    model's state dict (tied embeddings included) with the adapters merged into new tensors."""
    if not hasattr(model, "peft_config"):
        return model
    with torch.no_grad():
        return merge_lora(model.state_dict(), lora_sites(model))


def add_lora(model: torch.nn.Module, cfg: TrainConfig) -> torch.nn.Module:
    """Wrap `model` with peft LoRA adapters on `trainer.lora.target_modules` (and on the fused
    expert parameters named in `target_parameters`); a bad target is one line."""
    from peft import LoraConfig, get_peft_model

    lc = cfg.trainer.lora
    extra = {"target_parameters": list(lc.target_parameters)} if lc.target_parameters else {}
    try:
        return get_peft_model(model, LoraConfig(
            r=lc.r, lora_alpha=lc.alpha, lora_dropout=lc.dropout,
            target_modules=lc.target_modules, task_type="CAUSAL_LM", **extra))
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
