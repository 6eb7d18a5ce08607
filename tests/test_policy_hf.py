"""The hf backend on tiny random models: shapes, logprobs, determinism, multi-turn tokens, reasoning control."""
import pytest
import torch

from gymkit.policy import GenRequest, SamplingParams, load_policy

# A Nemotron-style ChatML template that takes `enable_thinking` and `tools`, for the kwarg paths.
THINK_TEMPLATE = (
    "{% if tools %}<|im_start|>system\nTOOLS:{% for t in tools %} {{ t.function.name }}{% endfor %}<|im_end|>\n"
    "{% endif %}"
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if enable_thinking is defined and not enable_thinking %}<think></think>{% else %}<think>\n{% endif %}"
    "{% endif %}")
TOOL = {"type": "function", "function": {"name": "add", "description": "add two ints",
                                         "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}}}}


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:  # one fresh model cache shared by the policy test files
        mp.setenv("GYMKIT_CACHE", str(tmp_path_factory.getbasetemp() / "gymkit-cache"))
        yield


@pytest.fixture(scope="module")
def llama():
    return load_policy("tiny-random-llama", dtype="float32", max_batch_size=8)


@pytest.fixture(scope="module")
def nemotronh():
    return load_policy("tiny-random-nemotronh", dtype="float32")


def ask(*texts: str) -> list[GenRequest]:
    return [GenRequest(messages=[{"role": "user", "content": t}]) for t in texts]


PROMPTS = ("What is 2+2?", "Name a colour.", "Write a long sentence about the sea and ships.", "Hi")


def test_generation_shapes_and_logprobs(llama):
    gens = llama.generate(ask(*PROMPTS), SamplingParams(max_new_tokens=12, temperature=1.0, seed=0))
    for g, prompt in zip(gens, PROMPTS):
        assert g.error is None and g.finish_reason in ("stop", "length")
        assert 0 < len(g.token_ids) == len(g.logprobs) <= 12
        assert all(lp <= 0.0 for lp in g.logprobs)
        decoded = llama.tokenizer.decode(g.prompt_ids)
        assert prompt in decoded and decoded.endswith("<|im_start|>assistant\n")
        body = g.token_ids[:-1] if g.finish_reason == "stop" else g.token_ids
        assert llama.tokenizer.decode(body) == g.text
        assert g.latency_s > 0


def test_logprobs_match_trainer_recomputation(llama):
    """The recorded logprob is log_softmax(logits / T) of the sampled token, as a trainer recomputes it."""
    params = SamplingParams(max_new_tokens=8, temperature=0.7, top_k=50, top_p=0.9, seed=3)
    (g,) = llama.generate(ask("Tell me a story."), params)
    ids = torch.tensor([g.prompt_ids + g.token_ids])
    with torch.no_grad():
        logits = llama.model(ids).logits[0, len(g.prompt_ids) - 1:-1].float()
    expected = torch.log_softmax(logits / 0.7, -1).gather(-1, torch.tensor(g.token_ids)[:, None])[:, 0]
    assert torch.allclose(expected, torch.tensor(g.logprobs), atol=1e-4)


def test_greedy_is_deterministic_and_batch_invariant(llama):
    greedy = SamplingParams(max_new_tokens=10, temperature=0)
    batched = llama.generate(ask(*PROMPTS), greedy)
    again = llama.generate(ask(*PROMPTS), greedy)
    single = [llama.generate(ask(p), greedy)[0] for p in PROMPTS]
    assert [g.token_ids for g in batched] == [g.token_ids for g in again] == [g.token_ids for g in single]
    for b, s in zip(batched, single):
        assert b.prompt_ids == s.prompt_ids
        assert b.logprobs == pytest.approx(s.logprobs, abs=1e-4)


def test_seeded_sampling(llama):
    params = SamplingParams(max_new_tokens=10, temperature=1.0, seed=7)
    a = llama.generate(ask("same", "same"), params)
    b = llama.generate(ask("same", "same"), params)
    assert [g.token_ids for g in a] == [g.token_ids for g in b]
    assert a[0].token_ids != a[1].token_ids  # a group of identical prompts still gets distinct samples
    alone = llama.generate(ask("same"), params)[0]
    assert alone.token_ids == a[0].token_ids  # a request's sample does not depend on its batch
    other = llama.generate(ask("same"), SamplingParams(max_new_tokens=10, temperature=1.0, seed=8))[0]
    assert other.token_ids != alone.token_ids


def test_length_and_stop_strings(llama):
    (g,) = llama.generate(ask("Hi"), SamplingParams(max_new_tokens=5, temperature=0))
    assert g.finish_reason == "length" and len(g.token_ids) == 5
    first = llama.tokenizer.decode(g.token_ids[:1])
    assert first.strip() == "" or len(first) >= 1
    stop = first[:1]  # a stop string the greedy answer certainly contains in its first token
    (s,) = llama.generate(ask("Hi"), SamplingParams(max_new_tokens=5, temperature=0, stop=[stop]))
    assert s.finish_reason == "stop" and s.token_ids == g.token_ids[:1] and stop not in s.text
    assert len(s.logprobs) == 1


def test_multi_turn_keeps_prefix_tokens_exactly(llama):
    msgs = [{"role": "user", "content": "first"}]
    (t1,) = llama.generate([GenRequest(messages=msgs)], SamplingParams(max_new_tokens=6, temperature=0))
    assert t1.finish_reason == "length"
    prefix = t1.prompt_ids + t1.token_ids
    # The env may rewrite the assistant text (parsed tool calls, stripped trace): tokens still rule.
    msgs2 = msgs + [{"role": "assistant", "content": "REWRITTEN"}, {"role": "user", "content": "second"}]
    req = GenRequest(messages=msgs2, prefix_ids=prefix, n_prefix_messages=2)
    (t2,) = llama.generate([req], SamplingParams(max_new_tokens=4, temperature=0))
    assert t2.error is None and t2.prompt_ids[:len(prefix)] == prefix
    added = llama.tokenizer.decode(t2.prompt_ids[len(prefix):])
    assert added == "<|im_end|>\n<|im_start|>user\nsecond<|im_end|>\n<|im_start|>assistant\n"
    # A turn that ended with the eos token gets only the template's glue after it.
    eos = llama.tokenizer.eos_token_id
    req = GenRequest(messages=msgs2, prefix_ids=t1.prompt_ids + [28, eos], n_prefix_messages=2)
    (t3,) = llama.generate([req], SamplingParams(max_new_tokens=4, temperature=0))
    assert llama.tokenizer.decode(t3.prompt_ids[len(t1.prompt_ids) + 2:]).startswith("\n<|im_start|>user\nsecond")


def test_bad_request_is_an_error_not_a_crash(llama):
    bad = GenRequest(messages=[{"role": "user", "content": "x"}], prefix_ids=[1, 2], n_prefix_messages=5)
    good, err = llama.generate(ask("ok") + [bad], SamplingParams(max_new_tokens=3, temperature=0))
    assert good.error is None and good.token_ids
    assert err.finish_reason == "error" and "n_prefix_messages" in err.error and err.text == ""


def test_backend_failure_sets_error(llama, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("out of memory")
    monkeypatch.setattr(llama.model, "generate", boom)
    gens = llama.generate(ask("a", "b"), SamplingParams(max_new_tokens=3))
    assert all(g.finish_reason == "error" and "out of memory" in g.error and g.prompt_ids for g in gens)


def test_thinking_switch_in_system_prompt(llama):
    """SmolLM2's template has no enable_thinking: the Nemotron /think, /no_think system line is used."""
    text_on = llama.prompts.prompt_text([{"role": "user", "content": "q"}], enable_thinking=True)
    text_off = llama.prompts.prompt_text([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "q"}],
                                         enable_thinking=False)
    assert text_on.startswith("<|im_start|>system\n/think<|im_end|>")
    assert text_off.startswith("<|im_start|>system\n/no_think\nBe brief.<|im_end|>")


def test_tools_reach_a_template_without_tool_support(llama):
    text = llama.prompts.prompt_text([{"role": "user", "content": "q"}], tools=[TOOL])
    assert '"name": "add"' in text and "<tool_call>" in text


def test_thinking_budget_forces_end_of_trace(llama):
    from gymkit.policy.hf import HFPolicy

    pol = HFPolicy(llama.model, tokenizer=llama.tokenizer, chat_template=THINK_TEMPLATE)
    assert pol.prompts.prompt_text(ask("q")[0].messages, enable_thinking=False).endswith("<think></think>")
    assert "TOOLS: add" in pol.prompts.prompt_text(ask("q")[0].messages, tools=[TOOL])
    params = SamplingParams(max_new_tokens=20, temperature=1.0, seed=1, enable_thinking=True, thinking_budget=4)
    (g,) = pol.generate(ask("q"), params)
    assert pol.tokenizer.decode(g.prompt_ids).endswith("<think>\n")
    assert "</think>" in g.text
    n_close = len(pol.tokenizer.encode("\n</think>\n\n", add_special_tokens=False))
    assert g.forced == list(range(4, 4 + n_close))
    assert len(g.token_ids) > 4 + n_close or g.finish_reason == "stop"  # it went on to the answer
    assert g.text.index("</think>") < len(g.text) and len(g.logprobs) == len(g.token_ids)
    (free,) = pol.generate(ask("q"), params.model_copy(update={"thinking_budget": None}))
    assert free.forced == [] and "</think>" not in free.text  # a random model never closes it itself


def test_wrapped_model_and_sync_weights(llama):
    from gymkit.policy.hf import HFPolicy

    pol = HFPolicy(llama.model, tokenizer=llama.tokenizer)
    greedy = SamplingParams(max_new_tokens=6, temperature=0)
    assert pol.generate(ask("x"), greedy)[0].token_ids == llama.generate(ask("x"), greedy)[0].token_ids
    pol.sync_weights(llama.model)  # the sampler is the trained model: nothing to copy


def test_nemotronh_generates(nemotronh):
    assert type(nemotronh.model).__name__ == "NemotronHForCausalLM"
    # Mamba-2, MoE, attention, MoE (transformers names them linear_attention/full_attention).
    assert nemotronh.model.config.hybrid_override_pattern == "ME*E"
    greedy = SamplingParams(max_new_tokens=8, temperature=0)
    batched = nemotronh.generate(ask(*PROMPTS[:3]), greedy)
    single = [nemotronh.generate(ask(p), greedy)[0] for p in PROMPTS[:3]]
    assert [g.token_ids for g in batched] == [g.token_ids for g in single]
    for g in batched:
        assert g.error is None and len(g.token_ids) == len(g.logprobs) > 0 and max(g.logprobs) <= 0
    sampled = nemotronh.generate(ask("a", "b"), SamplingParams(max_new_tokens=8, temperature=1.0, seed=0))
    assert all(len(g.token_ids) == 8 or g.finish_reason == "stop" for g in sampled)


def test_sampler_respects_top_k_and_top_p():
    from gymkit.policy.sampling import sample_rows

    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2]])).repeat(2000, 1)
    gens = [torch.Generator().manual_seed(i) for i in range(2000)]
    assert set(sample_rows(logits, 1, 1.0, gens).tolist()) == {0}  # top-k 1 is greedy
    nucleus = sample_rows(logits, 0, 0.7, gens)  # 0.5 < 0.7: token 1 crosses the threshold and is kept
    assert set(nucleus.tolist()) == {0, 1}
    assert abs((nucleus == 0).float().mean().item() - 0.5 / 0.8) < 0.05
    full = sample_rows(logits, 0, 1.0, gens)
    assert abs((full == 2).float().mean().item() - 0.2) < 0.03


