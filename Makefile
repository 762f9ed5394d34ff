# The two commands: `make run` and `make test`. Both create .venv when it is missing and
# reinstall only when pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes (pytest-xdist): one per CPU; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint bench worker clean-db messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/partnerdesk start

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: $(STAMP)
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

worker: $(STAMP)
	$(BIN)/partnerdesk worker

messages: $(STAMP)
	cd src/partnerdesk && ../../$(BIN)/partnerdesk makemessages --all --ignore '*/tests/*'

clean-db:
	rm -f var/partnerdesk.sqlite3 var/partnerdesk.sqlite3-wal var/partnerdesk.sqlite3-shm
