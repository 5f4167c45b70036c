# Corridor: `make demo` serves the workbench with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_STAMP := src/corridor/web/static/vendor/.installed-stamp
DEMO_DIR ?= var/demo
DEMO_COUNT ?= 5000

.PHONY: install demo test lint typecheck unit browser nginx serve bench clean lock audit audit-strict load

# Exact versions and hashes from requirements.lock (made by `make lock`), then the project itself with
# --no-deps, so nothing is resolved afresh at install time; tests/unit/test_lock.py fails on a stale lock.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-pin every runtime and dev dependency after editing pyproject.toml (add --upgrade to move to new releases).
lock:
	scripts/lock.sh $(LOCK_ARGS)

# Known vulnerabilities in the locked pins (docs/upgrade-and-backup.md). An accepted advisory goes in
# AUDIT_IGNORE with its id and why. AUDIT_UNAUDITABLE: pins held below PyPI's latest release because no
# newer release installs on CPython 3.11 (numpy, scipy, contourpy: need >= 3.12; atheris 3.1: no cp311
# wheel); their advisories are unreadable where only PyPI's latest-release data is reachable (where
# pip-audit's per-release look-up works, they are audited like every other pin).
AUDIT_IGNORE :=
AUDIT_UNAUDITABLE := numpy scipy contourpy atheris
audit: install
	$(BIN)/python scripts/audit_lock.py requirements.lock $(addprefix --ignore-vuln ,$(AUDIT_IGNORE)) \
	  $(addprefix --unauditable ,$(AUDIT_UNAUDITABLE))

# For a release: also fail on pins that cannot be audited here because PyPI has a newer release.
audit-strict: install
	$(BIN)/python scripts/audit_lock.py requirements.lock --strict $(addprefix --ignore-vuln ,$(AUDIT_IGNORE)) \
	  $(addprefix --unauditable ,$(AUDIT_UNAUDITABLE))

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

# The deployment test runs `nginx -t` on deploy/nginx-corridor.conf; Debian's nginx-light is installed
# here like chromium (the package does not start a server in a container without an init system).
nginx:
	@command -v nginx >/dev/null 2>&1 || PATH="$$PATH:/usr/sbin" command -v nginx >/dev/null 2>&1 || { \
	  echo "installing Debian's nginx-light for the deployment test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

demo: install
	CORRIDOR_DATA_DIR=$(DEMO_DIR) $(BIN)/corridor demo setup --count $(DEMO_COUNT)
	CORRIDOR_DATA_DIR=$(DEMO_DIR) $(BIN)/corridor serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests benchmarks scripts fuzz

typecheck: install
	$(BIN)/mypy src

test: install browser nginx lint typecheck audit
	$(BIN)/pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python benchmarks/ingest_throughput.py

# Three minutes of mixed load on two real nodes (loopback), then exactly-once checks; figures in
# docs/operations-load.md.
load: install
	$(BIN)/python benchmarks/load_mixed.py --duration 180

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
