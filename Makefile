# oncospine: two commands on a fresh machine (Python 3.11+, Debian).
#   make run    install into .venv, seed demo cases and an admin account into a SQLite file
#               (oncospine.db; the one-time password is printed), serve http://127.0.0.1:8000
#   make demo   show the demo cases assessed in the terminal
#   make test   install test tools and the Debian packages the tests need (PostgreSQL, Chromium,
#               poppler, Pango, a Java runtime), start a private PostgreSQL, lint, type-check,
#               run the tests and the vectors

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo screenshots test lint typecheck unit vectors bench docs clean sysdeps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,spark]"
	$(BIN)/python -m compileall -q src  # bytecode for a fast CLI start, even where Python does not write it
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/oncospine seed
	$(BIN)/oncospine serve --host 127.0.0.1 --port 8000

demo: $(STAMP)
	@for name in $$($(BIN)/oncospine example); do \
		$(BIN)/oncospine example $$name | $(BIN)/oncospine assess - ; \
	done

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

sysdeps:
	scripts/system-deps.sh

unit: $(STAMP) sysdeps
	ONCOSPINE_TEST_POSTGRES_URL="$$(scripts/postgres-test.sh)" \
	ONCOSPINE_CHROMIUM=/usr/bin/chromium \
	$(BIN)/pytest --cov=oncospine --cov-report=term --cov-fail-under=90

vectors: $(STAMP)
	$(BIN)/python ../shared/vectors/check.py

test: lint typecheck unit vectors

bench: $(STAMP)
	$(BIN)/python benchmarks/assess_throughput.py

screenshots: $(STAMP) sysdeps
	ONCOSPINE_SCREENSHOTS=docs/screenshots ONCOSPINE_CHROMIUM=/usr/bin/chromium \
	$(BIN)/pytest tests/e2e -q -p no:cacheprovider

docs: $(STAMP)
	$(BIN)/oncospine rules --format markdown > docs/rules.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
