# fanpin: the README's commands. Needs only python3 (3.10+) and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
OUT    ?= out/demo
PYTEST_WORKERS ?= 2

.PHONY: demo test bench lint install clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dask,postgres,notebooks,fast-predict]' \
		pytest pytest-xdist hypothesis ruff babel
	touch $(STAMP)

install: $(STAMP)

FANPIN := $(VENV)/bin/fanpin
DATA   := data/synthetic

## make demo: the monthly job end to end on the bundled synthetic data
demo: $(STAMP)
	$(FANPIN) validate $(DATA)/panel.parquet --lines $(DATA)/monitoring_lines.yaml
	$(FANPIN) train $(DATA)/panel.parquet --lines $(DATA)/monitoring_lines.yaml \
		--out $(OUT)/model
	$(FANPIN) score $(DATA)/panel.parquet --model $(OUT)/model --quiet --show 10 \
		--out $(OUT)/scores.csv
	rm -f $(OUT)/cases.db
	$(FANPIN) alerts $(DATA)/panel.parquet --model $(OUT)/model \
		--events $(DATA)/pushes.parquet --as-of 2026-06-30 \
		--store sqlite:///$(OUT)/cases.db --out $(OUT)/alerts
	$(FANPIN) cases list --store sqlite:///$(OUT)/cases.db --township 滇01县01镇 \
		--as-of 2026-06-30
	$(FANPIN) report $(DATA)/panel.parquet --model $(OUT)/model \
		--truth $(DATA)/truth.parquet --out $(OUT)/report.html
	@echo
	@echo "Results are in $(OUT)/:"
	@echo "  model/                 the model and its model card (model_card.json)"
	@echo "  scores.csv             every household ranked by risk of hardship next year"
	@echo "  alerts/alerts.csv      the early-warning list (预警名单) with reasons and measures"
	@echo "  alerts/excel/*.xlsx    one workbook per township, one sheet per village"
	@echo "  cases.db               the case store (fanpin cases list --store sqlite:///$(OUT)/cases.db)"
	@echo "  report.html            the report for the bureau"

## make test: the whole suite (doctests included)
test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q

## make bench: speed, memory and quality figures -> bench/results.json
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/run.py

## make messages: refresh the message catalogue (src/fanpin/locale) after changing
## a message or a help text; then translate the new entries and run it again
messages: $(STAMP)
	$(PY) scripts/messages.py update
	$(PY) scripts/messages.py compile
	$(PY) scripts/messages.py check

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) out .pytest_cache
