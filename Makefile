# Two commands take a fresh clone to a dashboard and to green tests:
#   make demo   install, generate sample data, run the pipeline, open the viewer
#   make test   install, lint (ruff, SQLFluff), run every test
# `make help` lists the rest.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# SQLFluff compiles the dbt project; it needs a warehouse path to connect to.
LINT_WAREHOUSE := $(TOOLS)/sqlfluff.duckdb

.PHONY: help install demo test lint format dagster bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV) ## Install the pinned environment from uv.lock into .venv
	$(UV) sync --frozen

demo: install ## Generate sample data if none, run the pipeline, open the viewer
	$(BIN)/incentives demo

lint: install ## Ruff and SQLFluff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	INCENTIVES_BUILD_WAREHOUSE=$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint dbt_project/models

test: lint ## Lint, then run every test
	$(BIN)/pytest

format: install ## Apply ruff and SQLFluff fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	INCENTIVES_BUILD_WAREHOUSE=$(LINT_WAREHOUSE) $(BIN)/sqlfluff fix dbt_project/models

dagster: install ## Open the Dagster UI on the pipeline's definitions
	$(BIN)/incentives dagster

bench: install ## Benchmarks: generator memory and time as the number of deals grows
	$(BIN)/python tests/benchmarks/bench_generator.py

clean: ## Remove generated data, the warehouse and dbt's target folder
	rm -rf data dbt_project/target $(LINT_WAREHOUSE)
