"""The training config: typed, validated, one place for every hyper-parameter and its default.

Resolution order: defaults < YAML preset (`configs/NAME.yaml` or a path) < CLI flags
(`--env`, `--model`, `--steps`, `--out`) < `--set a.b=value` overrides. Every section forbids
unknown keys, so a typo fails with one line naming it instead of being silently ignored.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import GymkitError
from ..policy.base import SamplingParams
from .distributed_config import DistributedConfig


def _config_dir() -> Path:
    """The presets: package data `gymkit.configs` (a wheel, or an editable install that maps
    it), else a checkout's `configs/` next to `trainers/` (an older editable install)."""
    try:
        return Path(str(resources.files("gymkit.configs")))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[1] / "configs"


CONFIG_DIR = _config_dir()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


# ---------------------------------------------------------------- algorithms (discriminated)
class GRPO(_Strict):
    """Group-relative advantages. `scale_std=False` is Dr.GRPO (no difficulty bias)."""

    type: Literal["grpo"] = "grpo"
    scale_std: bool = True  # divide by group std; biases updates toward easy/hard prompts


class RLOO(_Strict):
    """REINFORCE with a leave-one-out group baseline (unbiased)."""

    type: Literal["rloo"] = "rloo"


class ReinforcePP(_Strict):
    """REINFORCE++: advantages whitened over the batch, optionally group-centred first."""

    type: Literal["reinforce_pp"] = "reinforce_pp"
    group_baseline: bool = True  # subtract the group mean before batch whitening


Algorithm = Annotated[GRPO | RLOO | ReinforcePP, Field(discriminator="type")]


