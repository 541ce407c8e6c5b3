# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
export PUBLIC_URL ?= http://$(HOST):$(PORT)

.PHONY: run test test-browser db setup lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

db: setup
	$(BIN)/flask --app wsgi migrate
	$(BIN)/flask --app wsgi seed-demo --if-empty

run: db
	@$(BIN)/flask --app wsgi urls
	$(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/pytest -m "not browser"

test-browser: setup
	$(BIN)/pytest -m browser

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance .pytest_cache
