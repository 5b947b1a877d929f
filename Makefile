# Bootstraps .venv on first use, then runs the service, the tests or the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock

.PHONY: run test lint schema bench clean lock fuzz

# The lock file constrains every install to the exact releases the tests ran with.
$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e '.[dev]'
	touch $(STAMP)

# Resolve pyproject.toml afresh in a throw-away venv and record every release it chose.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	echo "# Exact releases for .venv, CI and make run; regenerate with: make lock" > $(LOCK)
	.venv-lock/bin/python -m pip freeze --exclude-editable >> $(LOCK)
	rm -rf .venv-lock

# make run PORT=8001 HOST=0.0.0.0 ARGS=--no-demo
run: $(STAMP)
	$(BIN)/auditlog serve $(if $(PORT),--port $(PORT)) $(if $(HOST),--host $(HOST)) $(ARGS)

test: $(STAMP)
	$(BIN)/pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

schema: $(STAMP)
	$(BIN)/python -m schema > schema/schema.graphql

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
