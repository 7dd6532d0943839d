# 先丰港 — the two commands: `make run` and `make test`. See README.md.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

# `make test` and `make serve` use the real services; override these to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/xianfenggang
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
SERVE_BROKER_URL ?= redis://127.0.0.1:6379/0
# `make run` and `make serve` run on one machine: webhook receivers of a local demo listen on
# 127.0.0.1. Production keeps the default (false): no webhook to loopback or private addresses.
SERVE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES ?= true

# The embedded default: no external service at all, development settings (DEV=1: DEBUG on,
# a development key, plain HTTP). Everything else runs with the production defaults.
EMBEDDED := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL DEV=1
# `make run`'s broker is a folder (var/broker/): the worker and the timers need no server.
RUN_BROKER := CELERY_BROKER_URL=filesystem://
# `make run` serves the portal's own error pages: Django's technical ones (settings, every URL) only
# when asked, `make run DEBUG=1`. Static files come from runserver --insecure (Procfile.run) either way.
RUN_DEBUG := $(if $(filter 1 true yes on,$(DEBUG)),true,false)
# Links in e-mails point to the address the portal answers on.
BASE_URL = $(or $(PORTAL_BASE_URL),http://127.0.0.1:$(PORT))
# The browser tests (tests/browser/) drive Debian's Chromium and inject axe-core from npm (package.json).
CHROMIUM ?= /usr/bin/chromium
NODE_TOOLS := node_modules/.installed
SERVICES := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) TEST_REDIS_URL=$(TEST_REDIS_URL)
# The test configuration: development settings (pytest sets DEV=1 too, see tests/pytest_environment.py).
TESTING := $(SERVICES) DEV=1
# `make serve` runs the production settings (DEV unset, DEBUG off): SECRET_KEY comes from the
# environment. It answers on this machine over plain HTTP, so the HTTPS redirect and the secure
# cookies are off unless set; HSTS, the CSP and the other headers stay as in production.
SERVE_ALLOWED_HOSTS ?= 127.0.0.1,localhost
SERVE_HTTPS ?= false
PRODUCTION := env -u DEV -u DEBUG $(SERVICES) ALLOWED_HOSTS=$(SERVE_ALLOWED_HOSTS) \
	SECURE_SSL_REDIRECT=$(SERVE_HTTPS) SESSION_COOKIE_SECURE=$(SERVE_HTTPS) CSRF_COOKIE_SECURE=$(SERVE_HTTPS)

.PHONY: run test serve serve-secret-key install messages lint schema clean browser-tools bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# axe-core for the browser tests, exactly as package-lock.json pins it.
$(NODE_TOOLS): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test needs npm for axe-core (the browser tests): install the Debian package npm (.ci/run does)." >&2; exit 2; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests never skip: without Chromium, make test stops here and names the package.
browser-tools: $(NODE_TOOLS)
	@test -x $(CHROMIUM) || { echo "make test runs the browser tests on Debian's Chromium, missing at $(CHROMIUM):" \
		"install the Debian package chromium (apt-get install --no-install-recommends chromium; .ci/run does)," \
		"or point CHROMIUM= at it." >&2; exit 2; }

messages: install
	DEV=1 $(PY) manage.py compile_translations

run: install messages
	$(EMBEDDED) $(PY) manage.py migrate --noinput
	$(EMBEDDED) $(RUN_BROKER) $(PY) manage.py seed_demo
	@echo "Serving the portal on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/$(or $(ADMIN_URL),admin/))"
	@echo "A worker with the timers (Celery beat) runs beside it; Ctrl-C stops both."
	$(EMBEDDED) $(RUN_BROKER) DEBUG=$(RUN_DEBUG) PORT=$(PORT) PORTAL_BASE_URL=$(BASE_URL) $(if $(TIMER_SECONDS),TIMER_SECONDS=$(TIMER_SECONDS)) WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=$(SERVE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES) \
		$(VENV)/bin/honcho start -f Procfile.run

lint: install
	$(PY) -m ruff check .

test: install messages browser-tools
	$(TESTING) $(PY) -m portal.preflight
	$(PY) -m ruff check .
	$(PY) -m bandit -q -r portal enterprises services talent notifications -x '*/migrations/*' --severity-level high
	$(TESTING) $(PY) manage.py check
	$(TESTING) $(PY) manage.py makemigrations --check --dry-run
	$(TESTING) $(PY) manage.py check_api_schema
	$(TESTING) CHROMIUM=$(CHROMIUM) $(PY) -m pytest -n 2 --durations=25

# The portal at district scale (bench/README.md): seeds 1,000,000 applications once (resumable), runs
# gunicorn on it and prints every figure against its target. BENCH_ARGS passes options (--parts api,growth).
# wrk drives the load when installed (apt-get install wrk), else a load generator in Python.
bench: install messages
	$(SERVICES) $(PY) bench/scale.py $(BENCH_ARGS)

# Regenerate the committed OpenAPI schema after changing the API (`make test` checks it).
# PostgreSQL settings, as in `make test`: integer ranges in the schema follow the database engine.
schema: install
	$(TESTING) $(PY) manage.py spectacular --validate --fail-on-warn --lang en --file portal/api/schema.yaml

serve: serve-secret-key install messages
	$(SERVICES) $(PY) -m portal.preflight
	$(PRODUCTION) $(PY) manage.py check --deploy
	$(PRODUCTION) $(PY) manage.py migrate --noinput
	@# Demo logins share a published password: loaded only when asked for (`make serve DEMO=1`).
	$(if $(filter 1,$(DEMO)),$(PRODUCTION) $(PY) manage.py seed_demo --allow-debug-off,@echo "No demo data loaded (make serve DEMO=1 loads it).")
	$(PRODUCTION) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PRODUCTION) CELERY_BROKER_URL=$(SERVE_BROKER_URL) PORT=$(PORT) PORTAL_BASE_URL=$(BASE_URL) \
		WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=$(SERVE_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES) $(VENV)/bin/honcho start -f Procfile

# Production settings have no key of their own: `make serve` takes SECRET_KEY and the keys of the
# personal data encrypted at rest (FIELD_ENCRYPTION_KEY, FIELD_LOOKUP_KEY) from the environment.
serve-secret-key:
	@test -n "$$SECRET_KEY" || { echo "make serve runs the production settings and needs SECRET_KEY:" \
		"export SECRET_KEY=\$$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" >&2; exit 2; }
	@test -n "$$FIELD_ENCRYPTION_KEY" || { echo "make serve runs the production settings and needs FIELD_ENCRYPTION_KEY:" \
		"export FIELD_ENCRYPTION_KEY=k1:\$$(python3 -c 'import secrets; print(secrets.token_hex(16))')" >&2; exit 2; }
	@test -n "$$FIELD_LOOKUP_KEY" || { echo "make serve runs the production settings and needs FIELD_LOOKUP_KEY:" \
		"export FIELD_LOOKUP_KEY=\$$(python3 -c 'import secrets; print(secrets.token_hex(32))')" >&2; exit 2; }

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm var staticfiles .pytest_cache node_modules test-artifacts
