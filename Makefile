# Two commands: `make run` (set up, ingest the demo corpus, start the web page) and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# llama-cpp-python builds from source (about 6 minutes on 2 cores): build its wheel once, keep it here.
WHEELS ?= $(HOME)/.cache/biganzi-wheels
LLAMA_VERSION := 0.3.36
# Portable by default: llama.cpp's GGML_NATIVE=ON compiles in whatever the build CPU advertises (AMX on a
# Sapphire Rapids guest whose kernel does not grant it: SIGILL at the first decode). The x86-64 baseline is
# AVX2+FMA+F16C+BMI2, which every x86-64 server of the last decade runs; AVX-512, AVX-VNNI and AMX stay off.
# LLAMA_BUILD=native builds for this CPU only (bench/build_speed.py compares the two).
LLAMA_BUILD ?= portable
ARCH := $(shell uname -m)
ifeq ($(LLAMA_BUILD),native)
LLAMA_FLAVOR := $(ARCH)-native-$(shell (grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2; grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) | cksum | cut -d' ' -f1)
LLAMA_CMAKE := -DGGML_NATIVE=ON
else ifeq ($(ARCH),x86_64)
LLAMA_FLAVOR := x86_64-avx2
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
  -DGGML_BMI2=ON -DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF \
  -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
else
LLAMA_FLAVOR := $(ARCH)-generic
LLAMA_CMAKE := -DGGML_NATIVE=OFF
endif
# The cache key names what the wheel was built for: a wheel built for one CPU is never reused on another.
LLAMA_WHEELS := $(WHEELS)/llama-$(LLAMA_VERSION)-$(LLAMA_FLAVOR)
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

# One install stamp per flavour: switching LLAMA_BUILD reinstalls the matching wheel (the recipe drops
# the other flavours' stamps). `make setup LLAMA_BUILD=native VENV=.venv-native` keeps both side by side.
VENV_STAMP := $(VENV)/.stamp-install-$(LLAMA_FLAVOR)

setup: $(VENV_STAMP)

$(LLAMA_WHEELS)/.stamp:
	mkdir -p $(LLAMA_WHEELS)
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || { \
	  echo "Building llama-cpp-python $(LLAMA_VERSION) for $(LLAMA_FLAVOR) once (about 6 minutes on 2 cores)…"; \
	  CMAKE_ARGS="$(LLAMA_CMAKE)" FORCE_CMAKE=1 $(PY) -m pip wheel --no-deps --no-cache-dir \
	    llama-cpp-python==$(LLAMA_VERSION) -w $(LLAMA_WHEELS); }
	echo "$(LLAMA_CMAKE)" > $(LLAMA_WHEELS)/BUILD_FLAGS
	touch $@

$(VENV_STAMP): pyproject.toml $(LLAMA_WHEELS)/.stamp
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip wheel setuptools
	# --force-reinstall of the one wheel: a venv that holds another flavour's build gets this one.
	$(BIN)/python -m pip install -q --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl
	$(BIN)/python -m pip install -q --find-links $(LLAMA_WHEELS) -e '.[local,st,dev]'
	rm -f $(VENV)/.stamp-install $(VENV)/.stamp-install-*
	echo "$(LLAMA_FLAVOR)" > $(VENV)/.llama-flavor
	touch $@ $(VENV)/.stamp-install

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
	$(BIN)/ruff check core assistant index ui tests bench
	$(BIN)/ruff format --check core assistant index ui tests bench

bench: setup
	$(BIN)/python bench/retrieval_eval.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
