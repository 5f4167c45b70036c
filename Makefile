# Corridor: `make demo` serves the workbench with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_STAMP := src/corridor/web/static/vendor/.installed-stamp
DEMO_DIR ?= var/demo
DEMO_COUNT ?= 5000

.PHONY: install demo test lint typecheck unit browser serve bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Browser assets (htmx, Leaflet) come from the npm registry at install time, pinned by package-lock.json,
# and are copied into the package; the workbench never loads anything from a CDN.
$(WEB_STAMP): package.json package-lock.json scripts/build_web_assets.py
	npm ci --no-audit --no-fund
	$(PYTHON) scripts/build_web_assets.py
	touch $(WEB_STAMP)

install: $(STAMP) $(WEB_STAMP)

# The browser tests drive Debian's Chromium; it is installed here, never downloaded by a test tool.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: install
	CORRIDOR_DATA_DIR=$(DEMO_DIR) $(BIN)/corridor demo setup --count $(DEMO_COUNT)
	CORRIDOR_DATA_DIR=$(DEMO_DIR) $(BIN)/corridor serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

typecheck: install
	$(BIN)/mypy src

test: install browser lint typecheck
	$(BIN)/pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python benchmarks/ingest_throughput.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
