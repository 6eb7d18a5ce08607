"""Nemotron serving presets: rendered commands, range checks, and (where vLLM is installed) the
parser names and the whole command line checked by vLLM's own `serve` argument parser.
The parts that need no vLLM also run in the main venv."""
from __future__ import annotations

import importlib.util
import shlex

import pytest

from gymkit.errors import GymkitError
from gymkit.policy import vllm_presets as vp

HAS_VLLM = importlib.util.find_spec("vllm") is not None


@pytest.mark.parametrize("name", ["nano-30b", "nano-4b"])
def test_command_carries_the_card_settings(name):
    argv = shlex.split(vp.serve_command(name, port=8123).replace("\\\n", " "))
    assert argv[:3] == ["vllm", "serve", vp.PRESETS[name].hf_id]
    flags = dict(zip(argv[3::1], argv[4::1]))
    assert flags["--mamba-ssm-cache-dtype"] == "float32"
    assert flags["--tool-call-parser"] == "qwen3_coder"
    assert flags["--reasoning-parser"] == "nemotron_v3"
    assert flags["--port"] == "8123" and flags["--host"] == "127.0.0.1"
    assert "--enable-auto-tool-choice" in argv and "--trust-remote-code" in argv
    assert int(flags["--tensor-parallel-size"]) == vp.PRESETS[name].tensor_parallel_size


def test_overrides_and_engine_kwargs():
    cmd = vp.serve_command("nano-30b", tensor_parallel_size=4, max_model_len=32768)
    assert "--tensor-parallel-size 4" in cmd and "--max-model-len 32768" in cmd
    kw = vp.engine_kwargs("nano-4b")
    assert kw["mamba_ssm_cache_dtype"] == "float32" and kw["reasoning_parser"] == "nemotron_v3"
    assert "tool_call_parser" not in kw  # a server flag, not an engine argument


@pytest.mark.parametrize("over, msg", [
    ({"tensor_parallel_size": 3}, "tensor_parallel_size 3"),
    ({"max_model_len": 16}, "too small"),
    ({"mamba_ssm_cache_dtype": "int8"}, "mamba_ssm_cache_dtype"),
    ({"gpu_memory_utilization": 1.5}, "gpu_memory_utilization"),
])
def test_out_of_range_values_are_refused(over, msg):
    with pytest.raises(GymkitError, match=msg):
        vp.validate("nano-30b", **over)


def test_unknown_names_are_refused():
    with pytest.raises(GymkitError, match="choose one of: nano-30b, nano-4b"):
        vp.get_preset("nano-7b")
    with pytest.raises(GymkitError, match="unknown preset field"):
        vp.with_overrides("nano-4b", tool_parser="x")
    with pytest.raises(GymkitError, match="needs 2 GPUs; 1 visible"):
        vp.validate("nano-30b", gpus=1, tensor_parallel_size=2)


@pytest.mark.skipif(not HAS_VLLM, reason="vLLM not installed: the serve-parser check needs it")
@pytest.mark.parametrize("name", ["nano-30b", "nano-4b"])
def test_vllm_serve_parser_accepts_the_presets(name):
    assert "vLLM serve parser accepts the flags" in vp.validate(name)


@pytest.mark.skipif(not HAS_VLLM, reason="vLLM not installed: the parser registries need it")
def test_vllm_check_catches_a_parser_this_vllm_lacks():
    with pytest.raises(GymkitError, match="no tool-call parser 'qwen9_coder'"):
        vp.validate("nano-4b", tool_call_parser="qwen9_coder")
    with pytest.raises(GymkitError, match="no reasoning parser"):
        vp.validate("nano-4b", reasoning_parser="nano_v9")


def test_dry_run_prints_the_validated_command(capsys):
    assert vp.main(["nano-4b", "--dry-run", "--port", "9000"]) == 0
    out = capsys.readouterr().out
    assert "# checked:" in out and "vllm serve nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16" in out and "9000" in out
    assert vp.main(["nano-4b", "--dry-run", "--tp", "3"]) == 2
    assert "tensor_parallel_size 3" in capsys.readouterr().err