# Like Nemotron's templates, this one drops the reasoning of earlier assistant turns, so the
# rendering of a longer conversation does not start with the rendering of its prefix.
STRIP_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n"
    "{% if m.role == 'assistant' and not loop.last %}{{ m.content.split('</think>')[-1] }}"
    "{% else %}{{ m.content }}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def test_multi_turn_with_a_history_rewriting_template(llama):
    from gymkit.policy.hf import HFPolicy

    pol = HFPolicy(llama.model, tokenizer=llama.tokenizer, chat_template=STRIP_TEMPLATE)
    msgs = [{"role": "user", "content": "first"}, {"role": "assistant", "content": "<think>hm</think>4"},
            {"role": "tool", "content": "result"}]
    prefix = pol.prompts.prompt_ids(msgs[:1]) + pol.tokenizer.encode("<think>hm</think>4", add_special_tokens=False)
    (g,) = pol.generate([GenRequest(messages=msgs, prefix_ids=prefix, n_prefix_messages=2)],
                        SamplingParams(max_new_tokens=2, temperature=0))
    assert g.error is None and g.prompt_ids[:len(prefix)] == prefix
    assert pol.tokenizer.decode(g.prompt_ids[len(prefix):]) == (
        "<|im_end|>\n<|im_start|>tool\nresult<|im_end|>\n<|im_start|>assistant\n")
