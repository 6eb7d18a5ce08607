#!/usr/bin/env bash
# Creates the NeMo Gym venv: the published `nemo-gym` package (0.4.0) with its resources
# servers and agents, so that gymkit's NeMo Gym interop (serve-env, the `nemo_gym` env) is
# tested against NeMo Gym's own code. NeMo Gym needs Python >= 3.12 (the main venv is 3.11)
# and pins openai <= 2.7.2 and ray >= 2.55.1, so it gets a venv of its own; gymkit itself is
# not installed there: the tests run gymkit from the main venv and NeMo Gym's servers from
# this one (scripts/nemo_gym_serve.py), and the two talk HTTP as they would in production.
#
# Python 3.12 is looked up as $PYTHON312, then python3.12 on PATH, then pyenv's versions.
# Without one the script says so and exits 0: tests/integrations/test_nemo_gym.py then
# skips, naming this script. Idempotent: a stamp records the version.
#
# Usage: scripts/setup-nemogym-venv.sh [VENV]   (default VENV: .venv-nemogym)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${1:-$ROOT/.venv-nemogym}"
SPEC="nemo-gym==0.4.0"
STAMP="$VENV/.gymkit-nemogym-stamp"
WANT="$SPEC script=$(sha256sum "$0" | cut -c1-16)"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" ]]; then
  echo "NeMo Gym venv up to date: $VENV"
  exit 0
fi

find_python() {
  local c
  for c in "${PYTHON312:-}" python3.12 "$(pyenv root 2>/dev/null)"/versions/3.12*/bin/python3.12 \
           "$HOME"/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12; do
    [[ -n "$c" ]] || continue
    if "$c" -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  return 1
}

if ! PY312="$(find_python)"; then
  echo "NeMo Gym venv skipped: no Python 3.12 found (set PYTHON312=/path/to/python3.12);" \
       "tests/integrations/test_nemo_gym.py will skip" >&2
  exit 0
fi
test -x "$VENV/bin/python" || "$PY312" -m venv "$VENV"
echo '*' > "$VENV/.gitignore"  # a build output: kept out of git without touching .gitignore
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$SPEC"
"$VENV/bin/python" -c 'import importlib.metadata as md, nemo_gym, resources_servers.mcqa.app, responses_api_agents.simple_agent.app; print("nemo-gym", md.version("nemo-gym"))'
echo "$WANT" > "$STAMP"
echo "NeMo Gym venv ready: $VENV"
