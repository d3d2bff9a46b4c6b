# `make book` and `make test` do all the set-up they need on a fresh machine.
# They use the active environment (venv or conda) if there is one; otherwise they create .venv.
SHELL := /bin/bash
.DEFAULT_GOAL := help

ifneq ($(strip $(VIRTUAL_ENV)$(CONDA_PREFIX)),)
ENV_PREFIX := $(or $(VIRTUAL_ENV),$(CONDA_PREFIX))
BIN :=
PYTHON := python
else
ENV_PREFIX := .venv
BIN := .venv/bin/
PYTHON := .venv/bin/python
endif
STAMP := $(ENV_PREFIX)/.lstm-course-installed
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600

.PHONY: help setup book test test-fast notebooks clean

help:
	@echo "make book        build the HTML book into _build/html (warnings are errors)"
	@echo "make test        build the book, then run every test: package, nbval over every notebook, built book"
	@echo "make test-fast   package tests only"
	@echo "make notebooks   re-execute every notebook in place (after changing code or text)"
	@echo "Environment: $(ENV_PREFIX)"

.venv/bin/python:
	python3 -m venv .venv

$(STAMP): requirements.txt pyproject.toml | $(if $(BIN),.venv/bin/python)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

book: $(STAMP)
	$(BIN)jupyter-book build . --all -W -n --keep-going

test: book
	$(PYTHON) -m pytest tests book $(NBVAL)

test-fast: $(STAMP)
	$(PYTHON) -m pytest tests

notebooks: $(STAMP)
	for nb in book/*.ipynb; do $(BIN)jupyter execute --inplace "$$nb" || exit 1; done

clean:
	rm -rf _build
