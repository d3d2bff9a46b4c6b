"""The PDF edition (``make pdf``), read from what LaTeX left in ``_build/latex``.

Claims: the whole book is one PDF of several hundred pages; xelatex found a glyph for every character (the
code's ⊙ and σ included: DejaVu Sans Mono); no reference or citation is undefined or defined twice; no line
sticks out of the text block by more than ``OVERFULL_PT`` (code and outputs wrap: ``verbatimforcewraps``);
every exercise's solution is in the appendix, none in the chapters. And the web page's own print button
prints code wrapped, with nothing clipped behind a scrollbar.

``make pdf`` builds the PDF and runs this file with ``LSTM_COURSE_REQUIRE_PDF=1``; in ``make test`` the
PDF checks skip, saying so, where no PDF was built. ``.ci/run`` runs ``make pdf`` after ``make test``.
"""

import os
import pathlib
import re
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from test_browser import DESKTOP, HTML, _pages, browser, page_facts, page_script  # noqa: E402,F401

LATEX = pathlib.Path(__file__).resolve().parents[1] / "_build" / "latex"
OVERFULL_PT = 40  # the widest today is 36.5 pt, an index entry of the API pages; a clipped code line is wider


@pytest.fixture(scope="module")
def latex():
    log, tex = LATEX / "lstm-course.log", LATEX / "lstm-course.tex"
    if not (log.is_file() and tex.is_file() and (LATEX / "lstm-course.pdf").is_file()):
        message = "no PDF is built: `make pdf` builds it and runs these checks"
        if os.environ.get("LSTM_COURSE_REQUIRE_PDF") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return log.read_text(errors="replace"), tex.read_text()


def test_the_whole_book_is_one_pdf(latex):
    log, _ = latex
    pages = re.search(r"Output written on lstm-course\.pdf \((\d+) pages", log)
    assert pages and int(pages.group(1)) > 300, "the PDF has every chapter, the API reference and the appendix"


def test_every_character_has_a_glyph(latex):
    log, _ = latex
    missing = sorted(set(re.findall(r"Missing character: There is no (.+?) in font (\S+)", log)))
    assert not missing, missing


def test_no_reference_or_citation_is_undefined_or_defined_twice(latex):
    log, _ = latex
    bad = [line for line in log.splitlines()
           if re.search(r"(Reference|Citation|Label) .* (undefined|multiply defined)|There were undefined", line)]
    assert not bad, bad


def test_no_line_sticks_out_of_the_text_block(latex):
    log, _ = latex
    widths = [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]
    assert max(widths, default=0) <= OVERFULL_PT, sorted(widths)[-5:]


def test_every_solution_is_in_the_appendix(latex):
    _, tex = latex
    chapters, _, appendix = tex.partition("\\appendix\n\\chapter{Solutions to the exercises}")
    assert appendix, "the appendix is there"
    exercises = len(re.findall(r"\\begin\{sphinxadmonition\}\{note\}\{Exercise ", chapters))
    moved = re.findall(r"\\begin\{sphinxadmonition\}\{note\}\{Solution to Exercise (\d+(?:\.\d+)*)", appendix)
    assert not re.search(r"\\begin\{sphinxadmonition\}\{note\}\{Solution", chapters)
    pointers = chapters.count("Its solution is in the appendix")
    assert moved and len(moved) == pointers <= exercises, "each solution moved, a pointer left in its place"


PRINTED = """
const clipped = [];
for (const el of document.querySelectorAll(".bd-article pre, .bd-article .highlight, .bd-article .cell_output")) {
  if (el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1) {
    clipped.push(`${el.tagName.toLowerCase()}: ${el.scrollWidth} px in ${el.clientWidth} px: ` +
                 el.textContent.trim().split("\\n")[0].slice(0, 60));
  }
}
return clipped;
"""


CHAPTERS = [p for p in _pages() if p.startswith("book/") and p[5:7].isdigit()] or ["(book not built)"]


@pytest.mark.parametrize("page", CHAPTERS)
def test_the_page_prints_its_code_wrapped_with_nothing_clipped(browser, page):
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 794, "height": 1123, "deviceScaleFactor": 1, "mobile": False})  # A4
    try:
        browser.get((HTML / page).as_uri())
        clipped = browser.execute_script(PRINTED)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not clipped, clipped
