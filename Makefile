# Two commands: `make run` (set up, ingest the demo corpus, start the web page) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python builds from source (about 6 minutes on 2 cores): build its wheel once, keep it here.
WHEELS ?= $(HOME)/.cache/biganzi-wheels
LLAMA_VERSION := 0.3.36
DEMO_DATA ?= $(CURDIR)/data
export BIGANZI_DATA_DIR ?= $(DEMO_DATA)
# No telemetry, no hub downloads, ever.
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# The demo corpus, without its README.
DEMO_FILES := $(filter-out examples/README.md,$(wildcard examples/*))

.PHONY: run test setup lint browser docs-tools clean bench

run: setup
	$(BIN)/biganzi ingest $(DEMO_FILES) --kb demo
	$(BIN)/biganzi serve --kb demo

test: setup browser docs-tools
	bash -c 'set -o pipefail; $(BIN)/python -m pytest -q tests'

setup: $(VENV)/.stamp-install

$(WHEELS)/.stamp-llama-$(LLAMA_VERSION):
	mkdir -p $(WHEELS)
	@ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) once (about 6 minutes on 2 cores)…"; \
	  $(PY) -m pip wheel --no-deps llama-cpp-python==$(LLAMA_VERSION) -w $(WHEELS); }
	touch $@

$(VENV)/.stamp-install: pyproject.toml $(WHEELS)/.stamp-llama-$(LLAMA_VERSION)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools
	$(BIN)/python -m pip install -q --find-links $(WHEELS) -e '.[local,st,dev]'
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will be skipped"; }

# LibreOffice, poppler and CJK fonts for the Word-export render test (Debian packages; the export
# itself needs none of them).
docs-tools:
	@{ command -v soffice >/dev/null && command -v pdftoppm >/dev/null \
	   && fc-list | grep -q "AR PL UKai" && fc-list | grep -q "Noto Sans CJK"; } || { \
	  echo "Installing LibreOffice Writer, poppler-utils and CJK fonts for the export render test…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming >/dev/null) \
	  || echo "warning: could not install LibreOffice/poppler; the export render test will be skipped"; }

lint: setup
	$(BIN)/ruff check assistant index ui tests bench
	$(BIN)/ruff format --check assistant index ui tests bench

bench: setup
	$(BIN)/python bench/retrieval_eval.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
