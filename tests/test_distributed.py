"""TrainGroup (FSDP2 over gloo, ranks as Ray actors) takes the same step as one process.

One Ray session for the whole file; every group is closed by its test. CPU only."""
import os
import random
import time

import pytest
import torch

from gymkit import BaseEnv, Score, Task, register_env
from gymkit.trainers.batch import Sequence
from gymkit.trainers.config import load_config
from gymkit.trainers.distributed import TrainGroup, TrainGroupError
from gymkit.trainers.model import add_lora, load_hf, make_optimizer, pad_token, sampler_state
from gymkit.trainers.update import policy_update

TOL = 1e-5


@register_env
class Vowels(BaseEnv):
    """Graded reward (share of vowels): a random model gets non-zero advantages."""

    name = "test_distributed_vowels"

    def generate_task(self, rng, difficulty, index):
        return Task(id=f"v-{index}", env=self.name,
                    prompt=[{"role": "user", "content": f"Write vowels {index}"}])

    def score(self, task, response):
        return Score.graded(sum(c in "aeiou" for c in response) / max(len(response), 1))


@pytest.fixture(scope="module")
def ray_session():
    import ray

    from gymkit.pool import init_ray

    init_ray(num_cpus=6)
    yield ray
    ray.shutdown()


def _cfg(model, *extra, world=2):
    return load_config(None, [f"model={model}", "trainer.lr=1e-3", "trainer.micro_batch_size=2",
                              f"trainer.distributed.world_size={world}",
                              "trainer.distributed.timeout_s=60", "logging.progress=false",
                              *extra])


