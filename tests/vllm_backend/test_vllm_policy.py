"""The vllm backend against the hf backend on the same tiny fp32 model: prompt ids, greedy
tokens, logprobs, stop strings, seeds, multi-turn prefixes, per-request errors."""
from __future__ import annotations

import pytest

pytest.importorskip("vllm")

import torch  # noqa: E402

from gymkit.errors import GymkitError  # noqa: E402
from gymkit.policy.base import GenRequest, SamplingParams  # noqa: E402

LOGPROB_TOL = 2e-3  # fp32 on both sides; vLLM's CPU kernels sum in a different order than HF's


def _requests(n: int = 6) -> list[GenRequest]:
    topics = ["What is 7 times 8?", "Name a colour.", "Write a haiku about rain and the sea at night.",
              "Hi", "List three prime numbers and explain why each is prime.", "2+2="]
    return [GenRequest(messages=[{"role": "user", "content": topics[i % len(topics)]}]) for i in range(n)]


def _recomputed_logprobs(model, prompt_ids, token_ids, temperature: float) -> list[float]:
    """What a trainer computes: log_softmax(logits / T) at each sampled token."""
    ids = torch.tensor([list(prompt_ids) + list(token_ids)])
    with torch.no_grad():
        logits = model(ids).logits[0, len(prompt_ids) - 1:-1].float()
    lp = torch.log_softmax(logits / temperature, dim=-1)
    return lp.gather(-1, torch.tensor(token_ids)[:, None])[:, 0].tolist()


def test_greedy_parity_with_hf(vpolicy, hf_policy):
    params = SamplingParams(max_new_tokens=24, temperature=0)
    got, want = vpolicy.generate(_requests(), params), hf_policy.generate(_requests(), params)
    assert len({tuple(g.token_ids[:8]) for g in got}) > 1, "tiny model degenerate: parity would be vacuous"
    for g, h in zip(got, want):
        assert g.error is None and h.error is None
        assert g.prompt_ids == h.prompt_ids
        assert g.token_ids == h.token_ids
        assert g.text == h.text
        assert g.finish_reason == h.finish_reason
        assert len(g.logprobs) == len(g.token_ids)


def test_greedy_logprobs_agree_with_hf(vpolicy, hf_policy):
    params = SamplingParams(max_new_tokens=16, temperature=0)
    for g, h in zip(vpolicy.generate(_requests(), params), hf_policy.generate(_requests(), params)):
        assert max(abs(a - b) for a, b in zip(g.logprobs, h.logprobs)) < LOGPROB_TOL


@pytest.mark.parametrize("temperature", [1.0, 0.7])
def test_sampled_logprobs_match_trainer_recomputation(vpolicy, hf_policy, temperature):
    params = SamplingParams(max_new_tokens=16, temperature=temperature, seed=3)
    for g in vpolicy.generate(_requests(4), params):
        assert g.logprobs and all(lp <= 0 for lp in g.logprobs)
        want = _recomputed_logprobs(hf_policy.model, g.prompt_ids, g.token_ids, temperature)
        assert max(abs(a - b) for a, b in zip(g.logprobs, want)) < LOGPROB_TOL


def test_seeded_sampling_is_reproducible_and_per_request(vpolicy):
    reqs = [GenRequest(messages=[{"role": "user", "content": "Tell me a story."}])] * 4
    params = SamplingParams(max_new_tokens=12, temperature=1.0, seed=11)
    a, b = vpolicy.generate(reqs, params), vpolicy.generate(reqs, params)
    assert [g.token_ids for g in a] == [g.token_ids for g in b]
    assert len({tuple(g.token_ids) for g in a}) > 1  # a GRPO group of one prompt must not collapse
    c = vpolicy.generate(reqs, params.model_copy(update={"seed": 12}))
    assert [g.token_ids for g in c] != [g.token_ids for g in a]


def test_max_new_tokens_gives_length(vpolicy):
    g = vpolicy.generate(_requests(1), SamplingParams(max_new_tokens=5, temperature=0))[0]
    assert g.finish_reason == "length" and len(g.token_ids) == 5 and len(g.logprobs) == 5


def test_stop_string_matches_hf(vpolicy, hf_policy):
    free = vpolicy.generate(_requests(3), SamplingParams(max_new_tokens=24, temperature=0))
    stops = [g.text[len(g.text) // 2:][:3] for g in free]  # a piece of each greedy answer
    for req, stop in zip(_requests(3), stops):
        if not stop.strip():
            continue
        params = SamplingParams(max_new_tokens=24, temperature=0, stop=[stop])
        g, h = vpolicy.generate([req], params)[0], hf_policy.generate([req], params)[0]
        assert stop not in g.text and g.finish_reason == "stop"
        assert (g.text, g.token_ids) == (h.text, h.token_ids)


def test_multi_turn_keeps_prefix_tokens(vpolicy, hf_policy):
    params = SamplingParams(max_new_tokens=8, temperature=0)
    first = vpolicy.generate(_requests(1), params)[0]
    history = [*_requests(1)[0].messages, {"role": "assistant", "content": first.text},
               {"role": "user", "content": "And why?"}]
    prefix = first.prompt_ids + first.token_ids
    req = GenRequest(messages=history, prefix_ids=prefix, n_prefix_messages=2)
    g, h = vpolicy.generate([req], params)[0], hf_policy.generate([req], params)[0]
    assert g.prompt_ids[:len(prefix)] == prefix
    assert g.prompt_ids == h.prompt_ids and g.token_ids == h.token_ids


def test_bad_requests_get_errors_not_empty_answers(vpolicy):
    too_long = GenRequest(messages=[{"role": "user", "content": "word " * 3000}])
    bad_prefix = GenRequest(messages=_requests(1)[0].messages, prefix_ids=[1, 2], n_prefix_messages=5)
    good = _requests(1)[0]
    out = vpolicy.generate([too_long, bad_prefix, good], SamplingParams(max_new_tokens=4, temperature=0))
    assert out[0].finish_reason == "error" and "max_model_len" in out[0].error
    assert out[1].finish_reason == "error" and "n_prefix_messages" in out[1].error
    assert out[2].error is None and len(out[2].token_ids) == 4


def test_thinking_budget_needs_a_reasoning_parser(vpolicy):
    with pytest.raises(GymkitError, match="reasoning parser"):
        vpolicy.generate(_requests(1), SamplingParams(max_new_tokens=4, thinking_budget=8))


def test_sleep_is_a_logged_noop_on_cpu(vpolicy, caplog):
    caplog.set_level("INFO", logger="gymkit.policy.vllm")
    vpolicy.sleep()
    assert "no-op" in caplog.text
    assert vpolicy.generate(_requests(1), SamplingParams(max_new_tokens=2, temperature=0))[0].error is None
