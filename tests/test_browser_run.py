"""The Run buttons (book/_ext/browser_run.py): exercise cells run in the reader's browser, offline, in Pyodide.

Claims, on the built book served from a local HTTP server and opened in headless Chromium:

- an exercise's Run button loads Python, runs the reader's wrong answer, and shows the checker's diagnosis;
- every solution of every chapter that has a button passes its checker in the browser, as it does in Python;
- an endless loop is stopped within the limit, and the page stays usable: the next run works;
- no request leaves the local server, from the page or from the worker that runs Python;
- opened from a file, the page says how to serve the book instead of offering buttons that cannot work.

And, without a browser: the build refuses a missing or changed pinned file, says so in one line and turns
the buttons off; a download that does not match its pin is not kept.

Uses the ``browser`` fixture and helpers of ``tests/test_browser.py`` (same skip rules). Where the book was
built without the buttons (the pinned files could not be fetched), the browser tests are skipped with that
build's one-line reason, except under ``LSTM_COURSE_REQUIRE_BROWSER=1`` (``.ci/run``), where that fails.
"""

import json
import os
import pathlib
import re
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from local_server import serve  # noqa: E402
from test_browser import HTML, _pages, browser, load_browser_run, wait_until_ready  # noqa: E402,F401

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
browser_run = load_browser_run()

LIMIT = 10  # seconds: the page's limit on one run (browser_run.config_script)
START_SECONDS = 120  # Pyodide's start on a loaded 2-core machine: a few seconds, rarely much more


def _config():
    path = HTML / "_static" / "browser_run_config.js"
    if not path.is_file():
        return None
    return json.loads(path.read_text().split("=", 1)[1].strip().rstrip(";"))