def _batch(n=5, seed=0, vocab=400):
    """n sequences of uneven prompt and completion lengths (5 over 2 ranks: 3 and 2)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        p, c = rng.randint(3, 9), rng.randint(2, 12)
        ids = [rng.randrange(5, vocab) for _ in range(p + c)]
        out.append(Sequence(ids=ids, n_prompt=p, old_logprobs=[-rng.uniform(3, 8) for _ in range(c)],
                            mask=[1] * c, advantage=rng.uniform(-1, 1), env="t"))
    return out


def _one_process(cfg, steps=2):
    model, tok = load_hf(cfg, dtype=torch.float32)
    if cfg.trainer.lora.enabled:
        torch.manual_seed(cfg.seed)
        model = add_lora(model, cfg)
    opt, sched = make_optimizer(model, cfg)
    rows = [policy_update(model, opt, sched, _batch(seed=s), cfg, pad_token(tok))
            for s in range(steps)]
    state = sampler_state(model)
    state = state.state_dict() if isinstance(state, torch.nn.Module) else state
    return rows, {k: v.detach().float() for k, v in state.items()}


def _group(cfg, steps=2):
    group = TrainGroup(cfg)
    try:
        rows = [group.update(_batch(seed=s)) for s in range(steps)]
        return rows, group.sampler_state()
    finally:
        group.close()


def _compare(cfg, steps=2):
    rows1, w1 = _one_process(cfg, steps)
    rowsN, wN = _group(cfg, steps)
    for a, b in zip(rows1, rowsN):
        assert abs(a["loss"] - b["loss"]) < TOL, (a, b)
        assert abs(a["grad_norm"] - b["grad_norm"]) < 1e-4 * max(1, a["grad_norm"]), (a, b)
    assert set(w1) == set(wN)
    worst = max(float((w1[k] - wN[k].float()).abs().max()) for k in w1)
    moved = max(float((w1[k] - v).abs().max()) for k, v in _one_process(cfg, 0)[1].items())
    assert moved > 1e-3  # the weights did change, so agreement means something
    assert worst < TOL, worst
    return worst


@pytest.mark.parametrize("model", ["tiny-random-llama", "tiny-random-nemotronh"])
def test_two_ranks_full_finetune_match_one_process(ray_session, model):
    _compare(_cfg(model, "trainer.mini_batches=2"))


@pytest.mark.parametrize("model,targets", [
    pytest.param("tiny-random-llama", "[q_proj, v_proj, down_proj]", marks=pytest.mark.slow),
    ("tiny-random-nemotronh", "[q_proj, in_proj, up_proj, down_proj]")])
def test_two_ranks_lora_match_one_process(ray_session, model, targets):
    _compare(_cfg(model, "trainer.lora.enabled=true", "trainer.lora.r=4",
                  f"trainer.lora.target_modules={targets}", "trainer.lr=1e-2",
                  "trainer.micro_batch_tokens=30"))  # length-bucketed: uneven counts per rank


def test_killed_rank_stops_the_step_with_one_line_naming_it(ray_session):
    cfg = _cfg("tiny-random-llama", "trainer.distributed.timeout_s=20")
    group = TrainGroup(cfg)
    try:
        pid = __import__("ray").get(group.actors[1].pid.remote())
        t0 = time.monotonic()
        seqs = _batch(n=40)
        refs = [a.update.remote(s) for a, s in zip(group.actors, [[seqs[0::2]], [seqs[1::2]]])]
        os.kill(pid, 9)
        with pytest.raises(TrainGroupError) as err:
            group.gather("update", refs)
        msg = str(err.value)
        assert "rank 1" in msg and "\n" not in msg, msg
        assert time.monotonic() - t0 < 20
    finally:
        group.close()


@pytest.mark.slow
def test_hsdp_2x2_mesh_matches_one_process(ray_session):
    """4 ranks: parameters sharded over 2, replicated over 2 (the two-node layout)."""
    _compare(_cfg("tiny-random-llama", "trainer.distributed.replicas=2", "trainer.mini_batches=2",
                  world=4))


@pytest.mark.parametrize("preset", [
    "nano-30b-8xh100", pytest.param("nano-30b-2x8xh100", marks=pytest.mark.slow), "nano-4b-1xh100"])
def test_preset_code_path_on_tiny_nemotronh(ray_session, tmp_path, preset):
    """The preset's algorithm, loss, LoRA (targets incl. fused experts) and distributed
    sections, on a tiny NemotronH with the same module names, for 2 steps on CPU; the
    checkpoint exports a plain HF model that `gymkit eval --model` can load."""
    from transformers import AutoModelForCausalLM

    from gymkit.trainers.config import preset_path
    from gymkit.trainers.trainer import train

    import yaml

    raw = yaml.safe_load(preset_path(preset).read_text())
    world = min(raw["trainer"].get("distributed", {}).get("world_size", 0), 2)
    cfg = load_config(preset, [
        "model=tiny-random-nemotronh", "backend=hf", "backend_options={}", "steps=2",
        f"out={tmp_path}", "envs={test_distributed_vowels: {}}", "trainer.lr=1e-2", "rollout.prompts_per_step=2",
        "rollout.samples_per_prompt=4", "rollout.sampling.max_new_tokens=12", "rollout.pool=local",
        "rollout.heldout_prompts=0", "checkpoint.every=1", "logging.progress=false",
        "logging.tensorboard=false", "logging.plot=false", "loss.filter_zero_variance=false",
        f"trainer.distributed.world_size={world}", "trainer.distributed.ray_address=null",
        "trainer.distributed.device=cpu", "trainer.distributed.timeout_s=120"])
    assert cfg.algorithm == load_config(preset).algorithm and cfg.trainer.lora.enabled
    from gymkit.policy import load_policy

    policy = load_policy("tiny-random-nemotronh", "hf", dtype="float32")
    before = {k: v.clone() for k, v in policy.model.state_dict().items()}
    rows = train(cfg, policy=policy)
    assert [r["step"] for r in rows] == [1, 2]
    assert all(r["train/sequences"] > 0 for r in rows)
    exported = tmp_path / "checkpoints" / "step-000002" / "model"
    if world:  # the sampler received merged weights; the export is a plain model
        after = policy.model.state_dict()
        assert any(not torch.equal(before[k], after[k]) for k in before)
        plain = AutoModelForCausalLM.from_pretrained(exported)
        assert not any("lora" in k for k in plain.state_dict())
        assert (tmp_path / "checkpoints" / "step-000002" / "sharded").is_dir()
    else:
        assert (exported / "adapter_config.json").exists()


def test_resume_at_the_same_world_size_is_exact(ray_session, tmp_path):
    """Resuming from step 2 (sharded model + Adam state reloaded on 2 new ranks) logs the
    steps 3 and 4 an uninterrupted run logs."""
    from gymkit.policy import load_policy
    from gymkit.trainers.trainer import train

    def run(out, steps, resume=False):
        cfg = load_config("tiny-cpu", [
            f"out={out}", f"steps={steps}", "envs={test_distributed_vowels: {}}",
            "checkpoint.every=1", "checkpoint.keep=3", "logging.progress=false", "logging.plot=false",
            "logging.tensorboard=false", "rollout.prompts_per_step=2", "trainer.lr=1e-2",
            "trainer.distributed.world_size=2", "trainer.distributed.timeout_s=60"])
        return train(cfg, resume=resume, policy=load_policy("tiny-random-llama", "hf",
                                                            dtype="float32"))

    def stable(rows):
        return [{k: v for k, v in r.items() if not k.startswith(("time/", "tokens_per_s"))}
                for r in rows]

    straight = stable(run(tmp_path, 4))
    # roll the run back to its step-2 checkpoint, as if it had been killed during step 3;
    # step 4's metrics depend on step 3's Adam update, so the optimizer shards must be exact
    (tmp_path / "checkpoints" / "latest").write_text("step-000002\n")
    resumed = stable(run(tmp_path, 4, resume=True))
    assert [r["step"] for r in resumed] == [1, 2, 3, 4] and resumed[-1]["train/grad_norm"] > 0
    assert resumed == straight
