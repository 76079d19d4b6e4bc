# minxu: `make run` serves the demo, `make test` runs the suite, `make bench` measures.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app

.PHONY: run serve test bench setup install translations messages clean

# The hard CPU stop (app/engine/hardstop.py) ends the server with SIGPROF (exit status 128+27): start it
# again then; any other end (Ctrl-C, an error) stops here.
run: setup
	while :; do $(FLASK) run --host 127.0.0.1 --port $(PORT) --with-threads; status=$$?; \
	  [ $$status -eq 155 ] || exit $$status; echo "server ended by the hard CPU-time stop; restarting" >&2; done

# Production: APP_ENV=production, a SECRET_KEY, an AUDIT_KEY and DATABASE_URL (PostgreSQL) in the environment.
# gunicorn serves with $(WORKERS) processes (default: one per core, which measured fastest); one timer
# worker runs beside it (add more on other hosts).
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
BIND ?= 0.0.0.0:8000
serve: install translations
	APP_ENV=production $(FLASK) setup --no-demo
	APP_ENV=production $(FLASK) worker & timers=$$!; trap 'kill $$timers 2>/dev/null' EXIT INT TERM; \
	APP_ENV=production $(BIN)/gunicorn --workers $(WORKERS) --bind $(BIND) --access-logfile - 'app:create_app()'

setup: install translations
	mkdir -p instance
	$(FLASK) setup

test: install translations
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install translations
	$(BIN)/python -m bench

install: $(VENV)/.installed node_modules/.installed

# bpmn-js and dmn-js for the process designer, exactly as package-lock.json pins them.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Reinstall only when the pinned dependencies change.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

translations: $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@

clean:
	rm -rf $(VENV) node_modules instance/minxu.db*

# Refresh the zh_CN catalogue after changing user-visible strings.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k lazy_gettext -k NotShown -k Text -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations
