# Chumchon Market: `make run` serves the shop with the demo catalogue, `make test` runs every test.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
export PYTHAINLP_DATA ?= $(CURDIR)/instance/pythainlp-data
# Tests run in one process per core (pytest-xdist); `make test PYTEST_WORKERS=0` runs
# them in this process.
PYTEST_WORKERS ?= auto

.PHONY: run test test-sqlite test-postgres install install-test translations extract-messages lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

translations: | $(BIN)/python
	@$(BIN)/pybabel compile -d translations > /dev/null

extract-messages: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load --if-empty
	$(BIN)/flask search reindex --if-missing
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The import contracts first (pyproject.toml: the areas import downwards only), then the
# suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set.
test: install-test
	$(BIN)/lint-imports
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL) =="; \
		$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS); \
	fi

# The page benchmarks on scratch catalogues of BENCH_PRODUCTS generated products (one or
# more sizes) on BENCH_DATABASES (sqlite, postgresql: a scratch database bench_… on the
# local server, postgresql://postgres@127.0.0.1), kept under BENCH_WORKDIR, figures
# appended to docs/benchmarks.md: the relevance set, search (index build and its peak
# memory, queries, type-ahead, edit to visible), storefront pages and the JSON API, then
# the flash-sale checkout (300 buyers, 250 units, on the demo catalogue). With
# wrk installed (apt-get install wrk) every row runs at 4 and at 32 connections
# (BENCH_CONNECTIONS) for BENCH_SECONDS (10) each, beside the hello-world page of the
# same run. BENCH_ARGS is passed to search, storefront and api (e.g. --reuse to keep
# the catalogues already built). About 13 minutes on two cores for the defaults (SQLite,
# 20,000 products). The whole matrix,
#   make bench BENCH_PRODUCTS="20000 100000" BENCH_DATABASES="sqlite postgresql"
# takes about 1½ hours when it builds every catalogue (one of 100,000 products with its
# search index takes 6–7 minutes on either database; most of a storefront or API run
# is each worker rendering its 2,000 product pages once before they are measured).
# The impact and sitemap benchmarks run on their own (bench/impact.py, sitemap.py).
BENCH_PRODUCTS ?= 20000
BENCH_DATABASES ?= sqlite
BENCH_WORKDIR ?= /tmp/chumchon-bench
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/search.py --products $(BENCH_PRODUCTS) --databases $(BENCH_DATABASES) --workdir $(BENCH_WORKDIR) $(BENCH_ARGS)
	$(BIN)/python bench/storefront.py --products $(BENCH_PRODUCTS) --databases $(BENCH_DATABASES) --workdir $(BENCH_WORKDIR) $(BENCH_ARGS)
	$(BIN)/python bench/api.py --products $(BENCH_PRODUCTS) --databases $(BENCH_DATABASES) --workdir $(BENCH_WORKDIR) $(BENCH_ARGS)
	$(BIN)/python bench/checkout.py --buyers 300 --units 250 --databases $(BENCH_DATABASES) --workdir $(BENCH_WORKDIR)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .import_linter_cache