class LossConfig(_Strict):
    agg: Literal["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] = "token-mean"
    clip_low: float = Field(0.2, ge=0.0, le=1.0)  # ratio floor 1 - clip_low
    clip_high: float = Field(0.28, ge=0.0)  # DAPO clip-higher: > clip_low keeps entropy up
    kl_coef: float = Field(0.0, ge=0.0)  # 0: no reference model is loaded at all
    # dual-clip: a negative-advantage token's loss is capped at -clip_ratio_c * A (None: off)
    clip_ratio_c: float | None = Field(3.0, gt=1.0)
    # k3 / low_var_kl as a loss term: gradient of KL(ref || pi); k1_reward: k1 as a
    # reward-to-go, gradient of KL(pi || ref). Plain k1 as a loss term has zero gradient.
    kl_kind: Literal["k3", "low_var_kl", "k1_reward"] = "k3"
    overlong: Literal["none", "filter", "soft"] = "none"  # truncated answers: keep/mask/penalise
    overlong_cache: int = Field(64, gt=0)  # soft penalty ramps over the last N tokens
    filter_zero_variance: bool = True  # drop groups with identical rewards (no signal)
    # None: the soft penalty applies per turn (each turn has its own max_new_tokens);
    # a number: the episode's total sampled tokens are measured against this budget instead
    overlong_episode_budget: int | None = Field(None, gt=0)
    # "sampler": the ratio's denominator is the sampler's own logprobs (exactly what was
    # sampled; also corrects sampler/trainer numeric mismatch). "recompute": one extra no-grad
    # forward before the update, for backends whose logprobs are approximate or missing.
    old_logprobs: Literal["sampler", "recompute"] = "sampler"
    # ppo: clipped token ratio (PPO/GRPO/DAPO; the clip_* keys above). gspo: one clipped
    # ratio per sequence (Qwen's GSPO; `agg` does not apply, each sequence counts once:
    # seq-mean-token-mean). cispo: REINFORCE with a clipped, detached token weight (MiniMax-M1).
    policy: Literal["ppo", "gspo", "cispo"] = "ppo"
    gspo_clip_low: float = Field(3e-4, ge=0.0, lt=1.0)  # sequence ratio floor 1 - this (paper)
    gspo_clip_high: float = Field(4e-4, ge=0.0)  # sequence ratio ceiling 1 + this (paper)
    cispo_clip_high: float = Field(5.0, gt=1.0)  # cap on the weight itself (not an epsilon)
    cispo_clip_low: float | None = Field(None, ge=0.0, lt=1.0)  # floor on it; None: none (paper)
    # sampler/trainer mismatch, per token w = exp(trainer_old - sampler) (needs recompute):
    # tis multiplies the loss by min(w, is_cap); mis keeps w but drops tokens outside
    # [1/is_cap, is_cap]; none only measures it (train/mismatch_*)
    is_correction: Literal["none", "tis", "mis"] = "none"
    is_cap: float = Field(2.0, gt=1.0)

    @model_validator(mode="after")
    def _correction_needs_recompute(self) -> "LossConfig":
        if self.is_correction != "none" and self.old_logprobs != "recompute":
            raise ValueError(f"loss.is_correction={self.is_correction} needs "
                             "loss.old_logprobs=recompute (the trainer's own old logprobs "
                             "to weigh the sampler's against)")
        return self


# ---------------------------------------------------------------- data and sampling
class EnvSpec(_Strict):
    weight: float = Field(1.0, gt=0.0)  # share of the prompts in each batch
    rm_lambda: float = Field(0.0, ge=0.0)  # reward = verifier + rm_lambda * reward-model score
    difficulty: int | None = None  # None: cycle through the env's difficulties
    options: dict[str, Any] = Field(default_factory=dict)  # env constructor options, e.g. fewshot
    # where prompts come from (gymkit.datasets): None = the generator; "humaneval",
    # "bfcl:simple_python", a .jsonl path, "openai/gsm8k:main:train", or "humaneval@3,generated@1"
    tasks: str | None = None


class RolloutConfig(_Strict):
    prompts_per_step: int = Field(8, gt=0)
    samples_per_prompt: int = Field(4, ge=2)  # G; a group baseline needs at least 2
    sampling: SamplingParams = Field(default_factory=lambda: SamplingParams(max_new_tokens=128))
    pool: Literal["local", "ray", "http"] = "local"  # in-process envs, Ray actors, or env_server
    env_server: str | None = None  # pool http: a `gymkit serve-env` URL (it owns env options)
    actors_per_env: int = Field(1, gt=0)
    heldout_prompts: int = Field(0, ge=0)  # >0: evaluate greedy reward on held-out tasks
    eval_every: int = Field(0, ge=0)  # steps between held-out evals (0: only first and last)
    # sync: each step samples, then updates (bit-for-bit today's loop). async: a producer keeps
    # the rollout engines sampling the next batches while the trainer updates (needs
    # trainer.distributed.engines.count >= 1); a batch is never more than max_staleness
    # policy versions behind the weights it is trained on (trainers/rollout_source.py)
    mode: Literal["sync", "async"] = "sync"
    max_staleness: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _server_for_http(self) -> "RolloutConfig":
        if (self.pool == "http") != bool(self.env_server):
            raise ValueError("rollout.env_server is set exactly when rollout.pool is http "
                             f"(pool={self.pool!r}, env_server={self.env_server!r})")
        return self


# ---------------------------------------------------------------- optimisation
class LoraConfig(_Strict):
    enabled: bool = False
    r: int = Field(16, gt=0)
    alpha: int = Field(32, gt=0)
    dropout: float = Field(0.0, ge=0.0, lt=1.0)
    target_modules: list[str] | Literal["all-linear"] = "all-linear"
    # fused 3-D parameters (MoE routed experts), by name suffix, via peft's target_parameters
    target_parameters: list[str] = Field(default_factory=list)


class TrainerConfig(_Strict):
    lr: float = Field(1e-6, gt=0.0)
    weight_decay: float = Field(0.0, ge=0.0)
    betas: tuple[float, float] = (0.9, 0.999)
    max_grad_norm: float = Field(1.0, gt=0.0)
    warmup_steps: int = Field(0, ge=0)
    # The batch is split into micro-batches of this many sequences whose gradients accumulate
    # into one optimizer step (gradient accumulation); the result does not depend on it.
    micro_batch_size: int = Field(8, gt=0)
    # None: micro-batches of micro_batch_size sequences. N: sequences sorted by length and cut
    # so that (sequences x longest) <= N padded tokens (still <= micro_batch_size sequences)
    micro_batch_tokens: int | None = Field(None, gt=0)
    # Optimizer steps per sampled batch (PPO-style mini-batches); 1 is fully on-policy.
    mini_batches: int = Field(1, gt=0)
    bf16: bool = False
    gradient_checkpointing: bool = False  # recompute activations in backward: less memory
    device_map: Literal["auto"] | None = None  # "auto": split layers over the visible GPUs
    lora: LoraConfig = Field(default_factory=LoraConfig)
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)  # FSDP2 ranks