@pytest.fixture(scope="module")
def served():
    """The built book on a local HTTP server: its address, and the list of paths the server was asked for."""
    config = _config()
    if config is None or not config["available"]:
        reason = (config or {}).get("reason") or "the book is not built"
        message = f"the book was built without Run buttons ({reason}); `make pyodide`, then `make book`"
        if os.environ.get("LSTM_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " (required here: LSTM_COURSE_REQUIRE_BROWSER=1)")
        pytest.skip(message)
    with serve(HTML) as (base, asked):
        yield base, asked


def _open_served(driver, base, page):
    driver.get_log("browser")
    driver.get(base + page)
    wait_until_ready(driver, page)


RUN = """
const [index, code, seconds, done] = arguments;
const cell = document.querySelector(`.cell[data-browser-run="${index}"]`);
const bar = cell.querySelector(".browser-run");
if (bar) bar.querySelector("button").click();
const editor = cell.querySelector(".browser-run-editor");
if (code !== null) editor.value = code;
const button = cell.querySelector(".browser-run-button");
const started = performance.now();
button.click();
const poll = setInterval(() => {
  if (!button.disabled || performance.now() - started > seconds * 1000) {
    clearInterval(poll);
    done({output: cell.querySelector(".browser-run-output").textContent,
          status: cell.querySelector(".browser-run-status").textContent,
          seconds: (performance.now() - started) / 1000, finished: !button.disabled});
  }
}, 50);
"""


def _run(driver, index, code=None, seconds=START_SECONDS):
    driver.set_script_timeout(seconds + 30)
    return driver.execute_async_script(RUN, index, code, seconds)


def _cells(driver):
    return driver.execute_script("""
return Array.from(document.querySelectorAll(".cell[data-browser-run]")).map(cell => {
  return {solution: !!cell.closest(".solution"), code: cell.querySelector(".cell_input pre").textContent,
          exercise: (cell.closest(".exercise, .solution") || {}).id || ""};
});""")


WRONG_NO_BIAS = '''from lstm_course.exercises import check_rnn_step


def my_rnn_step(x_t, h_prev, p):
    return np.tanh(x_t @ p["W_xh"].T + h_prev @ p["W_hh"].T)


ok = check_rnn_step(my_rnn_step)
print("ok:", ok)
'''


def test_a_wrong_answer_gets_the_checkers_diagnosis_in_the_browser(browser, served):
    base, _ = served
    _open_served(browser, base, "book/03_basic_rnn.html")
    cells = _cells(browser)
    first = next(i for i, cell in enumerate(cells) if "check_rnn_step(" in cell["code"] and not cell["solution"])
    result = _run(browser, first)
    assert result["finished"], result
    assert "not attempted yet" in result["output"], result["output"]
    result = _run(browser, first, WRONG_NO_BIAS)
    assert result["finished"] and result["status"] == "Done.", result
    assert "bias" in result["output"] and "ok: False" in result["output"], result["output"]
    console = [e["message"] for e in browser.get_log("browser")
               if e["level"] == "SEVERE" and "/favicon.ico " not in e["message"]]  # the server's 404, not the book's
    assert not console, console


def test_an_endless_loop_is_stopped_within_the_limit_and_the_page_stays_usable(browser, served):
    base, _ = served
    _open_served(browser, base, "book/03_basic_rnn.html")
    cells = _cells(browser)
    first = next(i for i, cell in enumerate(cells) if "check_rnn_step(" in cell["code"] and not cell["solution"])
    assert _run(browser, first, "x = 1")["finished"]  # Python is loaded: the limit counts the run alone
    result = _run(browser, first, "while True:\n    pass\n", seconds=LIMIT + 20)
    assert result["finished"], f"still running after {result['seconds']:.0f} s"
    assert LIMIT <= result["seconds"] <= LIMIT + 5, result
    assert f"Stopped after {LIMIT} s" in result["status"], result
    solution = next(i for i, cell in enumerate(cells) if "check_rnn_step(" in cell["code"] and cell["solution"])
    result = _run(browser, solution, cells[solution]["code"] + '\nprint("ok:", ok)')
    assert "ok: True" in result["output"], result


def _chapters():
    return [p for p in _pages() if p.startswith("book/") and p[5:7].isdigit()] or ["(book not built)"]


@pytest.mark.parametrize("page", _chapters())
def test_every_cell_the_build_chose_has_its_button_and_no_other(browser, served, page):
    base, _ = served
    _open_served(browser, base, page)
    runnable = [code for code, reason in browser_run.runnable_cells(BOOK / page[5:].replace(".html", ".ipynb"))
                if reason is None]
    assert len(_cells(browser)) == len(runnable)


RESET = """
try:
    _BASE
except NameError:
    _BASE = dict(globals())  # what the worker defines before any run: np, rng, the checkers
for _name in [name for name in globals() if name not in _BASE and name != "_BASE"]:
    del globals()[_name]
globals().update(_BASE)  # a base name rebound by an earlier chapter gets its value back
rng = np.random.default_rng(0)  # and a fresh generator, as a new page has
"""


def test_every_solution_passes_its_checker_in_the_browser(browser, served):
    """Each chapter's solutions, run after that chapter's imports in a namespace reset to the worker's start
    (names added by another chapter removed, base names and ``rng`` restored). One worker runs them all, starting
    Python once rather than once per page; what an earlier chapter did to a module's state is not undone."""
    base, _ = served
    pages = [p for p in _chapters() if p != "(book not built)"]
    solutions = {}
    for page in pages:
        _open_served(browser, base, page)
        meta = json.loads(browser.execute_script(
            'return document.querySelector(\'meta[name="lstm-course-run"]\').content'))
        solutions[page] = (meta["imports"], [cell for cell in _cells(browser)
                                             if cell["solution"] and "ok = check" in cell["code"]])
    assert sum(len(cells) for _, cells in solutions.values()) >= 40, "the book's solutions are found"
    _open_served(browser, base, pages[0])
    failures = []
    for page, (imports, cells) in solutions.items():
        prefix = RESET + "".join(f"try:\n    {statement}\nexcept Exception:\n    pass\n"  # as the worker does
                                 for statement in imports)
        for cell in cells:
            result = _run(browser, 0, prefix + cell["code"] + '\nprint("ok:", ok)')
            if not (result["finished"] and "ok: True" in result["output"]):
                failures.append(f"{page} {cell['exercise']}: {result['status']} {result['output'][-600:]}")
    assert not failures, "\n".join(failures)


def test_no_request_leaves_the_local_server(browser, served):
    base, asked = served
    browser.get_log("performance")
    _open_served(browser, base, "book/07_lstm_cell.html")
    assert _run(browser, 0, "import lstm_course.exercises\nprint('loaded')")["finished"]
    browser.execute_script("window.lstmCourseAskWorkerResources()")
    deadline = time.monotonic() + 30
    worker = None
    while worker is None and time.monotonic() < deadline:
        worker = browser.execute_script("return window.lstmCourseWorkerResources || null")
        time.sleep(0.1)
    assert worker, "the worker did not list what it fetched"
    page = [json.loads(e["message"])["message"]["params"]["request"]["url"] for e in browser.get_log("performance")
            if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"]
    elsewhere = [url for url in page + worker if not url.startswith((base, "data:", "blob:", "about:"))]
    assert not elsewhere, elsewhere
    for name in ("pyodide.asm.wasm", "python_stdlib.zip", browser_run.NUMPY_WHEEL, "lstm_course.zip"):
        assert any(path.endswith(f"/_static/pyodide/{name}") for path in asked), f"{name} was not served"


def test_a_page_opened_from_a_file_says_how_to_serve_the_book(browser, served):
    browser.get((HTML / "book" / "03_basic_rnn.html").as_uri())
    wait_until_ready(browser, "book/03_basic_rnn.html")
    notes = browser.execute_script(
        "return Array.from(document.querySelectorAll('.browser-run')).map(bar => bar.textContent)")
    assert len(notes) == 1 and "http.server" in notes[0], notes
    assert not browser.execute_script("return document.querySelectorAll('.browser-run button').length")


def test_torch_cells_get_no_button(browser, served):
    base, _ = served
    _open_served(browser, base, "book/10_generative_models.html")
    assert not [cell for cell in _cells(browser) if re.search(r"\btorch\b", cell["code"])]


def test_a_cell_that_needs_torch_or_the_chapters_values_gets_no_button():
    reasons = {code.split("\n")[0]: reason for code, reason in browser_run.runnable_cells(BOOK / "10_generative_models.ipynb")}
    assert reasons["def my_tbptt_step(model, chunk, state):"] == "uses torch, which does not run in the browser"
    starters = [reason for code, reason in browser_run.runnable_cells(BOOK / "10_generative_models.ipynb")
                if "ok = check_tbptt" in code and "torch" not in code]
    assert starters and all("needs torch" in reason for reason in starters), (
        "a starter cell whose checker needs torch gets no button, even when the cell itself names no torch")
    assert not [code for code, reason in browser_run.runnable_cells(BOOK / "18_variants.ipynb")
                if reason is None and "torch_impl" in code]
    decoding = [reason for _, reason in browser_run.runnable_cells(BOOK / "12_decoding.ipynb") if reason]
    assert any(reason.startswith("reads ") and "table" in reason for reason in decoding), decoding
    every = [reason for notebook in sorted(BOOK.glob("[0-9]*.ipynb")) for _, reason in browser_run.runnable_cells(notebook)]
    assert sum(reason is None for reason in every) >= 0.8 * len(every), "most exercise cells run in the browser"


# --- the build's side, no browser needed -----------------------------------------------------------------

def test_the_checkers_that_need_torch_are_exactly_those_that_import_it():
    import inspect

    from lstm_course import exercises

    importing = {name for name in exercises.__all__ if callable(getattr(exercises, name))
                 and "import torch" in inspect.getsource(inspect.unwrap(getattr(exercises, name)))}
    assert importing == exercises.NEEDS_TORCH


def test_every_module_that_needs_torch_or_matplotlib_is_left_out_of_the_browser():
    import pkgutil
    import subprocess

    import lstm_course

    modules = sorted(m.name for m in pkgutil.walk_packages(lstm_course.__path__, "lstm_course.")
                     if not m.name.endswith("__main__"))
    probe = ("import importlib, json, sys\n"
             "for name in ('torch', 'matplotlib', 'scipy', 'IPython'): sys.modules[name] = None\n"
             "failed = []\n"
             f"for m in {modules!r}:\n"
             "    try:\n        importlib.import_module(m)\n"
             "    except ImportError:\n        failed.append(m)\n"
             "print(json.dumps(failed))")
    failed = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                                       check=True, cwd=ROOT).stdout)
    assert failed and set(failed) <= {m for m in modules if not browser_run._in_browser(m)}, (
        "every module that cannot import without torch or matplotlib is left out (some that could are too)")

