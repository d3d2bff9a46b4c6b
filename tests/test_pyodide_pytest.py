"""The NumPy and exercise test files pass inside Pyodide, as the browser's Run buttons run the package.

Claim: the repository's own test files for the NumPy half and the exercise checkers (:data:`FILES`), run by
pytest inside Pyodide 0.27.7 in a Web Worker of headless Chromium, with the NumPy 2.0.2 wasm wheel the book
serves and no torch, all pass, or skip for a stated reason that the browser cannot meet (a forked child,
the torch half), or for a reason that holds on every machine. Every file is collected, and no test fails.

The page and its worker are ``tests/pyodide/``; they are served from a temporary folder on a local HTTP
server with the book's pinned Pyodide files (``make pyodide``), the pinned pytest wheels
(``make pyodide-pytest``, which ``make test`` runs), the package's Python files, these test files and the
text of the book's notebooks (their outputs left out). It takes about 20 s. Without Chromium or the pinned
files the tests skip, except under ``LSTM_COURSE_REQUIRE_BROWSER=1`` (``.ci/run``), where that fails.

Found by running them there: ``np.bincount`` refuses int64 ids where a pointer is 32 bits (wasm32), which
broke the bigram baseline of ``lstm_course.data.corpus`` and the sampling checker in the browser.
"""

import json
import os
import pathlib
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ElementTree
import zipfile

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from local_server import serve  # noqa: E402
from test_browser import CHROMEDRIVER, CHROMIUM, load_browser_run, new_driver  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
browser_run = load_browser_run()

#: The test files run in Pyodide: every exercise test file, and those of the NumPy half that need neither torch,
#: SciPy, num2words nor a second process (their torch tests skip there, as they do wherever torch is missing).
FILES = sorted(p.name for p in TESTS.glob("test_exercises_*.py")) + [
    "test_beam_trace.py", "test_checker_isolation.py", "test_conditioned_data.py", "test_ngram.py",
    "test_notation.py", "test_optim.py", "test_padding.py", "test_rnn_gradients.py", "test_sampling.py",
    "test_staged_hints.py", "test_tree_and_sampling_checks.py",
]
#: What the files import besides themselves and lstm_course.
HELPERS = ["conftest.py", "cli_helpers.py"]
#: The reasons a test may skip in Pyodide: what the browser cannot do, or what is not copied over.
SKIP_REASONS = re.compile(r"torch|os\.fork|forked child|CUDA|no module-level zoo|no interval timers")
MINUTES = 10  # the whole run's limit: it takes about 20 s here, far longer on a loaded 2-core machine


def _unavailable():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        return f"no Chromium here ({CHROMIUM}, {CHROMEDRIVER}); `apt-get install chromium chromium-driver`"
    reason = browser_run.check(browser_run.cache_folder())
    if reason:
        return f"the pinned Pyodide files are not fetched ({reason}); `make pyodide`"
    reason = browser_run.check_pytest(browser_run.pytest_folder())
    if reason:
        return f"the pinned pytest wheels are not fetched ({reason}); `make pyodide-pytest`"
    return None


