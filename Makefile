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

# One test process per CPU core; the files that crawl the demo web run one after the other in one
# of them (tests/conftest.py), the other tests are shared out.
# Bytecode caches are written even where PYTHONDONTWRITEBYTECODE is set: the suite starts many `spbe`
# processes, and without caches each one compiles the package (and pytest rewrites every test) again.
JOBS ?= auto
test: setup
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -n $(JOBS) --dist loadgroup

check: setup
	$(BIN)/ruff check spbe_crawler inventory scoring bench tests
	$(BIN)/ruff format --check spbe_crawler inventory scoring bench tests
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run_all.py

.PHONY: setup demo test check bench
