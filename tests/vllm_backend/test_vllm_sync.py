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


def test_wrong_names_and_shapes_are_refused_before_touching_the_engine(vpolicy, hf_policy):
    with pytest.raises(GymkitError, match=r"has shape \[3, 3\]; the model's is \[128, 128\]"):
        vpolicy.sync_weights({"model.layers.0.self_attn.q_proj.weight": torch.zeros(3, 3)})
    with pytest.raises(GymkitError, match="peft wrapper"):
        vpolicy.sync_weights({"base_model.model.model.norm.weight": torch.ones(128)})
    want = [g.token_ids for g in hf_policy.generate(REQS, GREEDY)]
    assert [g.token_ids for g in vpolicy.generate(REQS, GREEDY)] == want


def test_one_engine_per_process(vpolicy, tiny_dir):
    from gymkit.policy.vllm import VLLMPolicy

    with pytest.raises(GymkitError, match="already running"):
        VLLMPolicy(str(tiny_dir))
