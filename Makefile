# Two commands set up everything: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE := docs/examples/convertr-sample-plugin

.PHONY: serve test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project metadata changes; the install is editable otherwise.
# The sample third-party plugin is installed too, so the suite tests a real one.
$(STAMP): pyproject.toml $(SAMPLE)/pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet -e $(SAMPLE)
	touch $(STAMP)

install: $(STAMP)

serve: install
	$(BIN)/convertr serve

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info
