"""Rollout engines as Ray actors (EnginePool) and weight sync into them from a TrainGroup.

One Ray session for the file; CPU, gloo. tiny-random-llama has tied embeddings, so a sync
that moved only `named_parameters()` would leave the engine's lm_head stale."""
import pytest
import torch

from gymkit.policy import load_policy
from gymkit.policy.base import GenRequest, SamplingParams
from gymkit.policy.engines import EngineError, EnginePool
from gymkit.trainers.config import load_config
from gymkit.trainers.distributed import TrainGroup, TrainGroupError
from gymkit.trainers.weight_sync import WeightSyncError, manifest, pack, Entry

from test_distributed import _batch

MODEL = "tiny-random-llama"
GREEDY = SamplingParams(max_new_tokens=8, temperature=0.0)


@pytest.fixture(scope="module")
def ray_session():
    import ray

    from gymkit.pool import init_ray

    init_ray(num_cpus=6)
    yield ray
    ray.shutdown()


def _cfg(*extra, world=2, engines=1):
    return load_config(None, [f"model={MODEL}", "trainer.lr=1e-2", "trainer.micro_batch_size=2",
                              f"trainer.distributed.world_size={world}",
                              "trainer.distributed.timeout_s=60", "logging.progress=false",
                              f"trainer.distributed.engines.count={engines}",
                              "trainer.distributed.engines.timeout_s=60", *extra])


def _requests(n=5):
    return [GenRequest(messages=[{"role": "user", "content": f"count to {i}"}]) for i in range(n)]


def _pool(cfg):
    return EnginePool(cfg.model, "hf", {}, cfg.trainer.distributed.engines)


def _hf_greedy(state):
    """What a plain in-process hf policy samples greedily with `state` loaded."""
    pol = load_policy(MODEL, "hf")
    pol.model.load_state_dict(state)
    return [g.token_ids for g in pol.generate(_requests(), GREEDY)]


def test_pack_closes_buckets_on_size_and_dtype():
    es = [Entry("a", (4, 4), "float32"), Entry("b", (4,), "float32"), Entry("c", (2,), "bfloat16"),
          Entry("d", (100,), "bfloat16")]
    assert [[e.name for e in b] for b in pack(es, 64)] == [["a"], ["b"], ["c"], ["d"]]
    assert [[e.name for e in b] for b in pack(es, 1 << 20)] == [["a", "b"], ["c", "d"]]


def test_engines_split_a_batch_and_match_one_in_process_policy(ray_session):
    cfg = _cfg(world=0, engines=2)
    pool = _pool(cfg)
    try:
        got = pool.generate(_requests(), GREEDY)
        assert [g.version for g in got] == [0] * 5
        ref = load_policy(MODEL, "hf").generate(_requests(), GREEDY)
        assert [g.token_ids for g in got] == [g.token_ids for g in ref]
    finally:
        pool.close()


@pytest.mark.parametrize("lora", [False, True])
def test_broadcast_sync_from_two_ranks_gives_the_engine_the_trained_weights(ray_session, lora):
    extra = ["trainer.lora.enabled=true", "trainer.lora.r=4",
             "trainer.lora.target_modules=[q_proj, v_proj, down_proj]"] if lora else []
    # 8 KB buckets: the tiny model's tensors go over in many broadcasts, not one
    cfg = _cfg("trainer.distributed.engines.bucket_mb=0.008", *extra)
    group, pool = TrainGroup(cfg), _pool(cfg)
    try:
        before = ray_session.get(pool.actors[0].weights.remote())
        for s in range(2):
            group.update(_batch(seed=s))
        group.broadcast_weights(pool)
        assert len(group._buckets) > 3
        trained = {k: v.float() for k, v in group.sampler_state().items()}
        synced = ray_session.get(pool.actors[0].weights.remote())
        assert set(synced) == set(trained)  # lm_head included (tied to the embeddings)
        assert max(float((synced[k].float() - before[k].float()).abs().max()) for k in synced) > 1e-3
        # exact, in the engine's own dtype (the hf backend samples in bf16 on CPU)
        assert all(torch.equal(synced[k], trained[k].to(synced[k].dtype)) for k in synced)
        got = pool.generate(_requests(), GREEDY)
        assert {g.version for g in got} == {1}
        assert [g.token_ids for g in got] == _hf_greedy(trained)
    finally:
        pool.close()
        group.close()


def test_an_engine_dead_at_sync_time_is_replaced_and_the_sync_completes(ray_session):
    cfg = _cfg("trainer.distributed.engines.timeout_s=15", engines=2)
    group, pool = TrainGroup(cfg), _pool(cfg)
    try:
        group.broadcast_weights(pool)  # the group is built with both engines
        old = list(pool.actors)
        group.update(_batch(seed=0))
        ray_session.kill(pool.actors[1], no_restart=True)  # dies before the broadcast reaches it
        group.broadcast_weights(pool)
        assert all(a is not b for a, b in zip(pool.actors, old))  # every engine replaced
        trained = {k: v.float() for k, v in group.sampler_state().items()}
        for a in pool.actors:
            w = ray_session.get(a.weights.remote())
            assert all(torch.equal(w[k], trained[k].to(w[k].dtype)) for k in w)
        assert {g.version for g in pool.generate(_requests(), GREEDY)} == {pool.version}
    finally:
        pool.close()
        group.close()


def test_a_dead_train_rank_fails_the_sync_with_one_line_naming_it(ray_session):
    import os

    cfg = _cfg("trainer.distributed.timeout_s=20", "trainer.distributed.engines.timeout_s=15")
    group, pool = TrainGroup(cfg), _pool(cfg)
    try:
        group.broadcast_weights(pool)
        os.kill(ray_session.get(group.actors[1].pid.remote()), 9)
        with pytest.raises((WeightSyncError, TrainGroupError)) as err:
            group.broadcast_weights(pool)
        msg = str(err.value)
        assert "rank 1" in msg and "\n" not in msg, msg
    finally:
        pool.close()
        group.close()


def test_a_dead_engine_loses_no_request_and_is_replaced_at_the_next_sync(ray_session):
    cfg = _cfg(world=0, engines=2)
    pool = _pool(cfg)
    try:
        ray_session.kill(pool.actors[0], no_restart=True)
        got = pool.generate(_requests(), GREEDY)
        assert all(g.error is None and g.token_ids for g in got)
        assert pool.stale == {0}
        state = {k: v + 0.01 for k, v in ray_session.get(pool.actors[1].weights.remote()).items()}
        pool.sync_weights(state)  # object store; restarts engine 0 first
        assert pool.stale == set() and pool.version == 1
        for a in pool.actors:
            w = ray_session.get(a.weights.remote())
            assert max(float((w[k] - state[k]).abs().max()) for k in w) == 0.0
    finally:
        pool.close()


def test_train_loop_with_engines_runs_and_syncs_every_step(ray_session, tmp_path):
    from gymkit.trainers.trainer import train

    cfg = _cfg("envs={test_distributed_vowels: {}}", "steps=2", "rollout.prompts_per_step=2",
               "rollout.samples_per_prompt=2", "rollout.sampling.max_new_tokens=6",
               "rollout.heldout_prompts=0", f"out={tmp_path}", "checkpoint.every=0",
               "logging.plot=false")
    rows = train(cfg)
    assert len(rows) == 2


def test_config_refuses_colocated_engines_without_one_per_rank():
    with pytest.raises(Exception, match="colocated"):
        _cfg("trainer.distributed.engines.placement=colocated", world=2, engines=1)
    with pytest.raises(Exception, match="broadcast needs a TrainGroup"):
        _cfg("trainer.distributed.engines.weight_sync=broadcast", world=0, engines=1)


def test_colocated_engines_share_the_train_ranks_bundles(ray_session, tmp_path):
    from gymkit.trainers.learner import make_sampler_and_learner, push_weights

    cfg = _cfg("trainer.distributed.engines.placement=colocated", world=2, engines=2)
    policy, learner, owns = make_sampler_and_learner(cfg)
    try:
        assert owns and policy.pg is learner.pg  # one placement group: engine i in bundle i
        learner.update(_batch(seed=0))
        push_weights(learner, policy, cfg)  # auto: broadcast
        trained = {k: v.float() for k, v in learner.sampler_state().items()}
        for a in policy.actors:
            w = ray_session.get(a.weights.remote())
            assert all(torch.equal(w[k], trained[k].to(w[k].dtype)) for k in w)
    finally:
        policy.close()
        learner.close()
