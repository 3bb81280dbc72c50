# The two commands of README.md: `make run` and `make test`. Both install into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
# Exported: app/config.py takes PUBLIC_URL's development default (QR codes, e-mail links) from them.
export HOST PORT
export FLASK_APP := wsgi.py
# Demo only: the passphrase of the demo CA's key files (seed-demo); never on a real deployment.
run worker: export MOTCUA_DEMO_SIGNING_PASSPHRASE ?= demo-only-passphrase

# The English catalogue (app/i18n.py): msgids are the Vietnamese text. Besides gettext's own
# names, the services' refusals are extracted by their first argument (their messages are
# translated where they are shown) and N_ marks other Vietnamese constants.
CATALOGUE := app/translations
POT ?= $(CATALOGUE)/messages.pot
I18N_KEYWORDS := -k _l -k N_ -k msg -k ServiceError -k DossierError -k AccountError -k CalendarError -k VerifyError \
	-k SigningConfigError -k BadInput -k on:2 -k LinkError -k TokenError -k StaffError -k FeedbackServiceError \
	-k StoreError -k AgencyError -k ProcedureAdminError -k FeedbackError -k SessionError
MO := $(CATALOGUE)/en/LC_MESSAGES/messages.mo

.PHONY: install run test bench worker i18n pot

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The compiled catalogue is made from the .po, not committed.
$(MO): $(CATALOGUE)/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -d $(CATALOGUE) -D messages

install: $(STAMP) $(MO)

# Extract every msgid of the tree (tests/test_i18n.py checks the catalogue against it).
pot:
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
		--project "Mot cua" -o $(POT) .

# Extract, merge new msgids into en/messages.po (existing translations are kept; new ones are
# empty, and the check test fails until they are translated), compile.
i18n: pot
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i $(POT) -d $(CATALOGUE) -D messages -l en
	rm -f $(POT)
	$(BIN)/pybabel compile --statistics -d $(CATALOGUE) -D messages

# axe-core for the browser tests (package.json, pinned in package-lock.json): `npm ci` again
# only when the lock file is newer than the last install.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Lint first (ruff.toml: pyflakes, pycodestyle at 120, import order, bugbear, pyupgrade).
# pytest exits 5 when it collected no test: say so plainly instead of failing as make's 2.
test: install node_modules/.installed
	$(BIN)/ruff check .
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest: no tests were collected"; exit 0; fi; exit $$status

bench: install
	$(BIN)/python -m bench.catalogue
	$(BIN)/python -m bench.dashboard
	$(BIN)/python -m bench.http

worker: install
	$(BIN)/flask worker
