# One place for the commands a developer or operator needs. Each target sets up what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup playground run test test-fast fuzz lint i18n bench clean

# An editable install: bot/, handlers/, db/ and locales/ are used in place from the checkout.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

setup: $(STAMP)

## Set up and start the playground: the real bot, an embedded Telegram, a page to chat in.
## e.g. make playground PLAYGROUND_ARGS="--db playground.db --quiet-hours"
playground: $(STAMP)
	$(BIN)/naboskap playground $(PLAYGROUND_ARGS)

## Set up, create or upgrade the database, load Larvik's example networks, run the bot.
run: $(STAMP)
	$(BIN)/naboskap db upgrade
	$(BIN)/naboskap network import --only-new examples/larvik.toml
	$(BIN)/naboskap run

## Set up and run the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set), on every
## core with pytest-xdist: PYTEST_XDIST_AUTO_NUM_WORKERS=N chooses the number of workers.
test: $(STAMP)
	$(BIN)/pytest -q -n auto

## All but the `slow` tests (real processes: subprocesses, Kannel, Chromium): for while you work.
test-fast: $(STAMP)
	$(BIN)/pytest -q -n auto -m "not slow"

## The long fuzz: 100 000 random updates (and 25 000 SMS requests) on SQLite, 10 000 on
## PostgreSQL when TEST_DATABASE_URL is set; new random examples each run. Prints its figures.
FUZZ_UPDATES ?= 100000
FUZZ_PG_UPDATES ?= 10000
fuzz: $(STAMP)
	FUZZ_RANDOM=1 FUZZ_UPDATES=$(FUZZ_UPDATES) FUZZ_PG_UPDATES=$(FUZZ_PG_UPDATES) \
		$(BIN)/pytest -q -s -p no:cacheprovider --timeout=0 tests/fuzz

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Extract messages, update every catalog, compile and report what needs a translator.
i18n: $(STAMP)
	$(BIN)/naboskap i18n update

bench: $(STAMP)
	$(BIN)/python benchmarks/updates.py
	$(BIN)/python benchmarks/startup.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
