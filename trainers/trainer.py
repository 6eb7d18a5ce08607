"""The RLVR loop, top to bottom: sample -> score -> advantages -> update -> sync -> repeat.

One file, no framework: each step draws a weighted mix of prompts from the envs' seeded
generators, samples G completions per prompt with `run_episodes` (groups are scored by the env
pool while other groups still generate), turns rewards into advantages (`trainers.batch`),
takes micro-batched gradient steps on the sampler's exact tokens (`trainers.update`), pushes
the weights to the sampler, logs per-env metrics, and checkpoints atomically.
"""
from __future__ import annotations

import random
import time
from statistics import mean
from typing import Any

import numpy as np
import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..driver import run_episodes
from ..policy.base import Policy, SamplingParams
from ..pool import EnvPool, LocalPool
from ..types import Task
from .batch import prepare
from .checkpoint import latest_checkpoint, load_trainer_state, save_checkpoint, sweep_partial
from .config import TrainConfig, dump_config
from .data import TaskStream, heldout_for_run
from .metrics import MetricsWriter, RunHealth, plot_rewards, step_record
from .learner import make_sampler_and_learner, push_weights
from .reward_model import RewardBlender
from .rollout_source import AsyncSource, SyncSource, drop_stale, tasks_digest


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _step_seed(cfg: TrainConfig, step: int) -> int:
    # sampling at step k depends only on (seed, k, weights): a resumed run samples identically
    return (cfg.seed * 1_000_003 + step) % 2**31


def _stream(cfg: TrainConfig) -> TaskStream:
    return TaskStream({n: e.weight for n, e in cfg.envs.items()}, cfg.seed,
                      {n: e.difficulty for n, e in cfg.envs.items()}, _options(cfg),
                      {n: e.tasks for n, e in cfg.envs.items()}, cfg.rollout.heldout_prompts)


def _options(cfg: TrainConfig) -> dict[str, dict]:
    return {n: dict(e.options) for n, e in cfg.envs.items()}


def make_pool(cfg: TrainConfig):
    env_config = _options(cfg)
    if "rm_chat" in cfg.envs:
        env_config["rm_chat"] = {**env_config["rm_chat"], "rm_path": cfg.reward_model.path}
    names = sorted(cfg.envs)
    if cfg.rollout.pool == "ray":
        return EnvPool(names, actors_per_env=cfg.rollout.actors_per_env, env_config=env_config)
    if cfg.rollout.pool == "http":
        from gymkit.http_pool import HTTPPool

        return HTTPPool(cfg.rollout.env_server or "", names)
    return LocalPool(names, env_config=env_config)


def evaluate_heldout(policy: Policy, pool, tasks: list[Task], cfg: TrainConfig) -> dict[str, float]:
    """Greedy reward and pass rate on held-out tasks (never trained on)."""
    params = cfg.rollout.sampling.model_copy(update={"temperature": 0.0, "seed": cfg.seed})
    rollouts = run_episodes(tasks, policy, pool, params, samples=1)
    scored = [r for r in rollouts if r.scored]
    return {"heldout/reward": mean(r.reward for r in scored) if scored else 0.0,
            "heldout/pass_rate": mean(r.status == "correct" for r in scored) if scored else 0.0,
            "heldout/error_rate": 1 - len(scored) / max(len(rollouts), 1)}


def _resume(cfg: TrainConfig, learner, stream: TaskStream) -> int:
    sweep_partial(cfg.out)
    ckpt = latest_checkpoint(cfg.out)
    if ckpt is None:
        return 0
    state = load_trainer_state(ckpt)
    learner.restore(ckpt, state)
    stream.load_state_dict(state["data"])
    return int(state["step"])


def _progress(cfg: TrainConfig, console: Console | None) -> Progress:
    return Progress(TextColumn("[bold]train[/] step"), MofNCompleteColumn(), BarColumn(),
                    TextColumn("reward {task.fields[reward]:.3f}"),
                    TextColumn("{task.fields[tps]:.0f} tok/s"), TimeElapsedColumn(),
                    console=console, disable=not cfg.logging.progress)


