"""gymkit's GRPO loop next to TRL's GRPOTrainer, on equal work and settings, then what each of
gymkit's own choices adds on top.

Every run trains the same model on the same prompts in the same order (one TaskStream), with
G samples per prompt, Dr.GRPO advantages (no std scaling), token-mean loss, clip 0.2/0.28,
no KL, a constant learning rate, the preset's temperature and length, rewards from the same
gymkit verifier, and sampling in bf16. The runs ("variants"):

  trl             TRL GRPOTrainer, model loaded with model_init_kwargs={"dtype": "bfloat16"}
                  (so it samples AND trains bf16 weights), lr_scheduler_type="constant",
                  one generate of all P*G rows per step, every completion in the loss
  gymkit-equal    gymkit with TRL's work: zero-variance groups kept in the loss
                  (loss.filter_zero_variance=false), one generate of all P*G rows
                  (HFPolicy max_batch_size=P*G); bf16 sampler, fp32 master weights
  gymkit-batched  + gymkit's length-sorted generation batches of 16 rows
  gymkit-default  + zero-variance groups dropped from the update (gymkit's default)
  trl-fp32        (optional) TRL as first published: fp32 weights, bf16 autocast

Step time: median and spread (min, quartiles, max) over all steps; each rate is printed with
the 1-minute load average sampled while it ran, so a loaded machine shows. Held-out reward is
greedy, from one gymkit evaluator, on tasks from seeds >= 10**6 never used for training.
Needs the `bench` extra (trl; gymkit itself does not depend on it). The measurement:

    .venv/bin/python benchmarks/bench_trl.py --steps 8 --out runs/bench_trl

A smoke run that checks the script end to end in minutes (tiny random model):

    .venv/bin/python benchmarks/bench_trl.py --smoke --out runs/bench_trl_smoke
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
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

VARIANTS = ("trl", "gymkit-equal", "gymkit-batched", "gymkit-default", "trl-fp32")
SMOKE = ["model=tiny-random-llama", "rollout.prompts_per_step=2", "rollout.samples_per_prompt=4",
         "rollout.sampling.max_new_tokens=16", "trainer.micro_batch_size=4",
         "envs={\"math\": {\"weight\": 1.0, \"difficulty\": 0}}"]


class LoadMeter:
    """Samples the 1-minute load average every `every_s` seconds while a run goes on."""

    def __init__(self, every_s: float = 2.0):
        self.every_s, self.samples, self._stop = every_s, [os.getloadavg()[0]], threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> "LoadMeter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        return {"median": round(statistics.median(self.samples), 2),
                "max": round(max(self.samples), 2), "cores": os.cpu_count() or 0}


def spread(times: list[float]) -> dict[str, float]:
    """Median and spread of per-step wall times (seconds)."""
    q = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
    return {"median": round(statistics.median(times), 3), "min": round(min(times), 3),
            "q1": round(q[0], 3), "q3": round(q[2], 3), "max": round(max(times), 3),
            "n": len(times)}


WHAT = {"trl": "TRL, bf16 weights, constant lr, one generate, all rows in the loss",
        "gymkit-equal": "gymkit on TRL's work: one generate, all rows in the loss",
        "gymkit-batched": "+ length-sorted generation batches of 16",
        "gymkit-default": "+ zero-variance groups dropped (gymkit's default)",
        "trl-fp32": "TRL with fp32 weights under bf16 autocast (as first published)"}


def markdown(summary: dict) -> str:
    """The table for docs/benchmarks.md, with the load each rate was measured under."""
    def mean(xs):
        xs = [x for x in xs if x is not None] if isinstance(xs, list) else [xs]
        return sum(xs) / len(xs) if xs else float("nan")

    lines = ["| run | what differs | s/step median (min-max, IQR) | load 1-min median (max), "
             "cores | sequences in the update / step | generated tokens / step | held-out "
             f"greedy reward (before {summary['heldout_before']:.3f}) |", "|---" * 7 + "|"]
    for v, r in summary["runs"].items():
        t = r["step_s"]
        lines.append(f"| {v} | {WHAT[v]} | {t['median']:.1f} s ({t['min']:.1f}-{t['max']:.1f}, "
                     f"{t['q1']:.1f}-{t['q3']:.1f}) | {r['load']['median']} ({r['load']['max']}), "
                     f"{r['load']['cores']} | {mean(r['sequences_per_step']):.0f} | "
                     f"{mean(r['tokens_per_step']):.0f} | {r['heldout_after']:.3f} |")
    lines += ["", *(f"- {k}: {v}x" for k, v in summary["ratios"].items())]
    return "\n".join(lines) + "\n"


def run_trl(cfg, tasks: list[Task], out: Path, dtype: str) -> dict:
    """TRL's GRPOTrainer on exactly `tasks`, rewarded by the same env verifiers."""
    from datasets import Dataset
    from transformers import AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    src = model_source(cfg.model)
    tok = AutoTokenizer.from_pretrained(src)
    envs = {name: make_env(name, **cfg.envs[name].options) for name in cfg.envs}

    def reward(prompts, completions, task_json, **_):
        out = []
        for comp, tj in zip(completions, task_json):
            task = Task.model_validate_json(tj)
            env = envs[task.env]
            out.append(env.safe_score(env.reset(task), comp[0]["content"]).reward)
        return out

    class StepClock(TrainerCallback):
        """Wall time between optimizer steps (generation, scoring and update all inside)."""

        def __init__(self):
            self.times: list[float] = []
            self.t = time.monotonic()

        def on_train_begin(self, *a, **k):
            self.t = time.monotonic()

        def on_step_end(self, *a, **k):
            now = time.monotonic()
            self.times.append(now - self.t)
            self.t = now

    data = Dataset.from_list([{"prompt": t.prompt, "task_json": t.model_dump_json()} for t in tasks])
    G, P, mb = cfg.rollout.samples_per_prompt, cfg.rollout.prompts_per_step, cfg.trainer.micro_batch_size
    args = GRPOConfig(
        output_dir=str(out), learning_rate=cfg.trainer.lr, max_steps=cfg.steps,
        lr_scheduler_type="constant", warmup_steps=0,
        # P*G completions per optimizer step as on the gymkit side, in micro-batches of
        # `trainer.micro_batch_size` (one batch of 64 full-vocab logits needs > 24 GB)
        per_device_train_batch_size=mb, num_generations=G,
        gradient_accumulation_steps=max(1, P * G // mb),
        model_init_kwargs={"dtype": dtype},
        max_completion_length=cfg.rollout.sampling.max_new_tokens,
        temperature=cfg.rollout.sampling.temperature, beta=0.0,
        loss_type="dapo", scale_rewards="none", epsilon=cfg.loss.clip_low,
        epsilon_high=cfg.loss.clip_high, max_grad_norm=cfg.trainer.max_grad_norm,
        shuffle_dataset=False, use_cpu=not torch.cuda.is_available(),
        bf16=cfg.trainer.bf16 and dtype != "bfloat16",
        gradient_checkpointing=cfg.trainer.gradient_checkpointing, report_to="none",
        logging_steps=1, save_strategy="no", seed=cfg.seed)
    clock = StepClock()
    trainer = GRPOTrainer(model=src, reward_funcs=[reward], args=args, train_dataset=data,
                          processing_class=tok, callbacks=[clock])
    with LoadMeter() as load:
        trainer.train()
    logs = [h for h in trainer.state.log_history if "reward" in h]
    return {"model": trainer.model.eval(), "tok": tok, "step_s": clock.times,
            "weights_dtype": str(next(trainer.model.parameters()).dtype),
            "load": load.summary(), "train_reward": [h["reward"] for h in logs],
            "lr": sorted({h.get("learning_rate") for h in logs if "learning_rate" in h}),
            "sequences_per_step": P * G,
            "tokens_per_step": [round(h.get("completions/mean_length", 0) * P * G) for h in logs]}


def run_gymkit(cfg, variant: str, out: Path) -> dict:
    """gymkit's trainer; `variant` picks how much of gymkit's own choices are on."""
    P, G = cfg.rollout.prompts_per_step, cfg.rollout.samples_per_prompt
    run_cfg = cfg.model_copy(deep=True)
    run_cfg.out = out
    run_cfg.loss.filter_zero_variance = variant == "gymkit-default"
    policy = HFPolicy(cfg.model, dtype="bfloat16",
                      max_batch_size=P * G if variant == "gymkit-equal" else 16)
    with LoadMeter() as load:
        rows = train(run_cfg, policy=policy)  # same TaskStream seed: same prompts, same order
    steps = [r for r in rows if "time/step_s" in r]
    return {"policy": policy, "step_s": [r["time/step_s"] for r in steps],
            "weights_dtype": f"sampler {next(policy.model.parameters()).dtype}, master fp32",
            "max_batch_size": policy.max_batch_size,
            "generate_s": spread([r["time/generate_s"] for r in steps]),
            "update_s": spread([r["time/update_s"] for r in steps]),
            "load": load.summary(), "train_reward": [r["reward/all"] for r in steps],
            "lr": [run_cfg.trainer.lr],
            "sequences_per_step": [r.get("train/sequences") for r in steps],
            "tokens_per_step": [r.get("tokens/generated") for r in steps]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--heldout", type=int, default=48)
    ap.add_argument("--out", type=Path, default=Path("runs/bench_trl"))
    ap.add_argument("--variants", default="trl,gymkit-equal,gymkit-batched,gymkit-default",
                    help=f"comma-separated, from: {', '.join(VARIANTS)}")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny random model, 2 prompts x 4 samples, 16 tokens: checks the script")
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    args = ap.parse_args()
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    if unknown := set(variants) - set(VARIANTS):
        raise SystemExit(f"unknown variant(s) {sorted(unknown)}; choose from {', '.join(VARIANTS)}")
    if args.steps < 8 and not args.smoke:
        raise SystemExit("use at least 8 steps: a median over fewer is not a measurement")
    cfg = load_config("smollm2-cpu", [
        f"steps={args.steps}", "rollout.heldout_prompts=0", "loss.overlong=none",
        "checkpoint.every=0", "logging.progress=false", "logging.plot=false",
        "trainer.warmup_steps=0", "health.patience=0", "trainer.bf16=true",
        *(SMOKE if args.smoke else []), *args.overrides])
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

    before = heldout(HFPolicy(cfg.model, dtype="bfloat16"))
    results: dict[str, dict] = {}
    for v in variants:
        if v.startswith("trl"):
            r = run_trl(cfg, tasks, args.out / v, "float32" if v == "trl-fp32" else "bfloat16")
            r["heldout_after"] = heldout(HFPolicy(r.pop("model"), tokenizer=r.pop("tok"),
                                                  dtype="bfloat16"))
        else:
            r = run_gymkit(cfg, v, args.out / v)
            r["heldout_after"] = heldout(r.pop("policy"))
        r["heldout_gain"] = r["heldout_after"] - before
        r["step_s"] = {**spread(r["step_s"]), "all": [round(t, 3) for t in r["step_s"]]}
        results[v] = r
        print(f"{v:15s} {r['step_s']['median']:8.2f} s/step (min {r['step_s']['min']:.2f}, "
              f"max {r['step_s']['max']:.2f}, n={r['step_s']['n']})  load {r['load']['median']} "
              f"(max {r['load']['max']}) on {r['load']['cores']} cores  "
              f"held-out {before:.3f} -> {r['heldout_after']:.3f}", flush=True)
    med = {v: r["step_s"]["median"] for v, r in results.items()}
    ratios = {}
    if "trl" in med and "gymkit-equal" in med:
        ratios["like_for_like_trl_over_gymkit"] = round(med["trl"] / med["gymkit-equal"], 3)
    if "gymkit-equal" in med and "gymkit-batched" in med:
        ratios["length_sorted_batches"] = round(med["gymkit-equal"] / med["gymkit-batched"], 3)
    if "gymkit-batched" in med and "gymkit-default" in med:
        ratios["zero_variance_filter"] = round(med["gymkit-batched"] / med["gymkit-default"], 3)
    if "trl" in med and "gymkit-default" in med:
        ratios["trl_over_gymkit_default"] = round(med["trl"] / med["gymkit-default"], 3)
    summary = {"model": cfg.model, "steps": cfg.steps, "G": cfg.rollout.samples_per_prompt,
               "prompts_per_step": cfg.rollout.prompts_per_step, "lr": cfg.trainer.lr,
               "max_new_tokens": cfg.rollout.sampling.max_new_tokens, "smoke": args.smoke,
               "heldout_prompts": len(held), "heldout_before": before, "ratios": ratios,
               "torch_threads": torch.get_num_threads(), "runs": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    (args.out / "summary.md").write_text(markdown(summary))
    print(markdown(summary))
    print(json.dumps({"ratios": ratios, "heldout_before": before,
                      "heldout_gain": {v: round(r["heldout_gain"], 3) for v, r in results.items()}},
                     indent=2))


if __name__ == "__main__":
    main()