def _served_folder(folder, files):
    (folder / "pyodide").mkdir(parents=True)
    for name in browser_run.PINNED:
        shutil.copyfile(browser_run.cache_folder() / name, folder / "pyodide" / name)
    assert browser_run.check(folder / "pyodide") is None, "what is served is what was checked"
    shutil.copytree(browser_run.pytest_folder(), folder / "wheels")
    assert browser_run.check_pytest(folder / "wheels") is None
    browser_run.package_zip(folder / "lstm_course.zip")
    with zipfile.ZipFile(folder / "tests.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for name in HELPERS + list(files):
            archive.write(TESTS / name, f"tests/{name}")
        archive.write(ROOT / "pyproject.toml", "pyproject.toml")  # pytest's settings, as in the checkout
        for notebook in sorted((ROOT / "book").glob("[0-9]*.ipynb")):  # their text, for tests that quote it
            cells = [{**cell, "outputs": []} if cell["cell_type"] == "code" else cell
                     for cell in json.loads(notebook.read_text())["cells"]]
            archive.writestr(f"book/{notebook.name}", json.dumps({"cells": cells, "metadata": {},
                                                                   "nbformat": 4, "nbformat_minor": 5}))
    for name in ("pytest.html", "pytest_worker.js"):
        shutil.copyfile(TESTS / "pyodide" / name, folder / name)


def run_in_pyodide(folder, files, extra=(), minutes=MINUTES):
    """Run pytest on ``files`` (names in tests/) inside Pyodide in headless Chromium; the worker's result.

    Returns a dict: ``type`` ("done" or "failed"), ``status`` (pytest's exit status), ``output`` (what pytest
    printed), ``junit`` (its JUnit XML report), and ``asked`` (every path the local server was asked for).
    """
    _served_folder(folder, files)
    driver = new_driver()
    try:
        with serve(folder) as (base, asked):
            driver.get(base + "pytest.html")
            args = ["-q", "-p", "no:cacheprovider", "-p", "no:faulthandler", "--capture=sys", "-rs",
                    "--junitxml=/home/pyodide/junit.xml", "-o", "addopts=", *extra,
                    *[f"tests/{name}" for name in files]]
            driver.execute_script("window.lstmCoursePytest(arguments[0], arguments[1])", args,
                                  sorted(browser_run.PYTEST_WHEELS))
            deadline = time.monotonic() + 60 * minutes
            result = None
            while result is None and time.monotonic() < deadline:
                time.sleep(1)
                result = driver.execute_script("return window.lstmCoursePytestResult || null")
            if result is None:
                output = driver.execute_script("return document.getElementById('log').textContent")
                result = {"type": "timeout", "output": output}
    finally:
        driver.quit()
    result["asked"] = asked
    return result


def _cases(junit):
    """``(file, name, outcome, message)`` for every test case of a JUnit XML report."""
    cases = []
    for case in ElementTree.fromstring(junit).iter("testcase"):
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome, message = child.tag, child.get("message") or ""
        where = (case.get("classname") or case.get("name") or "").split(".")  # tests.test_x, or a file that failed
        cases.append((where[1 if where[0] == "tests" and len(where) > 1 else 0].split("/")[-1].removesuffix(".py")
                      + ".py", case.get("name"), outcome, message))
    return cases


@pytest.fixture(scope="module")
def pyodide_run(tmp_path_factory):
    reason = _unavailable()
    if reason:
        if os.environ.get("LSTM_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (required here: LSTM_COURSE_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    return run_in_pyodide(tmp_path_factory.mktemp("pyodide"), FILES)


def test_the_numpy_and_exercise_test_files_pass_inside_pyodide(pyodide_run):
    result = pyodide_run
    assert result["type"] == "done", f"{result['type']}: {result.get('text', '')}\n{result['output'][-3000:]}"
    cases = _cases(result["junit"])
    failed = [f"{file}::{name}: {message}" for file, name, outcome, message in cases
              if outcome in ("failure", "error")]
    assert not failed and result["status"] == 0, "\n".join(failed) + "\n" + result["output"][-3000:]
    assert {file for file, *_ in cases} == set(FILES), "every file is collected and runs"
    passed = sum(outcome == "passed" for *_, outcome, _ in cases)
    assert passed >= 0.8 * len(cases), f"only {passed} of {len(cases)} ran in Pyodide"


def test_a_test_skips_in_pyodide_only_for_what_the_browser_cannot_do(pyodide_run):
    skipped = {f"{file}::{name}: {message}" for file, name, outcome, message in _cases(pyodide_run["junit"])
               if outcome == "skipped" and not SKIP_REASONS.search(message)}
    assert not skipped, "\n".join(sorted(skipped))


def test_the_run_in_pyodide_fetches_nothing_but_its_own_files(pyodide_run):
    served = {"/pytest.html", "/pytest_worker.js", "/lstm_course.zip", "/tests.zip", "/favicon.ico"}
    served |= {f"/pyodide/{name}" for name in browser_run.PINNED} | {f"/wheels/{name}" for name in browser_run.PYTEST_WHEELS}
    asked = set(pyodide_run["asked"])
    assert asked and asked <= served, sorted(asked - served)


def test_a_pytest_wheel_that_does_not_match_its_pin_is_not_kept(tmp_path):
    target = tmp_path / "cache" / "pytest"
    fake_python = tmp_path / "python"  # a "pip download" that writes every wheel, one of them wrong
    names = " ".join(browser_run.PYTEST_WHEELS)
    fake_python.write_text("#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --dest ] && d=$2; shift; done\n"
                           f"for n in {names}; do echo not-a-wheel > \"$d/$n\"; done\n")
    fake_python.chmod(0o755)
    with pytest.raises(RuntimeError, match="does not match its pinned sha256"):
        browser_run.fetch_pytest(target, python=str(fake_python))
    assert not target.exists() and not list(target.parent.iterdir())
