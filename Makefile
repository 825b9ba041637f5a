# One task runner. `make help` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml tests/node/package.json 2>/dev/null | sha1sum | cut -c1-12)
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: help venv run build serve test lint format bench clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	@if command -v npm >/dev/null && [ -f tests/node/package.json ]; then \
	  cd tests/node && npm install --no-audit --no-fund --loglevel=error; fi
	rm -f $(VENV)/.installed-*; touch $@

venv: $(STAMP)  ## create or reuse the virtual environment

build: venv  ## compile, validate, reason and load the graph into KG_STORE
	$(VENV)/bin/kg build

run: venv  ## build the graph and serve it at http://127.0.0.1:5000
	$(VENV)/bin/kg build && $(VENV)/bin/kg dump && $(VENV)/bin/kg serve --host 127.0.0.1 --port 5000

test: venv  ## lint, then run the whole test suite
	$(VENV)/bin/ruff check kg server tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: venv  ## ruff lint and format check, mypy on kg/ and server/
	$(VENV)/bin/ruff check kg server tests bench
	$(VENV)/bin/ruff format --check kg server tests bench
	$(VENV)/bin/mypy

format: venv  ## format the code
	$(VENV)/bin/ruff format kg server tests bench

bench: venv  ## run the benchmarks in bench/ (side by side, ratios)
	$(PY) -m bench.run

clean:  ## remove the store, dumps and caches
	rm -rf var .pytest_cache tests/artifacts
