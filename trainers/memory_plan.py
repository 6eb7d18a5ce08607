"""`gymkit train --dry-run`: build the preset's real architecture on the meta device, apply its
LoRA section (so a target peft refuses fails here, not after a 63 GB load), and print the
per-GPU memory plan from the real parameter counts.

The architecture comes from a local copy of the model when there is one (builtin tiny models,
a directory, the HF cache), else from `configs/arch/<alias>.json` (hyper-parameters kept in
the repo, each file says where they came from). Byte counts follow what the code does:
FSDP2 keeps fp32 shards of every parameter, fp32 grads and Adam (m, v) for trainable ones,
and all-gathers one decoder layer at a time in bf16 (two in flight with prefetch).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch

from gymkit.errors import GymkitError
from gymkit.trainers.config import CONFIG_DIR, TrainConfig

GB = 1e9
PROMPT_TOKENS = 1024  # assumed prompt length for the plan (the config bounds only the answer)


def arch_config(model: str):
    """The model's transformers config, without downloading weights."""
    from transformers import AutoConfig, NemotronHConfig

    from gymkit.policy.models import get_spec

    stored = CONFIG_DIR / "arch" / f"{model}.json"
    spec = get_spec(model)
    if stored.exists():
        raw = json.loads(stored.read_text())
        kw = {k: v for k, v in raw.items() if not k.startswith("_")
              and k not in ("architectures", "model_type", "torch_dtype")}
        if raw.get("model_type") != "nemotron_h":
            raise GymkitError(f"{stored}: only nemotron_h architectures are stored here")
        return NemotronHConfig(**kw), str(stored)
    if (spec and spec.builtin) or Path(model).expanduser().exists():
        from gymkit.policy.models import resolve_checkpoint

        path = resolve_checkpoint(model)
        return AutoConfig.from_pretrained(path), str(path)
    raise GymkitError(f"--dry-run: no architecture for {model!r}: add configs/arch/{model}.json "
                      "(its config.json) or pass a local model directory")


def meta_model(cfg: TrainConfig):
    """The preset's model on the meta device, with its LoRA adapters when LoRA is on."""
    from transformers import AutoModelForCausalLM

    from gymkit.trainers.model import add_lora

    config, source = arch_config(cfg.model)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        if cfg.trainer.lora.enabled:
            model = add_lora(model, cfg)
    return model, config, source


@dataclass
class Plan:
    rows: list[tuple[str, str, float]]  # (where, item, GB per GPU)
    total_params: int
    trainable_params: int
    lora_targets: int
    source: str

    def text(self) -> str:
        lines = [f"# architecture from {self.source}",
                 f"# base parameters {self.total_params / 1e9:.2f} B, trainable "
                 f"{self.trainable_params / 1e9:.3f} B"
                 + (f" ({self.lora_targets} LoRA-adapted weights)" if self.lora_targets else ""),
                 "# per-GPU memory plan (GB):"]
        for where, item, gb in self.rows:
            lines.append(f"#   {where:<8} {item:<52} {gb:8.2f}")
        for where in dict.fromkeys(r[0] for r in self.rows):
            lines.append(f"#   {where:<8} {'total':<52} "
                         f"{sum(g for w, _, g in self.rows if w == where):8.2f}")
        return "\n".join(lines)


def _layer_kinds(config) -> list[str]:
    """mamba / attention / moe / mlp per layer (transformers renames them on load)."""
    names = {"linear_attention": "mamba", "full_attention": "attention"}
    kinds = getattr(config, "layers_block_type", None) or ["attention"] * config.num_hidden_layers
    return [names.get(k, k) for k in kinds]


def plan(cfg: TrainConfig) -> Plan:
    """Per-GPU bytes of the trainer ranks and of a vLLM engine GPU for this config."""
    from gymkit.trainers.fsdp import decoder_layers
    from gymkit.trainers.model import lora_sites

    model, config, source = meta_model(cfg)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters() if not p.requires_grad) \
        if cfg.trainer.lora.enabled else trainable  # the base model's own count
    sites = len(lora_sites(model)) if cfg.trainer.lora.enabled else 0
    layer_max = max(sum(p.numel() for p in layer.parameters()) for layer in decoder_layers(model))
    d = cfg.trainer.distributed
    shard = max(d.world_size // d.replicas, 1)  # FSDP shards over one replica's ranks
    kinds = _layer_kinds(config)
    h, vocab = config.hidden_size, config.vocab_size
    seq = PROMPT_TOKENS + cfg.rollout.sampling.max_new_tokens
    mb = cfg.trainer.micro_batch_size
    where = f"rank x{d.world_size}" if d.enabled else "trainer"
    lora = trainable if cfg.trainer.lora.enabled else 0
    # in-process LoRA + bf16 keeps the frozen base in bf16; FSDP2 ranks hold fp32 shards
    wbytes, wname = (2, "bf16") if cfg.trainer.lora.enabled and cfg.trainer.bf16 \
        and not d.enabled else (4, "fp32 shards" if d.enabled else "fp32")
    rows = [
        (where, f"weights, {wname}", (total * wbytes + lora * 4) / shard / GB),
        (where, "gradients, fp32 (trainable only)", trainable * 4 / shard / GB),
        (where, "Adam m and v, fp32", trainable * 8 / shard / GB)]
    if d.enabled:
        rows.append((where, "bf16 all-gathered layers (2 in flight)", 2 * layer_max * 2 / GB))
    tokens = mb * seq
    if cfg.trainer.gradient_checkpointing:  # layer inputs kept, one layer recomputed at a time
        act = tokens * h * 2 * len(kinds) + tokens * h * 2 * 16
    else:  # ~16 hidden-sized bf16 tensors kept per token per layer
        act = tokens * h * 2 * 16 * len(kinds)
    rows.append((where, f"activations, micro-batch {mb} x {seq} tokens", act / GB))
    from gymkit.trainers.update import LOGPROB_CHUNK

    keep = mb * cfg.rollout.sampling.max_new_tokens
    lb = 2 if cfg.trainer.bf16 else 4
    chunk = mb * min(LOGPROB_CHUNK, cfg.rollout.sampling.max_new_tokens) * vocab * 4
    rows.append((where, "logits: output + gathered copy + one fp32 chunk",
                 (keep * vocab * lb * 2 + chunk) / GB))
    tp = int(cfg.backend_options.get("tensor_parallel_size", 1))
    if cfg.backend == "vllm":
        n_seq = cfg.rollout.prompts_per_step * cfg.rollout.samples_per_prompt
        n_attn = kinds.count("attention")
        kv_heads = getattr(config, "num_key_value_heads", config.num_attention_heads)
        head_dim = getattr(config, "head_dim", h // config.num_attention_heads)
        kv = n_attn * 2 * kv_heads * head_dim * 2 * n_seq * seq
        rows += [("vllm", f"bf16 weights / TP {tp}", total * 2 / tp / GB),
                 ("vllm", f"KV cache, {n_attn} attention layers, {n_seq} x {seq} tokens", kv / tp / GB)]
        if "mamba" in kinds:
            inner = config.mamba_num_heads * config.mamba_head_dim
            conv_dim = inner + 2 * config.n_groups * config.ssm_state_size
            state = (config.mamba_num_heads * config.mamba_head_dim * config.ssm_state_size * 4
                     + conv_dim * config.conv_kernel * 2)
            rows.append(("vllm", f"Mamba state, {kinds.count('mamba')} layers, {n_seq} seqs",
                         state * kinds.count("mamba") * n_seq / tp / GB))
    return Plan(rows, total, trainable, sites, source)
