# votes — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST := $(BIN)/pytest -p no:cacheprovider
PIP_QUIET := --quiet --disable-pip-version-check

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite test-browser test-postgres lint typecheck messages migration clean \
	bench-core bench-votes bench-signin bench-import bench-live bench-load bench-diffs bench-verify \
	bench-minutes bench-now bench-mail bench-loop bench-floor bench-notify bench-convocation \
	bench-postal bench-event

help:
	@echo "make run        serve the app with the demo on http://127.0.0.1:8000"
	@echo "make test       lint, type-check and run every test (SQLite, then PostgreSQL)"
	@echo "make bench-core time the tally core on large elections"
	@echo "make bench-load a plenary of 1,000 members under load (MEMBERS=2000 for more)"
	@echo "make bench-*    also: votes, signin, import, live, diffs, verify, minutes, now, mail, loop, floor, notify, convocation, postal, event"
	@echo "make messages   add new translatable strings to the French catalog (AREA=name, LANGUAGE=nl)"
	@echo "make migration  generate a migration after changing src/votes/db/tables/"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "votes needs Python 3.11 or newer ($(PYTHON) is older)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing votes and its test tools into $(VENV)…"
	@$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -m pip install $(PIP_QUIET) -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
	@$(BIN)/python -c 'import votes.cli, litestar, piccolo, pytest' || { echo "installation failed"; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/votes serve --demo

test: $(STAMP) lint typecheck test-sqlite test-browser test-postgres

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

# every suite on SQLite, with branch coverage of the tally core
test-sqlite: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest -p no:cacheprovider -q --ignore=tests/e2e
	$(BIN)/coverage report --include='src/votes/core/*' --fail-under=100 --skip-covered

# the browser and accessibility tests, in their own run: Playwright's sync API keeps an event
# loop in the main thread, which breaks the async tests that would run after it
test-browser: $(STAMP)
	@if [ -x /usr/bin/chromium ]; then \
		$(PYTEST) -q tests/e2e; \
	elif [ -n "$$CI" ]; then \
		echo "Chromium is required in CI (.ci/run installs it) but /usr/bin/chromium is missing"; exit 1; \
	else \
		echo "Chromium not found at /usr/bin/chromium: the browser and accessibility tests (tests/e2e) were SKIPPED (apt-get install chromium)"; \
	fi

# the database and web suites again on PostgreSQL; required in CI, skipped with a notice elsewhere
test-postgres: $(STAMP)
	@if $(BIN)/python scripts/postgres_ready.py; then \
		VOTES_TEST_DATABASE=postgres $(PYTEST) -q tests/services tests/web; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is required in CI but is not reachable"; exit 1; \
	else \
		echo "PostgreSQL not reachable on 127.0.0.1:5432: the PostgreSQL pass was SKIPPED"; \
	fi

bench-core: $(STAMP)
	$(BIN)/python benchmarks/bench_core.py

# 500 members sign in by access code within a minute while the room votes
bench-signin: $(STAMP)
	$(BIN)/python benchmarks/bench_signin.py

# how long a vote waits while another cooperative imports 20,000 members (temporary SQLite)
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench_import.py

# votes/s, burst, page weight and close time against `votes serve` on a temporary SQLite file,
# then on a throwaway PostgreSQL database when one answers on 127.0.0.1:5432
bench-votes: $(STAMP)
	$(BIN)/python benchmarks/bench_votes.py
	$(BIN)/python benchmarks/bench_votes.py --htmx
	@if $(BIN)/python scripts/postgres_ready.py; then $(BIN)/python benchmarks/bench_votes.py --postgres; fi

# 2,000 phones on event streams: a ballot opens, 2,000 votes in 30 s (one process on SQLite,
# then two workers on PostgreSQL when it answers on 127.0.0.1:5432)
bench-live: $(STAMP)
	$(BIN)/python benchmarks/bench_live.py

# the worst word diffs of two long proposal versions, old algorithm beside the bounded one
bench-diffs: $(STAMP)
	$(BIN)/python benchmarks/bench_diffs.py

# `votes audit verify` on 50 ballots × 2,000 papers (temporary SQLite)
bench-verify: $(STAMP)
	$(BIN)/python benchmarks/bench_verify.py

# the minutes and the archive of a large assembly
bench-minutes: $(STAMP)
	$(BIN)/python benchmarks/bench_minutes.py

# the "now" page of a large assembly with a long thread
bench-now: $(STAMP)
	$(BIN)/python benchmarks/bench_now.py

# vote p99 with the outbox idle, then while 2,000 mails go to a local aiosmtpd; mails/s
bench-mail: $(STAMP)
	$(BIN)/python benchmarks/bench_mail.py

# the transactions that queue a ballot-of-days' mails to 2,000 members
bench-notify: $(STAMP)
	$(BIN)/python benchmarks/bench_notify.py

# the event loop's worst delay while a large assembly's record is read, in and off the loop
bench-loop: $(STAMP)
	$(BIN)/python benchmarks/bench_loop.py

# the floor: 2,000 phones on the speakers' list, 2,000 answers to a mood check in 10 s
bench-floor: $(STAMP)
	$(BIN)/python benchmarks/bench_floor.py

# votes by correspondence: 2,000 members, a third answer 5 resolutions; form latency, closes
bench-postal: $(STAMP)
	$(BIN)/python benchmarks/bench_postal.py

# 2,000 convocations queued (mail + proof record each) while 300 phones vote: vote p99 with and without
bench-convocation: $(STAMP)
	$(BIN)/python benchmarks/bench_convocation.py

# a network's event (#20): 500 participants of 10 co-ops, 6 parallel sessions; open, vote p99, result
bench-event: $(STAMP)
	$(BIN)/python benchmarks/bench_event.py

# the whole plenary under load: MEMBERS (1000) sign in by code, wait on the live stream, vote;
# SQLite then PostgreSQL with two workers; latency plots in artifacts/ (matplotlib: bench extra)
MEMBERS ?= 1000
bench-load: $(STAMP)
	@$(BIN)/python -c 'import matplotlib' 2>/dev/null || $(BIN)/python -m pip install $(PIP_QUIET) -e '.[test,bench]'
	$(BIN)/python benchmarks/bench_load.py --members $(MEMBERS)

messages: $(STAMP)
	$(BIN)/python scripts/update_catalogs.py $(if $(LANGUAGE),--language $(LANGUAGE)) $(if $(AREA),--area $(AREA))

migration: $(STAMP)
	PICCOLO_CONF=votes.piccolo_conf VOTES_DATA_DIR=$$(mktemp -d) \
		$(BIN)/piccolo migrations new votes --auto

clean:
	rm -rf $(VENV) .coverage .mypy_cache .ruff_cache