class RewardModelSpec(_Strict):
    path: str | None = None  # a directory written by `gymkit train-rm`
    serve: Literal["local", "ray"] = "local"
    batch_size: int = Field(16, gt=0)
    num_gpus: float = Field(0.0, ge=0.0)  # GPUs reserved for the RM's Ray actor (serve=ray)
    device: str | None = None  # None: a GPU when one is visible, else the CPU
    group_center: bool = True  # centre raw RM scores per group before the sigmoid blend


class CheckpointConfig(_Strict):
    every: int = Field(50, ge=0)  # steps; 0 saves only at the end
    keep: int = Field(2, gt=0)  # newest checkpoints kept on disk


class HealthConfig(_Strict):
    """When a run that does nothing stops (with a message) instead of looking healthy."""

    max_error_share: float = Field(0.5, gt=0.0, le=1.0)  # a step above this share of errors is bad
    patience: int = Field(3, ge=0)  # stop after this many bad or gradient-free steps in a row; 0: never


class LoggingConfig(_Strict):
    tensorboard: bool = True
    wandb: bool = False
    wandb_project: str = "gymkit"
    progress: bool = True  # rich progress bar
    plot: bool = True  # reward-curve PNG at the end


class TrainConfig(_Strict):
    """Everything a training run needs; printed in full by `gymkit train --dry-run`."""

    model: str = "tiny-random-llama"
    backend: str = "hf"
    # Passed to the backend: vLLM engine settings (tensor_parallel_size, gpu_memory_utilization,
    # max_model_len, ...), HF options (max_batch_size, num_threads), openai's base_url.
    backend_options: dict[str, Any] = Field(default_factory=dict)
    envs: dict[str, EnvSpec] = Field(default_factory=lambda: {"math": EnvSpec()})
    steps: int = Field(100, gt=0)
    seed: int = 0
    out: Path = Path("runs/train")
    algorithm: Algorithm = Field(default_factory=GRPO)
    loss: LossConfig = Field(default_factory=LossConfig)
    rollout: RolloutConfig = Field(default_factory=RolloutConfig)
    trainer: TrainerConfig = Field(default_factory=TrainerConfig)
    reward_model: RewardModelSpec = Field(default_factory=RewardModelSpec)
    checkpoint: CheckpointConfig = Field(default_factory=CheckpointConfig)
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    health: HealthConfig = Field(default_factory=HealthConfig)

    @model_validator(mode="before")
    @classmethod
    def _env_refs(cls, data: Any) -> Any:
        """`envs: {path/to/file.py:Class: {...}}` is keyed by the name the class registers."""
        if isinstance(data, dict) and isinstance(data.get("envs"), dict):
            from ..registry import resolve_env_name

            data = {**data, "envs": {resolve_env_name(k) if isinstance(k, str) else k: v
                                     for k, v in data["envs"].items()}}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> "TrainConfig":
        if not self.envs:
            raise ValueError("envs: at least one env is needed")
        from ..registry import get_env_class

        from ..registry import check_env_options

        for name, spec in self.envs.items():  # an unknown env or option: one line, the choices
            get_env_class(name)
            check_env_options(name, spec.options)
        _check_sampler(self.backend, self.model)
        if self.rollout.mode == "async" and not self.trainer.distributed.engines.count:
            raise ValueError("rollout.mode async needs rollout engines that sample while the "
                             "trainer updates: set trainer.distributed.engines.count >= 1")
        if any(e.rm_lambda > 0 for e in self.envs.values()) or "rm_chat" in self.envs:
            if not self.reward_model.path:
                raise ValueError("reward_model.path is needed by rm_chat or an env's rm_lambda")
        return self


