# openroster: `make run` serves a demo district; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TEST_INSTALLED := $(VENV)/.installed-test
SIZE ?= S M
BACKEND ?= both
RESULTS ?= benchmarks/results/local

.PHONY: run test format typecheck bench soak sds-check clean

# What running needs: openroster and its dependencies.
$(INSTALLED): pyproject.toml
	@echo "make: creating $(VENV) and installing openroster (first run only; about a minute)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -e .
	touch $(INSTALLED)

# What testing needs on top: pytest, hypothesis, mypy, HTTP clients.
$(TEST_INSTALLED): $(INSTALLED)
	@echo "make: installing the test tools into $(VENV) (first run only)..."
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -e '.[test]'
	touch $(TEST_INSTALLED)

run: $(INSTALLED)
	$(BIN)/openroster serve --demo

# The browser test of `openroster check`'s HTML report drives Debian's chromium (CI runs as root).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "make: installing Debian's chromium for the browser tests..."
	apt-get update && apt-get install -y chromium

# Lint and format check first (seconds), then the tests with a coverage report, then the type check.
LINTED := src tests benchmarks sds

test: $(TEST_INSTALLED) $(CHROMIUM)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/pytest --cov=openroster --cov-report=term:skip-covered
	$(BIN)/mypy

# make format: what `make test` checks, applied.
format: $(TEST_INSTALLED)
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

typecheck: $(TEST_INSTALLED)
	$(BIN)/mypy

# make bench: districts S (10k students) and M (100k) on SQLite and PostgreSQL, one table of ratios
# with targets and verdicts, JSON results in RESULTS. SIZE=L (1M students) or SIZE="S M L";
# BACKEND=sqlite|postgresql|both; FOLDER=DIR builds in (and later reuses) DIR, for one size;
# STUDENTS=N [SCHOOLS=N] a district of that size instead. Data is kept in benchmarks/data/<size>.
bench: $(TEST_INSTALLED)
	$(if $(STUDENTS),$(BIN)/python benchmarks/district.py --students $(STUDENTS) --schools $(or $(SCHOOLS),1) \
	    --backend $(BACKEND) --results $(RESULTS) $(if $(FOLDER),--folder $(FOLDER)),for size in $(SIZE); do \
	    $(BIN)/python benchmarks/district.py --size $$size --backend $(BACKEND) --results $(RESULTS) \
	        $(if $(FOLDER),--folder $(FOLDER)) || exit 1; done)

# make soak MINUTES=10 BACKEND=sqlite|postgresql|both CLIENTS=3 STUDENTS=20000: walkers, a Grade Sync writer
# and an importer against `serve --workers 2` (not part of make test); results in benchmarks/results.
# STUDENTS defaults to 20000 here unless given on the command line.
MINUTES ?= 10
BACKEND ?= both
CLIENTS ?= 3
SOAK_STUDENTS := $(if $(filter command line,$(origin STUDENTS)),$(STUDENTS),20000)

soak: $(TEST_INSTALLED)
	$(BIN)/python -m benchmarks.soak --minutes $(MINUTES) --backend $(BACKEND) --clients $(CLIENTS) \
	    --students $(SOAK_STUDENTS)

# Microsoft's OneRoster Postman collections (SDS, Grade Sync) against a demo district, with newman
# pinned in sds/package-lock.json. The collections are read from ../shared/sds-postman.
NPM_INSTALLED := sds/node_modules/.installed

$(NPM_INSTALLED): sds/package.json sds/package-lock.json
	cd sds && npm ci --no-audit --no-fund
	touch $(NPM_INSTALLED)

sds-check: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/python sds/run_checks.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis sds/node_modules
