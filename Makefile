# The two commands: `make dev` (the backend on http://localhost:7071, embedded stack) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST := $(BIN)/python -m pytest
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help dev dev-azure test test-fast test-contract lint bench install swagger-ui clean
.DEFAULT_GOAL := help

## This list: every target with the `##` comment above it.
help:
	@awk '/^## /{doc = doc (doc ? " " : "") substr($$0, 4); next} \
	     /^[a-zA-Z_-]+:/{if (doc) {split($$0, t, ":"); printf "  \033[1mmake %-14s\033[0m %s\n", t[1], doc}; doc = ""; next} \
	     {doc = ""}' $(MAKEFILE_LIST) | fold -s -w 118 | sed '2,$$s/^\([^ ]\)/                       \1/'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## The venv (requirements-dev.txt) and node_modules (package-lock.json), when either is out of date.
install: $(VENV)/.installed node_modules/.installed

## The backend on http://localhost:7071 (PORT overrides) with the embedded stack: nothing else to install.
dev: $(VENV)/.installed
	$(BIN)/python -m devhost

## The azure stack locally: Cosmos emulator, Azurite and Redis stand-ins, then the dev host against them.
dev-azure: install
	$(BIN)/python -m devhost.azure_local

## Everything the tests need (venv, node stand-ins, Redis, coturn, Chromium), then every suite: contracts on every
## adapter, the dev host, and the API suites once per stack (schemathesis included). Any skipped test fails the run.
test: install
	$(BIN)/ruff check .
	node_modules/.bin/pyright
	bash .ci/ensure-redis.sh
	bash .ci/ensure-coturn.sh
	bash .ci/ensure-chromium.sh
	$(PYTEST) -q tests --ignore=tests/functions
	APP_STACK=embedded $(PYTEST) -q tests/functions
	APP_STACK=azure $(PYTEST) -q tests/functions

## The embedded stack only, stopping at the first failure, without the port contract suites.
test-fast: $(VENV)/.installed
	APP_STACK=embedded $(PYTEST) -q -x tests --ignore=tests/contracts

## Schemathesis with every check over every operation, once per stack (STACK=embedded or azure for one).
test-contract: install
	bash .ci/ensure-redis.sh
	for stack in $(or $(STACK),embedded azure); do \
	  APP_STACK=$$stack $(PYTEST) -q tests/functions/test_api_contract.py || exit 1; done

## ruff and pyright, as in `make test` and the pre-commit hooks.
lint: install
	$(BIN)/ruff check .
	node_modules/.bin/pyright

## Benchmarks at full size, every bench/*.py in turn: ratios against baselines measured in the same run.
## (tests/test_benchmarks.py runs each with --tiny inside `make test`, so none can rot.)
bench: install
	@set -e; for module in $$(ls bench/*.py | grep -v __init__ | sed 's|bench/\(.*\)\.py|bench.\1|'); do \
		echo "== $$module"; $(BIN)/python -m $$module; done

## Copy the pinned swagger-ui-dist (package.json) into functions/platform/swagger_ui/ after changing the pin.
swagger-ui: node_modules/.installed
	bash functions/platform/swagger_ui/refresh.sh

## Remove local data and caches (.data, .pytest_cache, .ruff_cache).
clean:
	rm -rf .data .pytest_cache .ruff_cache
