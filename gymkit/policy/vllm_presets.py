"""Serving presets for the Nemotron models: one place for the `vllm serve` flags their cards give.

A preset feeds two consumers:
* `serve_command(name)`: the `vllm serve ...` command line for an external server, which the
  `openai` backend then talks to (rollouts and evals with tool calling and reasoning parsing);
* `engine_kwargs(name)`: the same settings as keyword arguments of an in-process `vllm.LLM`
  (the `vllm` backend picks them up when its model is a preset alias).

`validate(name)` checks a preset before anything starts: the numbers are in range, and when
vLLM is installed, the parser names exist in this vLLM and the whole command line parses with
vLLM's own `serve` argument parser. `python -m gymkit.policy.vllm_presets nano-30b --dry-run`
prints the validated command; without `--dry-run` it runs it.
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import shlex
import sys
from dataclasses import asdict, dataclass, replace
from typing import Any

from ..errors import GymkitError, unknown

_TP_SIZES = (1, 2, 4, 8)
_MAMBA_DTYPES = ("auto", "float32", "float16", "bfloat16")


@dataclass(frozen=True)
class ServePreset:
    """How to serve one model with vLLM. `note` says where the values come from."""

    name: str
    hf_id: str
    tensor_parallel_size: int
    max_model_len: int
    # The Nemotron Nano cards: without float32 Mamba SSM state the model's accuracy degrades.
    mamba_ssm_cache_dtype: str = "float32"
    tool_call_parser: str | None = "qwen3_coder"  # Nemotron 3 emits Qwen3-Coder-style XML tool calls
    reasoning_parser: str | None = "nemotron_v3"  # built into vLLM >= 0.32; older: the card's nano_v3 plugin
    trust_remote_code: bool = True
    gpu_memory_utilization: float = 0.9  # a dedicated server; the colocated engine uses much less
    dtype: str = "bfloat16"
    extra_args: tuple[str, ...] = ()
    note: str = ""


PRESETS: dict[str, ServePreset] = {p.name: p for p in [
    ServePreset("nano-30b", "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16", tensor_parallel_size=1,
                max_model_len=262144,
                note="Nemotron 3 Nano 30B-A3B card: TP 1 (63 GB of bf16 weights on one 80 GB GPU), "
                     "256K context, qwen3_coder tool calls, nano_v3 reasoning"),
    ServePreset("nano-4b", "nvidia/NVIDIA-Nemotron-3-Nano-4B-BF16", tensor_parallel_size=1,
                max_model_len=131072,
                note="Nemotron 3 Nano 4B (pruned from Nano 9B v2, whose card asks for float32 Mamba "
                     "state): TP 1, 128K context, the Nemotron 3 tool and reasoning parsers"),
]}


def get_preset(name: str) -> ServePreset:
    """The preset called `name` (a GymkitError listing the valid names otherwise)."""
    if name not in PRESETS:
        raise unknown("vLLM preset", name, PRESETS)
    return PRESETS[name]


def with_overrides(name: str, **overrides: Any) -> ServePreset:
    """A preset with some fields replaced (None values are ignored)."""
    preset = get_preset(name)
    fields = set(asdict(preset))
    bad = sorted(set(overrides) - fields)
    if bad:
        raise GymkitError(f"unknown preset field(s) {', '.join(bad)}; choose from: {', '.join(sorted(fields))}")
    return replace(preset, **{k: v for k, v in overrides.items() if v is not None})


def serve_args(preset: ServePreset, host: str = "127.0.0.1", port: int = 8000,
               served_model_name: str | None = None) -> list[str]:
    """The argument list of `vllm serve` for `preset` (without the leading `vllm serve`)."""
    args = [preset.hf_id, "--host", host, "--port", str(port),
            "--tensor-parallel-size", str(preset.tensor_parallel_size),
            "--max-model-len", str(preset.max_model_len),
            "--dtype", preset.dtype,
            "--gpu-memory-utilization", str(preset.gpu_memory_utilization),
            "--mamba-ssm-cache-dtype", preset.mamba_ssm_cache_dtype]
    if served_model_name:
        args += ["--served-model-name", served_model_name]
    if preset.trust_remote_code:
        args.append("--trust-remote-code")
    if preset.tool_call_parser:
        args += ["--enable-auto-tool-choice", "--tool-call-parser", preset.tool_call_parser]
    if preset.reasoning_parser:
        args += ["--reasoning-parser", preset.reasoning_parser]
    return args + list(preset.extra_args)


def serve_command(name: str, host: str = "127.0.0.1", port: int = 8000, **overrides: Any) -> str:
    """The full `vllm serve` command line for preset `name`, one flag per line, shell-quoted."""
    args = serve_args(with_overrides(name, **overrides), host, port)
    lines, i = [f"vllm serve {shlex.quote(args[0])}"], 1
    while i < len(args):  # a flag and its value share a line
        take = 2 if i + 1 < len(args) and not args[i + 1].startswith("--") else 1
        lines.append("  " + " ".join(shlex.quote(a) for a in args[i:i + take]))
        i += take
    return " \\\n".join(lines)


def engine_kwargs(name: str) -> dict[str, Any]:
    """The preset's model settings as `vllm.LLM(...)` keyword arguments (server-only flags left out)."""
    p = get_preset(name)
    kw: dict[str, Any] = {"tensor_parallel_size": p.tensor_parallel_size, "max_model_len": p.max_model_len,
                          "mamba_ssm_cache_dtype": p.mamba_ssm_cache_dtype, "dtype": p.dtype,
                          "trust_remote_code": p.trust_remote_code}
    if p.reasoning_parser:  # gives the engine a reasoning config, which thinking_token_budget needs
        kw["reasoning_parser"] = p.reasoning_parser
    return kw


