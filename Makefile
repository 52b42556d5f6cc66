# Quick start: `make run` (install, migrate, demo data, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

# requirements*.txt are the pins people edit; requirements*.lock (every transitive dependency, with hashes) are
# what gets installed. `make lock` regenerates the lock files after an edit, keeping the other pins where they are;
# `make lock LOCK_ARGS=--upgrade` moves every transitive dependency to its newest allowed release.
UV_COMPILE = $(abspath $(BIN))/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" $(LOCK_ARGS)

.PHONY: run test install install-dev migrate demo serve dev-serve worker browsers clean lock lock-check lint system-deps

# Debian 12 packages the Python dependencies need at run time: WeasyPrint (written notices as PDF) draws text with
# pango/harfbuzz and the CJK fonts from fonts-noto-cjk; the tests read PDFs back with poppler-utils (pdftotext).
# An office's licensed fonts go into var/fonts (DOCUMENT_FONT_DIR), see README "Written notices".
DEBIAN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils

system-deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "missing Debian packages for the PDF notices: $$missing"; \
			echo "run as root: apt-get install $$missing   (or: sudo make system-deps)"; exit 1; \
		fi; \
		echo "installing from Debian: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock $(BIN)/activate | system-deps
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The dev lock is constrained by the runtime one, so tests run on exactly the versions production installs.
COMPILE_LOCKS = $(UV_COMPILE) requirements.txt -o requirements.lock \
	&& $(UV_COMPILE) requirements-dev.txt -c requirements.lock -o requirements-dev.lock

lock: install-dev
	$(COMPILE_LOCKS)

# Compiles the locks again in a scratch copy and compares the pins (not the hashes: a release may gain wheels).
lock-check: install-dev
	rm -rf $(VENV)/lock-check && mkdir $(VENV)/lock-check
	cp requirements.txt requirements-dev.txt requirements.lock requirements-dev.lock $(VENV)/lock-check/
	cd $(VENV)/lock-check && $(COMPILE_LOCKS)
	for lock in requirements.lock requirements-dev.lock; do \
		grep -E '^[A-Za-z0-9]' $$lock > $(VENV)/lock-check/$$lock.pins; \
		grep -E '^[A-Za-z0-9]' $(VENV)/lock-check/$$lock | diff -u $(VENV)/lock-check/$$lock.pins - \
			|| { echo "$$lock is out of date with requirements*.txt: run make lock"; exit 1; }; \
	done

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo

dev-serve: install
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

run: demo dev-serve

# Production: refuse generated secrets and per-process rate limits, migrate (as MIGRATION_DATABASE_URL's owner role
# when set), then gunicorn (WEB_* settings).
serve: install
	$(FLASK) preflight
	if [ -n "$$MIGRATION_DATABASE_URL" ]; then DATABASE_URL="$$MIGRATION_DATABASE_URL" $(FLASK) db upgrade; \
	else $(FLASK) db upgrade; fi
	$(BIN)/gunicorn -c python:portal.ops.gunicorn wsgi:app

# The job queue's worker on REDIS_URL, with the retry scheduler and the periodic jobs (run one of these).
worker: install
	$(FLASK) jobs worker

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
