# The two commands: `make dev` (the backend on http://localhost:7071, embedded stack) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: dev dev-azure test test-fast lint bench install clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

## The backend on http://localhost:7071 (PORT overrides) with the embedded stack: nothing else to install.
dev: $(VENV)/.installed
	$(BIN)/python -m devhost

## The azure stack locally: Cosmos emulator, Azurite and Redis stand-ins, then the dev host against them.
dev-azure: install
	$(BIN)/python -m devhost.azure_local

## Everything the tests need (venv, node stand-ins, Redis), then every suite: contracts on every adapter, the dev
## host, and the API suites once per stack. Any skipped test fails the run.
test: install
	$(BIN)/ruff check .
	node_modules/.bin/pyright
	bash .ci/ensure-redis.sh
	bash .ci/ensure-coturn.sh
	$(PYTEST) -q tests --ignore=tests/functions
	APP_STACK=embedded $(PYTEST) -q tests/functions
	APP_STACK=azure $(PYTEST) -q tests/functions

test-fast: $(VENV)/.installed
	APP_STACK=embedded $(PYTEST) -q -x tests --ignore=tests/contracts

lint: install
	$(BIN)/ruff check .
	node_modules/.bin/pyright

## Benchmarks at full size, every bench/*.py in turn: ratios against baselines measured in the same run.
## (tests/test_benchmarks.py runs each with --tiny inside `make test`, so none can rot.)
bench: install
	@set -e; for module in $$(ls bench/*.py | grep -v __init__ | sed 's|bench/\(.*\)\.py|bench.\1|'); do \
		echo "== $$module"; $(BIN)/python -m $$module; done

clean:
	rm -rf .data .pytest_cache .ruff_cache
