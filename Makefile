# Silkway: `make run` (demo marketplace on the embedded default) and `make test` (whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
CUSTOMS_PORT ?= 8765
LOCALSTRIPE_PORT ?= 8420
# The demo's localstripe keeps its store here, so the payments the seed made are still there
# for refunds after make run restarts it (tests keep theirs in memory).
LOCALSTRIPE_STATE ?= var/localstripe.pickle
CARRIER_PORT ?= 8766
# Simulated seconds per real second: a two-week journey into China in about 4 minutes.
CARRIER_SPEED ?= 5000
DEMO_CARRIERS = china-post ems dhl yanwen sf
# Where the demo (seed, web, workers) finds the two simulators and itself: the ports above
# (target-specific, so `make test` and `make bench` keep their own environment).
run seed: export CUSTOMS_GATEWAY_URL ?= http://127.0.0.1:$(CUSTOMS_PORT)
run seed: export CARRIER_SIMULATOR_URL ?= http://127.0.0.1:$(CARRIER_PORT)
run seed: export SITE_URL ?= http://$(HOST):$(PORT)

# Tests always run on the real PostgreSQL and Redis (override either URL to point elsewhere).
TEST_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/silkway)
TEST_REDIS_URL ?= $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
PYTEST_WORKERS ?= 2

.PHONY: help run setup install install-dev labels-font messages migrate seed test test-fast lint format worker beat bench clean

help:
	@echo "make run      set up and serve the demo marketplace on http://$(HOST):$(PORT)"
	@echo "make test     run the whole test suite (PostgreSQL, Redis, a real worker, a real browser)"
	@echo "make lint     ruff check + format check"
	@echo "make worker   start a Celery worker (all queues); make beat for the scheduler"
	@echo "make bench    run the benchmarks in bench/ and print ratios"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput -v 0

# The demo's paid orders are paid through localstripe (logistics/fulfilment/demo.py), so the
# seed runs with one up (on the state file make run's uses; an already running one serves if
# the port is taken).
seed: migrate
	@mkdir -p var
	@$(PY) -m payments.localstripe_server --port $(LOCALSTRIPE_PORT) --state-file $(LOCALSTRIPE_STATE) \
		>var/localstripe-seed.log 2>&1 & stripe=$$!; \
		trap "kill $$stripe 2>/dev/null" EXIT INT TERM; \
		for i in $$(seq 50); do grep -q listening var/localstripe-seed.log && break; sleep 0.2; done; \
		LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(PY) manage.py seed_demo

setup: install labels-font messages migrate seed

run: setup
	@echo ""
	@echo "  Storefront     http://$(HOST):$(PORT)/en/   (中文: http://$(HOST):$(PORT)/zh-hans/)"
	@echo "  Seller portal  http://$(HOST):$(PORT)/en/seller/"
	@echo "  Back office    http://$(HOST):$(PORT)/en/ops/"
	@echo "  API docs       http://$(HOST):$(PORT)/api/docs/"
	@echo "  Customs gateway simulator  http://127.0.0.1:$(CUSTOMS_PORT)/_state  (log: var/customs-simulator.log)"
	@echo "  Stripe (localstripe)       http://127.0.0.1:$(LOCALSTRIPE_PORT)/  test card 4242 4242 4242 4242  (log: var/localstripe.log)"
	@echo "  Carrier simulator          http://127.0.0.1:$(CARRIER_PORT)/_state  (log: var/carrier-simulator.log)"
	@echo "  Declarations worker        receipts and retries  (log: var/declarations-worker.log)"
	@echo "  Tracking worker            stuck parcels, polled carriers  (log: var/tracking-worker.log)"
	@echo "  Demo parcel  log in as shopper@silkway.local: Your orders (its timeline fills in ~4 min)"
	@echo "  Stuck parcel log in as ops@silkway.local: http://$(HOST):$(PORT)/en/ops/fulfilment/parcelexception/"
	@echo ""
	@mkdir -p var
	@$(PY) manage.py customs_gateway --port $(CUSTOMS_PORT) --state-dir var/customs-simulator \
		>var/customs-simulator.log 2>&1 & sim=$$!; \
		$(PY) -m payments.localstripe_server --port $(LOCALSTRIPE_PORT) --state-file $(LOCALSTRIPE_STATE) \
		>var/localstripe.log 2>&1 & stripe=$$!; \
		$(PY) manage.py carrier_simulator --port $(CARRIER_PORT) --state-dir var/carrier-simulator \
		--platform-url http://$(HOST):$(PORT) --speed $(CARRIER_SPEED) \
		$(foreach c,$(DEMO_CARRIERS),--carrier $(c)=demo-$(c)) \
		>var/carrier-simulator.log 2>&1 & carrier=$$!; \
		OUTBOX_SWEEP_GRACE_SECONDS=5 $(PY) manage.py declarations_worker \
		>var/declarations-worker.log 2>&1 & dw=$$!; \
		$(PY) manage.py tracking_worker >var/tracking-worker.log 2>&1 & tw=$$!; \
		trap "kill $$sim $$stripe $$carrier $$dw $$tw 2>/dev/null" EXIT INT TERM; \
		LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(PY) scripts/localstripe_webhook.py \
			http://127.0.0.1:$(LOCALSTRIPE_PORT) http://$(HOST):$(PORT)/payments/stripe/webhook/; \
		LOCALSTRIPE_PORT=$(LOCALSTRIPE_PORT) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) scripts/ensure_services.py
	@scripts/ensure_browser.sh
	@scripts/ensure_customs_tools.sh
	@scripts/ensure_label_tools.sh
	@$(PY) scripts/compile_messages.py
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_TASK_ALWAYS_EAGER=true \
		$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace worker -Q default,customs,notifications -l info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A marketplace beat -l info

labels-font:
	@scripts/ensure_label_tools.sh || echo "labels: printing labels fails until the font above is installed" >&2

bench: $(VENV)/.installed-dev
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) scripts/ensure_services.py
	@scripts/ensure_wrk.sh
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 $(LOCALSTRIPE_STATE) staticfiles .pytest_cache .ruff_cache
	find locale -name '*.mo' -delete