def _check_ranges(p: ServePreset, gpus: int | None) -> None:
    if p.tensor_parallel_size not in _TP_SIZES:
        raise GymkitError(f"preset {p.name}: tensor_parallel_size {p.tensor_parallel_size} is not one of {_TP_SIZES}")
    if gpus is not None and p.tensor_parallel_size > gpus:
        raise GymkitError(f"preset {p.name}: tensor_parallel_size {p.tensor_parallel_size} needs "
                          f"{p.tensor_parallel_size} GPUs; {gpus} visible")
    if p.max_model_len < 256:
        raise GymkitError(f"preset {p.name}: max_model_len {p.max_model_len} is too small (< 256)")
    if p.mamba_ssm_cache_dtype not in _MAMBA_DTYPES:
        raise GymkitError(f"preset {p.name}: mamba_ssm_cache_dtype {p.mamba_ssm_cache_dtype!r}; "
                          f"choose one of: {', '.join(_MAMBA_DTYPES)}")
    if not 0.0 < p.gpu_memory_utilization <= 1.0:
        raise GymkitError(f"preset {p.name}: gpu_memory_utilization must be in (0, 1]")


def _check_with_vllm(p: ServePreset, args: list[str]) -> list[str]:
    from vllm.entrypoints.launchers.cli_args import make_arg_parser, validate_parsed_serve_args
    from vllm.reasoning import ReasoningParserManager
    from vllm.tool_parsers import ToolParserManager
    from vllm.utils.argparse_utils import FlexibleArgumentParser

    if p.tool_call_parser and p.tool_call_parser not in ToolParserManager.list_registered():
        raise GymkitError(f"preset {p.name}: this vLLM has no tool-call parser {p.tool_call_parser!r}")
    if p.reasoning_parser and p.reasoning_parser not in ReasoningParserManager.list_registered():
        raise GymkitError(f"preset {p.name}: this vLLM has no reasoning parser {p.reasoning_parser!r}; "
                          "older vLLM: pass --reasoning-parser-plugin nano_v3_reasoning_parser.py "
                          "--reasoning-parser nano_v3 (the plugin ships with the weights)")
    parser = make_arg_parser(FlexibleArgumentParser(prog="vllm serve"))
    try:
        ns = parser.parse_args(args[1:] + ["--model", args[0]])
        validate_parsed_serve_args(ns)
    except SystemExit as e:  # argparse reports a bad flag by exiting
        raise GymkitError(f"preset {p.name}: vLLM's serve parser rejected the command (exit {e.code})") from None
    except (TypeError, ValueError) as e:
        raise GymkitError(f"preset {p.name}: {e}") from None
    return ["tool/reasoning parsers registered", "vLLM serve parser accepts the flags"]


def validate(name: str, gpus: int | None = None, **overrides: Any) -> list[str]:
    """Check preset `name` (with overrides); returns what was checked, raises GymkitError on a problem."""
    p = with_overrides(name, **overrides)
    _check_ranges(p, gpus)
    done = ["ranges (tp, max-model-len, mamba dtype, memory fraction)"]
    if importlib.util.find_spec("vllm") is not None:
        done += _check_with_vllm(p, serve_args(p))
    else:
        done.append("vLLM not installed here: parser names and flags not checked against it")
    return done


def main(argv: list[str] | None = None) -> int:
    """`python -m gymkit.policy.vllm_presets PRESET [--dry-run] [--port N] [--tp N] ...`"""
    ap = argparse.ArgumentParser(prog="python -m gymkit.policy.vllm_presets",
                                 description="Serve a Nemotron preset with vLLM (or print the command).")
    ap.add_argument("preset", help=f"one of: {', '.join(PRESETS)}")
    ap.add_argument("--dry-run", action="store_true", help="validate and print the command, do not run it")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--tp", type=int, dest="tensor_parallel_size")
    ap.add_argument("--max-model-len", type=int)
    ap.add_argument("--gpu-memory-utilization", type=float)
    ns = ap.parse_args(argv)
    over = {k: getattr(ns, k) for k in ("tensor_parallel_size", "max_model_len", "gpu_memory_utilization")}
    try:
        checks = validate(ns.preset, **over)
        cmd = serve_command(ns.preset, ns.host, ns.port, **over)
    except GymkitError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if ns.dry_run:
        print(f"# {get_preset(ns.preset).note}\n# checked: {'; '.join(checks)}\n{cmd}")
        return 0
    args = serve_args(with_overrides(ns.preset, **over), ns.host, ns.port)
    os.execvp("vllm", ["vllm", "serve", *args])  # replaces this process: signals reach vLLM directly


if __name__ == "__main__":
    sys.exit(main())
