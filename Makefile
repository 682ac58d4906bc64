# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# A local, plain-HTTP demo: DEBUG stays off, with a secret key generated once for this checkout.
RUN_ENV = DJANGO_SECRET_KEY="$$(cat .secret_key)" DJANGO_HTTPS=0 DJANGO_ALLOWED_HOSTS=$(HOST),localhost \
	DJANGO_BACKUP_DIR=backups DJANGO_BACKUP_KEY="$$(cat .secret_key)"

.PHONY: run test test-fast system-packages lock wheelhouse lint format migrations-check venv clean

# Every package, direct and indirect, from the lock files with their hashes (requirements*.txt are what we ask
# for; `make lock` resolves them again): two installs a month apart get the same bytes.
$(STAMP): requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(STAMP)

# The lock files again from requirements*.txt (pip-tools in a venv of its own); no local index reaches them.
lock:
	test -x .piptools/bin/pip-compile || ($(PYTHON) -m venv .piptools && .piptools/bin/pip install --quiet pip-tools)
	for f in requirements requirements-dev; do \
	  .piptools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	    --no-emit-index-url --no-emit-find-links -o $$f.lock $$f.txt; done

# For an intranet with no package index: a folder of every runtime package, installed there with
#   python3 -m venv .venv && .venv/bin/pip install --no-index --find-links wheelhouse/ --require-hashes -r requirements.lock
wheelhouse: requirements.lock
	$(PYTHON) -m pip download --quiet --require-hashes -r requirements.lock -d wheelhouse

venv: $(STAMP)

.secret_key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > .secret_key

run: $(STAMP) .secret_key
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py createcachetable
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py load_demo
	@echo ""
	@echo "昆山信用体系建设门户: http://$(HOST):$(PORT)/   （最新一期：http://$(HOST):$(PORT)/bulletins/2019/11/）"
	@echo "按 Ctrl+C 停止。"
	@# The scheduled jobs (kunshan_credit/jobs.py) beside the server, as cron/systemd run them in production;
	@# stopped with the server (Ctrl+C or make's end).
	$(RUN_ENV) $(PY) manage.py run_jobs & jobs=$$!; \
	trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The Debian packages the browser and PDF tests need: installed when run as root, else the command is printed.
system-packages:
	@.ci/system-packages

test: $(STAMP) system-packages
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser"

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: $(STAMP)
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles backups .pytest_cache .ruff_cache
