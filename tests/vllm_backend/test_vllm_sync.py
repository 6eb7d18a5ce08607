"""Weight sync: after a real optimizer step on the HF model, the running vLLM engine (no restart)
samples exactly what HF samples with the updated weights; bad syncs fail loudly."""
from __future__ import annotations

import copy

import pytest

pytest.importorskip("vllm")

import torch  # noqa: E402

from gymkit.errors import GymkitError  # noqa: E402
from gymkit.policy.base import GenRequest, SamplingParams  # noqa: E402

GREEDY = SamplingParams(max_new_tokens=16, temperature=0)
REQS = [GenRequest(messages=[{"role": "user", "content": c}])
        for c in ["What is 7 times 8?", "Name a colour.", "Say something long about rivers."]]


def _train_one_step(model, tokenizer, lr: float = 3e-2) -> None:
    """One AdamW step of next-token cross-entropy on a fixed text (a real update, not noise)."""
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    ids = tokenizer("The capital of France is Paris. Rivers flow to the sea.", return_tensors="pt").input_ids
    loss = model(ids, labels=ids).loss
    loss.backward()
    opt.step()
    model.eval()


@pytest.fixture()
def trained(hf_policy):
    model = copy.deepcopy(hf_policy.model)
    _train_one_step(model, hf_policy.tokenizer)
    return model


def test_sync_after_a_training_step_matches_hf(vpolicy, hf_policy, trained):
    from gymkit.policy.hf import HFPolicy

    before = [g.token_ids for g in vpolicy.generate(REQS, GREEDY)]
    assert before == [g.token_ids for g in hf_policy.generate(REQS, GREEDY)]
    want = [g.token_ids for g in HFPolicy(trained, tokenizer=hf_policy.tokenizer).generate(REQS, GREEDY)]
    assert want != before, "the training step did not change greedy output: the test would be vacuous"
    try:
        vpolicy.sync_weights(trained)  # a module, as the trainer passes it
        assert [g.token_ids for g in vpolicy.generate(REQS, GREEDY)] == want
    finally:
        vpolicy.sync_weights(hf_policy.model.state_dict())  # a state dict (the LoRA-merged form) restores
    assert [g.token_ids for g in vpolicy.generate(REQS, GREEDY)] == before


def test_sync_rejects_non_tensors_before_touching_the_engine(vpolicy):
    with pytest.raises(GymkitError, match="not a tensor"):
        vpolicy.sync_weights({"model.norm.weight": [1.0, 2.0]})
    with pytest.raises(GymkitError, match="non-empty state dict"):
        vpolicy.sync_weights({})
    assert vpolicy.generate(REQS[:1], GREEDY)[0].error is None


def test_failed_sync_raises_and_blocks_generation(tiny_dir):
    from gymkit.policy.vllm import VLLMPolicy, WeightSyncError

    policy = VLLMPolicy(str(tiny_dir), dtype="float32", max_model_len=256)
    try:
        bad = {"model.layers.0.self_attn.q_proj.weight": torch.zeros(3, 3)}  # wrong shape
        with pytest.raises(WeightSyncError, match="weight sync failed"):
            policy.sync_weights(bad)
        out = policy.generate(REQS[:2], GREEDY)
        assert all(g.finish_reason == "error" and "weight sync failed" in g.error for g in out)
    finally:
        policy.close()
