# openroster: `make run` serves a demo district; `make test` runs the whole test suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test typecheck bench sds-check clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/openroster serve --demo

# The browser test of `openroster check`'s HTML report drives Debian's chromium (CI runs as root).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	apt-get update && apt-get install -y chromium

test: $(INSTALLED) $(CHROMIUM)
	$(BIN)/pytest
	$(BIN)/mypy

typecheck: $(INSTALLED)
	$(BIN)/mypy

bench: $(INSTALLED)
	$(BIN)/python benchmarks/read_path.py

# Microsoft's OneRoster Postman collections (SDS, Grade Sync) against a demo district, with newman
# pinned in sds/package-lock.json. The collections are read from ../shared/sds-postman.
NPM_INSTALLED := sds/node_modules/.installed

$(NPM_INSTALLED): sds/package.json sds/package-lock.json
	cd sds && npm ci --no-audit --no-fund
	touch $(NPM_INSTALLED)

sds-check: $(INSTALLED) $(NPM_INSTALLED)
	$(BIN)/python sds/run_checks.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis sds/node_modules
