# sahelsat: `make demo` runs the main job, `make test` the test suite and the documentation
# build, `make docs` the documentation site alone (all install first).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test test-all lint bench docs clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(STAMP)

demo: install
	$(BIN)/sahelsat run sahel --out output

lint: install
	$(BIN)/ruff check sahelsat tests benchmarks tools docs/_ext
	$(BIN)/ruff format --check sahelsat tests benchmarks tools docs/_ext

test: lint
	bash tools/test_setup.sh
	$(BIN)/python -m pytest -n 2 -q
	$(MAKE) docs

# The documentation site, offline, into docs/_build/html (served by `sahelsat serve` at
# /docs): warnings are errors (broken internal links too), every example runs (-E: always).
docs: install
	rm -rf docs/_build/html
	$(BIN)/python -m sphinx -b html -E -W --keep-going -q docs docs/_build/html

test-all: lint
	bash tools/test_setup.sh
	$(BIN)/python -m pytest -n 2 -q -m ""

bench: install
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache docs/_build
