"""The built book loads nothing from other hosts, and typesets math with the bundled MathJax."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PAGES = sorted(HTML.rglob("*.html")) if HTML.exists() else []
# a script, stylesheet, image or iframe whose source is on another host
REMOTE = re.compile(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)=[\"'](https?:)?//", re.I)

pytestmark = pytest.mark.skipif(not PAGES, reason="no built book: run `make book` (make test does)")


def test_no_page_loads_anything_from_another_host():
    offenders = []
    for page in PAGES:
        for match in REMOTE.finditer(page.read_text(encoding="utf-8")):
            tag = page.read_text(encoding="utf-8")[match.start():match.start() + 160]
            if match.group(1).lower() == "link" and not re.search(r"rel=[\"'](stylesheet|icon|preload)", tag):
                continue  # a plain hyperlink-like <link rel="canonical"> loads nothing
            offenders.append(f"{page.relative_to(HTML)}: {tag}")
    assert not offenders, "\n".join(offenders[:10])


def test_mathjax_is_bundled_and_used():
    assert (HTML / "_static" / "mathjax" / "tex-chtml.js").exists()
    chapter = (HTML / "book" / "03_basic_rnn.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in chapter


@pytest.mark.parametrize("chapter", ["01_sequence_tasks", "02_notation", "03_basic_rnn", "04_stacked_rnn", "05_bidirectional_rnn",
                                     "06_vanishing_gradients", "07_lstm_cell", "08_training_lstm", "09_reproducing_1997",
                                     "10_generative_models"])
def test_chapter_is_in_the_built_book(chapter):
    assert (HTML / "book" / f"{chapter}.html").exists()
