# The two commands a newcomer needs: `make demo` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The locks (make lock): every package at one version with its hashes; the image installs runtime.txt.
LOCKS := requirements/dev.txt requirements/runtime.txt
# Named by the content of pyproject.toml and the locks: a change to any of them installs again.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(LOCKS) | cksum | cut -d' ' -f1)
LOCK := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes \
	--quiet --custom-compile-command 'make lock' $(LOCK_ARGS)
# The AsyncAPI parser (Node), installed from tools/asyncapi/package-lock.json; the tests run it.
ASYNCAPI_TOOL := tools/asyncapi/node_modules/.installed
CONTRACT_TESTS := tests/unit/test_contracts_generated.py tests/unit/test_asyncapi_document.py \
	tests/unit/test_event_schemas.py tests/e2e/test_conformance.py

.PHONY: demo up down status test test-faults test-unit bench lint format schemas contracts-check docs lock clean

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "eiso needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python packages into $(VENV)…"
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.txt
	@$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

$(ASYNCAPI_TOOL): tools/asyncapi/package.json tools/asyncapi/package-lock.json
	@command -v npm >/dev/null || { echo "the contract checks need Node.js 20 and npm (apt-get install nodejs npm)" >&2; exit 1; }
	@echo "installing the AsyncAPI parser into tools/asyncapi/node_modules…"
	@npm ci --prefix tools/asyncapi --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

demo: $(STAMP)  ## start Kafka and the services, play the sample scenario, print the result
	@$(BIN)/eiso demo

up: $(STAMP)  ## start Kafka and the services in the background; returns once all are ready
	@$(BIN)/eiso up

down:  ## stop what `make up` started
	@if [ -x $(BIN)/eiso ]; then $(BIN)/eiso down; else deploy/kafka/kafka.sh stop; fi

status: $(STAMP)
	@$(BIN)/eiso status

test: $(STAMP) $(ASYNCAPI_TOOL)  ## the whole suite; starts its own Kafka and PostgreSQL (EISO_TEST_DB=sqlite|postgresql)
	@$(BIN)/pytest $(PYTEST_ARGS)

test-faults: $(STAMP)  ## the fault suite: services on PostgreSQL killed, stopped and doubled under load
	@$(BIN)/pytest tests/faults -m faults $(PYTEST_ARGS)

bench: $(STAMP)  ## throughput and latency against the raw Kafka client; bench/results.json (BENCH_ARGS=--quick)
	@$(BIN)/python -m bench $(BENCH_ARGS)

test-unit: $(STAMP) $(ASYNCAPI_TOOL)
	@$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy .

format: $(STAMP)
	@$(BIN)/ruff check --fix . && $(BIN)/ruff format .

schemas: $(STAMP)  ## regenerate contracts/schemas and contracts/asyncapi.yaml
	@$(BIN)/python -m contracts.generate

contracts-check: $(STAMP) $(ASYNCAPI_TOOL)  ## the contracts as outside tools see them: AsyncAPI parser, jsonschema, CloudEvents SDK + librdkafka
	@$(BIN)/pytest $(CONTRACT_TESTS) $(PYTEST_ARGS)

docs: $(STAMP)  ## regenerate docs/configuration.md from the settings classes
	@$(BIN)/python -m eiso_cli.configuration

lock: $(STAMP)  ## re-resolve requirements/*.txt after pyproject.toml's dependencies change (or a merge); LOCK_ARGS=--upgrade for the newest
	@$(LOCK) --extra dev -o requirements/dev.txt
	@$(LOCK) -c requirements/dev.txt -o requirements/runtime.txt
	@echo "locked: requirements/dev.txt, requirements/runtime.txt (the same versions)"

clean: down
	rm -rf .data .run .cache/kafka-run-* .cache/postgres-*
