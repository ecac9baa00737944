# Two commands matter: `make site` (build the site from papers/, no network) and
# `make test` (the whole test suite, as CI runs it). Both set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
# npm packages, installed into .node/ (never committed): axe-core for the browser tests,
# Lighthouse for the benchmark. Versions are exact, so every machine checks the same rules.
AXE_CORE   := axe-core@4.14.1
LIGHTHOUSE := lighthouse@12.2.3
NPM_INSTALL := npm install --no-save --no-audit --no-fund --loglevel=error --prefix
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# pip itself is pinned too, so a pip release cannot change how the lock is installed.
PIP_VERSION := 26.3

.PHONY: site serve build test lint format bench bench-100k fetch clean browser-deps bench-deps node lock

# Installs the exact versions (and hashes) of requirements-test.lock, then the project
# itself without resolving again. `pip install -e .` still works for those who want ranges.
$(STAMP): pyproject.toml requirements-test.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Refresh the locks from pyproject.toml (Python 3.11, Linux x86_64): keeps every pin that
## still fits and adds what is new; `make lock LOCK_FLAGS=--upgrade` takes the newest of all.
LOCK_FLAGS ?=
UV_COMPILE = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes \
	--python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	--custom-compile-command 'make lock' $(LOCK_FLAGS)
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet 'uv>=0.9,<1'
	$(UV_COMPILE) -o requirements.lock
	$(UV_COMPILE) --extra test -o requirements-test.lock

## Build site/ from the bundled papers/ and say where it is.
site: build
	@echo
	@echo "Site built in $(CURDIR)/site"
	@echo "Preview it with: make serve   (http://127.0.0.1:8000/paper-archive/, the path of site_url)"

build: $(STAMP)
	$(BIN)/paper-archive build

## Live preview with MkDocs' dev server.
serve: $(STAMP)
	$(BIN)/paper-archive serve

## The whole test suite: lint, then pytest (browser tests included), its files shared out
## among TEST_WORKERS processes (pytest-xdist; a file's tests stay in one, so a module's
## fixtures are built once). Most tests wait on servers, browsers and clocks: two workers on
## two cores finish in about two thirds of the time of one. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
test: $(STAMP) browser-deps
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads one),
## and axe-core, which they inject into every page type.
## PAPER_ARCHIVE_CHROMIUM=/path/to/chrome uses a browser already installed instead.
browser-deps: node
	@[ -x "$(PAPER_ARCHIVE_CHROMIUM)" ] || command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@[ -f .node/test/node_modules/axe-core/axe.min.js ] || $(NPM_INSTALL) .node/test $(AXE_CORE)

## Lighthouse, for bench/lighthouse_bench.py.
bench-deps: browser-deps
	@[ -x .node/bench/node_modules/.bin/lighthouse ] || $(NPM_INSTALL) .node/bench $(LIGHTHOUSE)

node:
	@command -v npm >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }

## Benchmarks (not part of the tests): build, validate and fetch, each prints a table.
## Synthetic archives are written once into BENCH_ARCHIVES and reused.
BENCH_ARCHIVES ?= .cache/bench-archives
bench: $(STAMP) bench-deps
	$(BIN)/python bench/build_bench.py 1000 10000 30000 --archives $(BENCH_ARCHIVES)
	$(BIN)/python bench/related_bench.py 30000 100000 --archives $(BENCH_ARCHIVES)
	$(BIN)/python bench/lighthouse_bench.py
	$(BIN)/python bench/validate_bench.py
	$(BIN)/python bench/fetch_bench.py

## The size to design for: 100,000 papers (~5 minutes, ~2.5 GB), where the bytes go, and
## the daily build of one more day on top of it.
bench-100k: $(STAMP) browser-deps
	$(BIN)/python bench/build_bench.py 100000 --bytes --daily --archives $(BENCH_ARCHIVES)

lint format:
	$(BIN)/ruff check --fix generator tests bench
	$(BIN)/ruff format generator tests bench

fetch: $(STAMP)
	$(BIN)/paper-archive fetch

clean:
	rm -rf site $(VENV) .node
