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

.PHONY: run test install migrate demo chromium lint format i18n clean-web services-up

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

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Chromium for the browser tests (apt-get)"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; \
	fi

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

i18n: install
	$(BIN)/python -m support_portal.i18n.extract

clean-web:
	rm -rf .web .states
