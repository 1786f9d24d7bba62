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

.PHONY: demo up down status test test-faults test-unit bench lint format schemas docs lock clean

$(STAMP):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "eiso needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing Python packages into $(VENV)…"
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q --require-hashes -r requirements/dev.txt
	@$(BIN)/python -m pip install -q --no-deps -e .
	@rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)  ## start Kafka and the services, play the sample scenario, print the result
	@$(BIN)/eiso demo

up: $(STAMP)  ## start Kafka and the services in the background; returns once all are ready
	@$(BIN)/eiso up

down:  ## stop what `make up` started
	@if [ -x $(BIN)/eiso ]; then $(BIN)/eiso down; else deploy/kafka/kafka.sh stop; fi

status: $(STAMP)
	@$(BIN)/eiso status

test: $(STAMP)  ## the whole suite; starts its own Kafka and PostgreSQL (EISO_TEST_DB=sqlite|postgresql)
	@$(BIN)/pytest $(PYTEST_ARGS)

test-faults: $(STAMP)  ## the fault suite: services on PostgreSQL killed, stopped and doubled under load
	@$(BIN)/pytest tests/faults -m faults $(PYTEST_ARGS)

bench: $(STAMP)  ## throughput and latency against the raw Kafka client; bench/results.json (BENCH_ARGS=--quick)
	@$(BIN)/python -m bench $(BENCH_ARGS)

test-unit: $(STAMP)
	@$(BIN)/pytest tests/unit $(PYTEST_ARGS)

lint: $(STAMP)
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .
	@$(BIN)/mypy .

format: $(STAMP)
	@$(BIN)/ruff check --fix . && $(BIN)/ruff format .

schemas: $(STAMP)  ## regenerate contracts/schemas and contracts/asyncapi.yaml
	@$(BIN)/python -m contracts.generate

docs: $(STAMP)  ## regenerate docs/configuration.md from the settings classes
	@$(BIN)/python -m eiso_cli.configuration

lock: $(STAMP)  ## re-resolve requirements/*.txt after pyproject.toml's dependencies change (or a merge); LOCK_ARGS=--upgrade for the newest
	@$(LOCK) --extra dev -o requirements/dev.txt
	@$(LOCK) -c requirements/dev.txt -o requirements/runtime.txt
	@echo "locked: requirements/dev.txt, requirements/runtime.txt (the same versions)"

clean: down
	rm -rf .data .run .cache/kafka-run-* .cache/postgres-*
