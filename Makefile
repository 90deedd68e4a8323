# Two commands do all the set-up on a fresh machine:
#   make run    venv, install, migrate, demo data, serve on http://localhost:$(PORT)
#   make test   install what the tests need (Chromium included) and run the whole suite

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 3000

export PORT
export REFLEX_USE_NPM := 1
export PATH := $(BIN):$(PATH)

.PHONY: run test test-deps install migrate demo lint format i18n clean-web bench bench-data bench-stop bench-lighthouse screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/support-portal migrate

demo: migrate
	$(BIN)/support-portal seed-demo

run: demo
	$(BIN)/reflex run --env prod --single-port --frontend-port $(PORT)

APT_GET = $(if $(filter 0,$(shell id -u)),apt-get,sudo apt-get)

# What the tests need from Debian: Chromium for the browser tests, Redis for the scale-out
# run. PostgreSQL 15's server binaries (initdb, pg_ctl) are expected on the machine.
test-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		echo "Installing$$missing (apt-get)"; \
		$(APT_GET) update -qq && $(APT_GET) install -y -qq $$missing; \
	fi

# The whole suite on SQLite with the in-process hub, then the integration and browser suites
# again on PostgreSQL and Redis with two workers (SP_TEST_BACKEND=postgres).
test: install test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:cacheprovider
	SP_TEST_BACKEND=postgres $(BIN)/python -m pytest -q -p no:cacheprovider tests/integration tests/e2e

# Every page at both sizes in both languages into screenshots/ (not committed), for reviewers.
screenshots: install test-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/e2e/screenshots.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

i18n: install
	$(BIN)/python -m support_portal.i18n.extract

# Benchmarks (never part of `make test`); results are written up in docs/benchmarks.md.
BENCH_DIR ?= /tmp/sp-bench
BENCH_URL = $$($(BIN)/python -m benchmarks.pgserver url $(BENCH_DIR))

bench-data: install
	$(BIN)/python -m benchmarks.pgserver start $(BENCH_DIR)
	$(BIN)/python -m benchmarks.seed_large --db-url "$(BENCH_URL)" --reset

bench: bench-data
	$(BIN)/python -m benchmarks.queries --db-url "$(BENCH_URL)" --repeat 50
	$(BIN)/python -m benchmarks.outbox_throughput --rounds 3
	$(BIN)/python -m benchmarks.outbox_throughput --rounds 3 --db-url "$(BENCH_URL)"

bench-stop:
	$(BIN)/python -m benchmarks.pgserver stop $(BENCH_DIR)

# First load on a phone (issue 19): a prod build on port 3150, Lighthouse mobile and desktop
# presets on the home page, My tickets, a ticket and the guest code page (installs lighthouse
# into benchmarks/.lighthouse with the venv's npm on first use).
bench-lighthouse: install test-deps
	$(BIN)/python benchmarks/lighthouse.py --details --markdown /tmp/sp-lighthouse.md

clean-web:
	rm -rf .web .states
