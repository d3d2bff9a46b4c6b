"""The built book loads nothing from other hosts, and typesets math with the bundled MathJax."""

import html.parser
import pathlib
import re
import urllib.parse

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


class _Links(html.parser.HTMLParser):
    """Collects a page's ids and the targets of its links."""

    def __init__(self):
        super().__init__()
        self.ids, self.links = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _parsed():
    parsed = {}
    for page in PAGES:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        parsed[page.resolve()] = parser
    return parsed


def test_every_internal_link_and_anchor_resolves():
    parsed, broken = _parsed(), []
    for page, parser in parsed.items():
        for href in parser.links:
            target = urllib.parse.urlsplit(href)
            if target.scheme or target.netloc or href.startswith(("mailto:", "javascript:")):
                continue  # external: not followed offline
            path = (page.parent / urllib.parse.unquote(target.path)).resolve() if target.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.exists():
                broken.append(f"{page.relative_to(HTML.resolve())}: {href} (no such file)")
            elif target.fragment and path.suffix == ".html" and path in parsed \
                    and urllib.parse.unquote(target.fragment) not in parsed[path].ids:
                broken.append(f"{page.relative_to(HTML.resolve())}: {href} (no such id)")
    assert not broken, "\n".join(broken[:20])


def test_every_chapter_offers_its_notebook_for_download():
    for chapter in sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb")):
        page = (HTML / "book" / f"{chapter.stem}.html").read_text(encoding="utf-8")
        assert f'href="../_sources/book/{chapter.name}"' in page, f"{chapter.stem}: no .ipynb download button"
        assert (HTML / "_sources" / "book" / chapter.name).read_bytes() == chapter.read_bytes(), \
            f"{chapter.stem}: the downloadable notebook differs from book/{chapter.name}"
