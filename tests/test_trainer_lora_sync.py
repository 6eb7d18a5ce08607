"""LoRA weight sync never writes to the trained base: merged weights are new tensors."""
import torch

from gymkit.trainers.config import load_config
from gymkit.trainers.model import add_lora, load_hf, lora_sites, sampler_state


def _peft(model_name, *extra):
    cfg = load_config(None, [f"model={model_name}", "trainer.lora.enabled=true", "trainer.bf16=true",
                             "trainer.lora.r=4", *extra])
    model, _ = load_hf(cfg)  # LoRA + bf16: the frozen base is bf16, adapters fp32
    model = add_lora(model, cfg)
    torch.manual_seed(0)
    with torch.no_grad():  # a trained adapter: B is no longer zero
        for n, p in model.named_parameters():
            if "lora_B" in n:
                p.normal_(0, 1e-3)
    return model


def test_base_bit_identical_after_50_syncs_and_merge_in_fp32():
    model = _peft("tiny-random-llama", "trainer.lora.target_modules=[q_proj, v_proj, down_proj]")
    base = {k: v.clone() for k, v in model.state_dict().items() if "lora_" not in k}
    for _ in range(50):
        state = sampler_state(model)
    after = model.state_dict()
    assert all(torch.equal(base[k], after[k]) for k in base)
    # every entry of the base model's state dict, tied lm_head included
    plain = model.get_base_model().state_dict()
    assert "lm_head.weight" in state and len(state) == len([k for k in plain if "lora_" not in k])
    site = next(s for s in lora_sites(model) if "q_proj" in s.base_key)
    sd = model.state_dict()
    want = (sd[site.base_key].float() + site.scaling * sd[site.b_key] @ sd[site.a_key]).bfloat16()
    name = site.base_key.removeprefix("base_model.model.").replace(".base_layer", "")
    assert torch.equal(state[name], want) and not torch.equal(state[name], sd[site.base_key])


def test_merged_experts_match_peft_forward():
    """Fused routed experts adapted through target_parameters merge to what peft computes."""
    model = _peft("tiny-random-nemotronh", "trainer.lora.target_modules=[q_proj, in_proj]",
                  "trainer.lora.target_parameters=[experts.up_proj, experts.down_proj]",
                  "trainer.bf16=false")
    ids = torch.tensor([[5, 17, 99, 230, 41, 7]])
    with torch.no_grad():
        want = model(input_ids=ids).logits
        plain = model.get_base_model()
    from transformers import AutoModelForCausalLM

    fresh = AutoModelForCausalLM.from_config(plain.config)
    fresh.load_state_dict(sampler_state(model), strict=True)
    with torch.no_grad():
        got = fresh.eval()(input_ids=ids).logits
    assert any("experts" in s.base_key for s in lora_sites(model))
    assert torch.allclose(got, want, atol=1e-5), float((got - want).abs().max())