def _check_sampler(backend: str, model: str) -> None:
    """A backend that can train, and a model name that can resolve (one line otherwise)."""
    from ..policy.models import validate

    if backend == "openai":
        raise GymkitError("backend 'openai' cannot train: gymkit cannot update an OpenAI-compatible "
                          "server's weights, so the server would never learn; use --backend hf "
                          "or vllm (or the openai backend for eval only)")
    if backend not in ("hf", "vllm"):
        raise GymkitError(f"unknown backend {backend!r}; choose one of: hf, vllm")
    validate(model)


# ---------------------------------------------------------------- loading
def _one_line(err: ValidationError) -> str:
    e = err.errors()[0]
    loc = ".".join(str(p) for p in e["loc"] if p not in ("grpo", "rloo", "reinforce_pp"))
    if e["type"] == "extra_forbidden":
        return f"config: unknown key {loc!r}"
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"config: {loc or 'root'}: {e['msg']}, got {e.get('input')!r}{more}"


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    node = tree
    keys = dotted.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
        if not isinstance(node, dict):
            raise GymkitError(f"--set {dotted}: {k!r} is a value, not a section")
    node[keys[-1]] = value


def parse_override(item: str) -> tuple[str, Any]:
    """`"trainer.lr=1e-6"` -> ("trainer.lr", 1e-06); the value is parsed as YAML."""
    key, sep, raw = item.partition("=")
    if not sep or not key.strip():
        raise GymkitError(f"--set expects KEY=VALUE (e.g. trainer.lr=1e-6), got {item!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value


def parse_envs(spec: str) -> dict[str, dict[str, Any]]:
    """`"math:3,code"` -> {"math": {"weight": 3.0}, "code": {}} (weights are optional)."""
    from ..registry import resolve_env_name

    out: dict[str, dict[str, Any]] = {}
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        name, colon, w = part.rpartition(":")
        if not colon or (not _is_number(w) and ("." in name or "/" in name)):
            name, w = part, ""  # no weight; `file.py:Class` and `pkg.mod:Class` are env refs
        try:
            out[resolve_env_name(name)] = {"weight": float(w)} if w else {}
        except ValueError:
            raise GymkitError(f"--env {part!r}: weight {w!r} is not a number") from None
    if not out:
        raise GymkitError("no env given; pass --env NAME[:WEIGHT][,NAME...]")
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def preset_path(name: str | Path) -> Path:
    """A preset name from `configs/` or a path to a YAML file."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return p
    candidate = CONFIG_DIR / f"{name}.yaml"
    if candidate.exists():
        return candidate
    names = sorted(q.stem for q in CONFIG_DIR.glob("*.yaml"))
    raise GymkitError(f"unknown config {str(name)!r}; choose a file or one of: {', '.join(names)}")


def load_config(preset: str | Path | None = None, overrides: list[str] | None = None,
                **cli: Any) -> TrainConfig:
    """Resolve a `TrainConfig`; any user mistake raises `GymkitError` with one line."""
    tree: dict[str, Any] = {}
    if preset is not None:
        path = preset_path(preset)
        try:
            tree = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as e:
            raise GymkitError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
        if not isinstance(tree, dict):
            raise GymkitError(f"{path}: a config must be a mapping of sections")
    if cli.get("envs") is not None:
        old = tree.get("envs") or {}
        tree["envs"] = {n: {**(old.get(n) or {}), **spec} for n, spec in cli.pop("envs").items()}
    for key, value in cli.items():
        if value is not None:
            tree[key] = str(value) if isinstance(value, Path) else value
    for item in overrides or []:
        key, value = parse_override(item)
        algo = tree.get("algorithm")
        if key == "algorithm.type" and isinstance(algo, dict) and algo.get("type") != value:
            tree["algorithm"] = {}  # another algorithm: the old one's options do not apply
        _set(tree, key, value)
    try:
        return TrainConfig.model_validate(tree)
    except ValidationError as e:
        raise GymkitError(_one_line(e)) from None


def dump_config(cfg: TrainConfig) -> str:
    """The resolved config as YAML (what --dry-run prints and each run stores)."""
    return yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False)
