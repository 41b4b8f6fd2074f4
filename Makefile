# gapcast: `make demo` and `make test` are the two Quickstart commands.
# DATA is where the upstream data files are; when that folder is missing, `make demo`
# downloads them from their upstream URLs instead (`gapcast data fetch`).

PYTHON ?= python3
DATA ?= ../shared/data
# CLAIMS holds the published claims (markets, experts, measurements) set beside gapcast's numbers.
CLAIMS ?= ../shared/claims
VENV ?= .venv
OUT ?= out
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
export GAPCAST_DATA := $(abspath $(DATA))
export GAPCAST_DB ?= $(abspath $(OUT))/gapcast.duckdb

.PHONY: demo test lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

demo: $(STAMP)
	@mkdir -p $(OUT)
	@if [ -d "$(DATA)" ]; then $(BIN)/gapcast data import "$(DATA)"; \
	 else echo "$(DATA) not found: fetching from upstream"; $(BIN)/gapcast data fetch; fi
	@if [ -d "$(CLAIMS)" ]; then $(BIN)/gapcast data import "$(CLAIMS)"; fi
	$(BIN)/gapcast data status
	$(BIN)/gapcast gap --metric eci --plot $(OUT)/gap-eci.png
	$(BIN)/gapcast fit
	@# the backtest first, so that the forecast's text states the model's current track record
	$(BIN)/gapcast backtest --workers 2
	$(BIN)/gapcast forecast --scenario baseline --plot $(OUT)/forecast-baseline.png
	$(BIN)/gapcast forecast --compare baseline serving-bound node-doubling export-controls-tighten \
	  export-controls-loosen open-diffusion-fast china-research-push --plot $(OUT)/forecast-compare.html
	$(BIN)/gapcast thesis
	$(BIN)/gapcast claims
	$(BIN)/gapcast report --scenario baseline --out $(OUT) --lang all
	@echo "Dashboard: GAPCAST_DB=$(GAPCAST_DB) $(BIN)/gapcast serve   (then open http://127.0.0.1:8000/)"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m gapcast.cli.reference > docs/cli.md

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