def train(cfg: TrainConfig, resume: bool = False, policy: Policy | None = None,
          console: Console | None = None) -> list[dict[str, Any]]:
    """Run (or continue, with `resume`) the training described by `cfg`; returns its metrics."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    (cfg.out / "config.yaml").write_text(dump_config(cfg))
    seed_everything(cfg.seed)
    # sampler: in this process or rollout engines (Ray actors); learner: in this process or
    # N FSDP2 ranks (trainer.distributed.world_size); the loop below is the same for all
    policy, learner, owns_policy = make_sampler_and_learner(cfg, policy)
    stream = _stream(cfg)
    try:
        start = _resume(cfg, learner, stream) if resume else 0
        shared = learner.shared
        if start and not shared:
            if hasattr(policy, "version"):
                policy.version = start - 1  # rollout engines: the push makes it `start`
            push_weights(learner, policy, cfg)
    except BaseException:
        learner.close()
        if owns_policy:
            policy.close()
        raise
    pool = make_pool(cfg)
    blender = RewardBlender.from_config(cfg)
    writer = MetricsWriter(cfg.out, cfg.logging.tensorboard, cfg.logging.wandb,
                           cfg.logging.wandb_project, cfg.model_dump(mode="json"), start)
    heldout: list[Task] = []
    if cfg.rollout.heldout_prompts:
        # held-out problems never appear among the run's training prompts; stored, so a resume
        # with another --steps evaluates the same set
        heldout = heldout_for_run(cfg.out, {n: e.weight for n, e in cfg.envs.items()},
                                  cfg.rollout.heldout_prompts, cfg.seed,
                                  {n: e.difficulty for n, e in cfg.envs.items()}, _options(cfg),
                                  cfg.steps * cfg.rollout.prompts_per_step,
                                  {n: e.tasks for n, e in cfg.envs.items()})
    health = RunHealth(cfg.health.max_error_share, cfg.health.patience)
    sampling = cfg.rollout.sampling
    asynchronous = cfg.rollout.mode == "async"
    # async: held-out evals must not share the producer's pool (its results queue is one)
    eval_pool = make_pool(cfg) if asynchronous and heldout else pool
    source = None
    try:
        if heldout and start == 0:
            writer.write({"step": 0, **evaluate_heldout(policy, eval_pool, heldout, cfg)})
        # the sampler's weights are version `start` (steps trained); rollout engines count too
        source = (AsyncSource(cfg, policy, pool, stream, blender, lambda s: _step_seed(cfg, s),
                              start, start) if asynchronous else
                  SyncSource(cfg, policy, pool, stream, blender, lambda s: _step_seed(cfg, s)))
        with _progress(cfg, console) as bar:
            job = bar.add_task("train", total=cfg.steps, completed=start, reward=0.0, tps=0.0)
            for step in range(start + 1, cfg.steps + 1):
                t0 = time.monotonic()
                # 1. sample G completions per prompt (in line, or ahead by the producer);
                #    groups are scored as they finish
                batch = source.next(step)
                rollouts, t_gen = batch.rollouts, batch.generate_s
                if asynchronous:  # never train on a rollout older than max_staleness versions
                    rollouts, lag = drop_stale(rollouts, step - 1, cfg.rollout.max_staleness)
                    batch.stats.update(lag)
                # 2. rewards -> advantages; errors, timeouts and (optionally) overlong and
                #    zero-variance groups are left out of the gradient but kept in metrics
                prep = prepare(rollouts, cfg.algorithm, cfg.loss, sampling.max_new_tokens)
                # 3. gradient steps on the exact sampled tokens
                t1 = time.monotonic()
                update: dict[str, float] = {}
                if not shared and hasattr(policy, "sleep") and not asynchronous:
                    policy.sleep()  # a colocated engine frees the GPU while the trainer runs
                if prep.sequences:
                    if cfg.loss.old_logprobs == "recompute":
                        learner.recompute(prep.sequences)
                    update = learner.update(prep.sequences)
                # 4. the sampler gets the new weights
                if not shared:
                    push_weights(learner, policy, cfg)
                source.weights_updated(step)
                t_upd = time.monotonic() - t1
                rec = step_record(step, rollouts, prep, update, {
                    "generate_s": t_gen, "update_s": t_upd, "step_s": time.monotonic() - t0})
                rec.update(batch.stats)
                rec["data/tasks"] = tasks_digest(batch.rollouts)
                if heldout and _eval_due(cfg, step):
                    rec.update(evaluate_heldout(policy, eval_pool, heldout, cfg))
                writer.write(rec)
                health.check(rollouts, prep)  # a run that does nothing stops, with the reason
                bar.update(job, completed=step, reward=rec["reward/all"], tps=rec["tokens_per_s"])
                if _ckpt_due(cfg, step):
                    # the data position of the batch just trained (async: the producer is
                    # ahead; a resume samples its batches again, none is skipped)
                    save_checkpoint(cfg.out, step, learner.write,
                                    {"data": batch.data_state}, keep=cfg.checkpoint.keep)
        rows = writer.rows()
        if cfg.logging.plot:
            plot_rewards(rows, cfg.out / "reward_curve.png")
        return rows
    finally:
        if source is not None:
            source.close()
        writer.close()
        pool.close()
        if eval_pool is not pool:
            eval_pool.close()
        stream.close()
        learner.close()
        if owns_policy and cfg.trainer.distributed.engines.count:
            policy.close()  # engine actors; an in-process policy stays usable by the caller


def _eval_due(cfg: TrainConfig, step: int) -> bool:
    every = cfg.rollout.eval_every
    return step == cfg.steps or bool(every and step % every == 0)


def _ckpt_due(cfg: TrainConfig, step: int) -> bool:
    every = cfg.checkpoint.every
    return step == cfg.steps or bool(every and step % every == 0)