def _copy_pinned(tmp_path):
    folder = tmp_path / "files"
    source = browser_run.cache_folder()
    if browser_run.check(source) is not None:
        pytest.skip(f"the pinned Pyodide files are not fetched ({browser_run.check(source)}); `make pyodide`")
    folder.mkdir()
    for name in browser_run.PINNED:
        (folder / name).write_bytes((source / name).read_bytes())
    return folder


def test_a_missing_or_changed_file_turns_the_buttons_off_with_one_line(tmp_path):
    folder = _copy_pinned(tmp_path)
    assert browser_run.check(folder) is None
    (folder / "pyodide.asm.wasm").write_bytes(b"\0asm")
    reason = browser_run.check(folder)
    assert "pyodide.asm.wasm does not match its pinned sha256" in reason and "\n" not in reason
    (folder / "pyodide.asm.wasm").write_bytes((browser_run.cache_folder() / "pyodide.asm.wasm").read_bytes())
    (folder / browser_run.NUMPY_WHEEL).unlink()
    assert browser_run.check(folder).startswith(f"{browser_run.NUMPY_WHEEL} is not in")
    config = json.loads(browser_run.config_script(reason).split("=", 1)[1].strip().rstrip(";"))
    assert config == {"available": False, "reason": reason, "pyodide": "0.27.7", "numpy": "2.0.2",
                      "limitSeconds": LIMIT}


def test_a_download_that_does_not_match_its_pin_is_not_kept(tmp_path, monkeypatch):
    target = tmp_path / "cache" / "pyodide"
    fake_npm = tmp_path / "npm"
    fake_npm.write_text("#!/bin/sh\nfor a; do last=$a; done\n"
                        "while [ $# -gt 0 ]; do [ \"$1\" = --pack-destination ] && d=$2; shift; done\n"
                        f"echo not-a-tarball > \"$d/{browser_run.NPM_TARBALL}\"\n")
    fake_npm.chmod(0o755)
    with pytest.raises(RuntimeError, match="does not match its pinned sha256"):
        browser_run.fetch(target, npm=str(fake_npm))
    assert not target.exists() and not list(target.parent.iterdir())


def test_a_missing_client_is_one_line(tmp_path):
    with pytest.raises(RuntimeError, match=r"^`.*npm-that-is-not-there pack` could not run"):
        browser_run.fetch(tmp_path / "pyodide", npm=str(tmp_path / "npm-that-is-not-there"))
