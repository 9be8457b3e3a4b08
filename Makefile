# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/spbe: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(BIN)/spbe

setup: $(BIN)/spbe

demo: setup
	$(BIN)/spbe demo

test: setup
	$(BIN)/python -m pytest

check: setup
	$(BIN)/ruff check spbe_crawler inventory scoring bench tests
	$(BIN)/ruff format --check spbe_crawler inventory scoring bench tests
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

.PHONY: setup demo test check bench
