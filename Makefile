# fanpin: the README's commands. Needs only python3 (3.10+) and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
PYTEST_WORKERS ?= 2

.PHONY: demo test bench lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dask,postgres,notebooks]' \
		pytest pytest-xdist hypothesis ruff
	touch $(STAMP)

install: $(STAMP)

FANPIN := $(VENV)/bin/fanpin
DATA   := data/synthetic

## make demo: the monthly job end to end on the bundled synthetic data
demo: $(STAMP)
	$(FANPIN) validate $(DATA)/panel.parquet --lines $(DATA)/monitoring_lines.yaml
	$(FANPIN) train $(DATA)/panel.parquet --lines $(DATA)/monitoring_lines.yaml \
		--out $(OUT)/model
	$(FANPIN) score $(DATA)/panel.parquet --model $(OUT)/model --out $(OUT)/scores.csv
	@echo "Results are in $(OUT)/: model/ (model + model card), scores.csv"

## make test: the whole suite (doctests included)
test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

## make bench: speed, memory and quality figures -> bench/results.json
bench: $(STAMP)
	$(PY) bench/run.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) out .pytest_cache
