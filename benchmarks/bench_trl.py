"""gymkit's GRPO loop next to TRL's GRPOTrainer: same model, prompts, G, lr, batch and steps.

Both use Dr.GRPO-style advantages (no std scaling), token-mean loss with clip 0.2/0.28, no KL,
the preset's temperature. Held-out reward (greedy, tasks from seeds >= 10**6) is measured with one gymkit
evaluator for the base model and for each trained model. Needs `pip install trl` (benchmark
only; gymkit itself does not depend on it).

    .venv/bin/python benchmarks/bench_trl.py --steps 10 --out runs/bench_trl
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from gymkit.policy.hf import HFPolicy
from gymkit.policy.models import model_source
from gymkit.pool import LocalPool
from gymkit.registry import make_env
from gymkit.trainers.config import load_config
from gymkit.trainers.data import TaskStream, heldout_tasks, prompt_text
from gymkit.trainers.trainer import evaluate_heldout, train
from gymkit.types import Task


def run_trl(cfg, tasks: list[Task], out: Path):
    """TRL's GRPOTrainer on exactly `tasks`, rewarded by the same env verifier."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    src = model_source(cfg.model)
    tok = AutoTokenizer.from_pretrained(src)
    model = AutoModelForCausalLM.from_pretrained(src, dtype=torch.float32)
    envs = {name: make_env(name, **cfg.envs[name].options) for name in cfg.envs}

    def reward(prompts, completions, task_json, **_):
        out = []
        for comp, tj in zip(completions, task_json):
            task = Task.model_validate_json(tj)
            env = envs[task.env]
            out.append(env.safe_score(env.reset(task), comp[0]["content"]).reward)
        return out

    data = Dataset.from_list([{"prompt": t.prompt, "task_json": t.model_dump_json()} for t in tasks])
    G, P = cfg.rollout.samples_per_prompt, cfg.rollout.prompts_per_step
    args = GRPOConfig(
        output_dir=str(out), learning_rate=cfg.trainer.lr, max_steps=cfg.steps,
        # 64 completions per optimizer step as on the gymkit side, in micro-batches of
        # `trainer.micro_batch_size` (one batch of 64 full-vocab fp32 logits needs > 24 GB)
        per_device_train_batch_size=cfg.trainer.micro_batch_size, num_generations=G,
        gradient_accumulation_steps=max(1, P * G // cfg.trainer.micro_batch_size),
        max_completion_length=cfg.rollout.sampling.max_new_tokens,
        temperature=cfg.rollout.sampling.temperature, beta=0.0,
        loss_type="dapo", scale_rewards="none", epsilon=cfg.loss.clip_low,
        epsilon_high=cfg.loss.clip_high, max_grad_norm=cfg.trainer.max_grad_norm,
        shuffle_dataset=False, use_cpu=not torch.cuda.is_available(), bf16=cfg.trainer.bf16,
        gradient_checkpointing=cfg.trainer.gradient_checkpointing, report_to="none",
        logging_steps=1, save_strategy="no", seed=cfg.seed)
    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=args, train_dataset=data,
                          processing_class=tok)
    t0 = time.monotonic()
    trainer.train()
    wall = time.monotonic() - t0
    rewards = [h["reward"] for h in trainer.state.log_history if "reward" in h]
    return trainer.model.eval(), tok, wall / cfg.steps, rewards


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--heldout", type=int, default=48)
    ap.add_argument("--out", type=Path, default=Path("runs/bench_trl"))
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    cfg = load_config("smollm2-cpu", [
        f"steps={args.steps}", f"out={args.out / 'gymkit'}", "rollout.heldout_prompts=0",
        "loss.overlong=none", "checkpoint.every=0", "logging.progress=false", *args.overrides])
    weights = {n: e.weight for n, e in cfg.envs.items()}
    levels = {n: e.difficulty for n, e in cfg.envs.items()}
    options = {n: dict(e.options) for n, e in cfg.envs.items()}
    tasks = TaskStream(weights, cfg.seed, levels, options).next(
        cfg.steps * cfg.rollout.prompts_per_step)
    held = heldout_tasks(sorted(cfg.envs), args.heldout, cfg.seed, levels,
                         exclude={prompt_text(t) for t in tasks}, options=options)
    pool = LocalPool(sorted(cfg.envs), env_config=options)

    def heldout(policy) -> float:
        return evaluate_heldout(policy, pool, held, cfg)["heldout/reward"]

    base = HFPolicy(cfg.model)  # the preset's dtype (bf16 sampler, fp32 master weights)
    before = heldout(base)
    t0 = time.monotonic()
    rows = train(cfg, policy=base)  # same TaskStream seed: the same prompts, in the same order
    ours_step = (time.monotonic() - t0) / cfg.steps
    ours_after = heldout(base)
    trl_model, trl_tok, trl_step, trl_rewards = run_trl(cfg, tasks, args.out / "trl")
    trl_after = heldout(HFPolicy(trl_model, tokenizer=trl_tok))
    result = {"model": cfg.model, "steps": cfg.steps, "G": cfg.rollout.samples_per_prompt,
              "prompts_per_step": cfg.rollout.prompts_per_step, "lr": cfg.trainer.lr,
              "max_new_tokens": cfg.rollout.sampling.max_new_tokens, "heldout_prompts": len(held),
              "heldout_before": before,
              "gymkit": {"s_per_step": ours_step, "heldout_after": ours_after,
                         "train_reward": [r["reward/all"] for r in rows if "reward/all" in r]},
              "trl": {"s_per_step": trl_step, "heldout_after": trl_after, "train_reward": trl_rewards},
              "trl_over_gymkit_time": trl_step / ours_step}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
