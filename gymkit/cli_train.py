"""`gymkit train` and `gymkit train-rm`: plain typer functions, mounted by `gymkit.cli`.

User mistakes raise `GymkitError` (one line, printed by the main CLI); heavy imports wait
until after the config is validated, so `--dry-run` and bad flags answer at once.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from .errors import GymkitError

console = Console()


def train(
    env: Optional[str] = typer.Option(None, "--env", help="Envs, comma-separated, optional weights: math:2,code."),
    model: Optional[str] = typer.Option(None, "--model", help="Alias, local dir or HF id (default: the preset's)."),
    config: Optional[Path] = typer.Option(None, "--config", help="Preset name in configs/ or a YAML file."),
    set_: list[str] = typer.Option([], "--set", help="Override any field: --set trainer.lr=1e-6 (repeatable)."),
    steps: Optional[int] = typer.Option(None, "--steps", min=1, help="Training steps."),
    out: Optional[Path] = typer.Option(None, "--out", help="Run directory (metrics, checkpoints, plots)."),
    resume: bool = typer.Option(False, "--resume", help="Continue from OUT/checkpoints/latest."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the resolved config, check the model's LoRA targets on the meta device, print the per-GPU memory plan, and exit."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", help="Join a running Ray cluster (auto or HOST:PORT) for the TrainGroup ranks and env actors."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Sampler: hf | vllm | openai."),
) -> None:
    """Train a policy with GRPO / RLOO / REINFORCE++ on verifiable envs."""
    from .registry import get_env_class
    from .trainers.config import dump_config, load_config, parse_envs

    envs = parse_envs(env) if env else None
    if ray_address:
        set_ = [*set_, f"trainer.distributed.ray_address={ray_address}"]
    cfg = load_config(config, set_, envs=envs, model=model, steps=steps, out=out, backend=backend)
    for name in cfg.envs:
        get_env_class(name)  # an unknown env fails here, with the list of valid ones
    if dry_run:
        console.print(dump_config(cfg), end="", markup=False, highlight=False)
        _check_vllm_preset(cfg)
        from .extras import has_module

        if not (has_module("torch") and has_module("transformers")):  # an env-only install
            console.print("# memory plan skipped: it needs torch and transformers "
                          "(pip install 'gymkit[train]')", markup=False, highlight=False)
            return
        from .trainers.memory_plan import plan

        # the real architecture on the meta device: LoRA targets checked, memory from counts
        console.print(plan(cfg).text(), markup=False, highlight=False)
        return
    from .trainers.trainer import train as run_training

    rows = run_training(cfg, resume=resume, console=console)
    last = next((r for r in reversed(rows) if "reward/all" in r), {})
    held = [r for r in rows if "heldout/reward" in r]
    console.print(f"done: {len(rows)} steps logged to {cfg.out / 'metrics.jsonl'}; "
                  f"last train reward {last.get('reward/all', float('nan')):.3f}")
    if len(held) >= 2:
        console.print(f"held-out reward {held[0]['heldout/reward']:.3f} -> "
                      f"{held[-1]['heldout/reward']:.3f}")
    curve = cfg.out / "reward_curve.png"  # logging.plot=false writes none
    console.print(f"checkpoint: {cfg.out / 'checkpoints' / 'latest'}"
                  + (f"; curve: {curve}" if curve.exists() else ""))


def train_rm(
    pairs: Path = typer.Option(..., "--pairs", help="JSONL rows {prompt, chosen, rejected[, margin]}."),
    model: str = typer.Option(..., "--model", help="Backbone: alias, local dir or HF id."),
    out: Path = typer.Option(..., "--out", help="Where the reward model is written."),
    epochs: int = typer.Option(1, "--epochs", min=1),
    lr: float = typer.Option(1e-5, "--lr"),
    batch_size: int = typer.Option(8, "--batch-size", min=1),
    margin: float = typer.Option(0.0, "--margin", help="Bradley-Terry margin added to every pair."),
    heldout: float = typer.Option(0.1, "--heldout", help="Share of pairs held out for accuracy."),
    seed: int = typer.Option(0, "--seed"),
    max_len: int = typer.Option(512, "--max-len", min=8, help="Tokens per prompt+response."),
    device: Optional[str] = typer.Option(None, "--device", help="cpu | cuda | cuda:N (default: a GPU if any)."),
) -> None:
    """Train a Bradley-Terry reward model (causal-LM backbone + scalar head)."""
    if lr <= 0:
        raise GymkitError(f"--lr must be positive, got {lr}")
    from .trainers.rm_train import train_reward_model

    m = train_reward_model(pairs, model, out, epochs=epochs, lr=lr, batch_size=batch_size,
                           margin=margin, heldout=heldout, seed=seed, max_len=max_len,
                           device=device, log=console.print)
    console.print(f"held-out accuracy {m['heldout_accuracy']:.3f} "
                  f"(before training {m['heldout_accuracy_before']:.3f}) on "
                  f"{m['heldout_pairs']} pairs; reward model written to {out}")


def _check_vllm_preset(cfg) -> None:
    """For a vLLM run of a Nemotron preset, validate the engine settings the run will use."""
    from .policy import vllm_presets

    if cfg.backend != "vllm" or cfg.model not in vllm_presets.PRESETS:
        return
    keys = ("tensor_parallel_size", "max_model_len", "gpu_memory_utilization")
    over = {k: cfg.backend_options[k] for k in keys if k in cfg.backend_options}
    checks = vllm_presets.validate(cfg.model, **over)
    console.print(f"# vllm preset {cfg.model}: checked {'; '.join(checks)}", markup=False,
                  highlight=False)
