# sahelsat: `make demo` runs the main job, `make test` the test suite (both install first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-all lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: install
	$(BIN)/sahelsat run sahel --out output

lint: install
	$(BIN)/ruff check sahelsat tests benchmarks tools
	$(BIN)/ruff format --check sahelsat tests benchmarks tools

test: lint
	bash tools/test_setup.sh
	$(BIN)/python -m pytest -n 2 -q

test-all: lint
	bash tools/test_setup.sh
	$(BIN)/python -m pytest -n 2 -q -m ""

bench: install
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
