"""One setting, ``repository: url:`` in ``_config.yml``, turns on the links to the repository, its issues and its
releases and the Binder and Colab launch buttons; empty, the book shows none of them and says so.

The first test builds a two-page book (the "Run it yourself" page and one chapter) with an address set, in a
temporary folder; the second reads the book that ``make book`` built, with the address empty.
"""

import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "html" / "book"
URL = "https://github.com/example/lstm-course"


def _links(html):
    return set(re.findall(r'href="([^"]+)"', html))


def test_a_repository_address_turns_on_every_link_and_both_launch_buttons(tmp_path):
    jupyter_book = pathlib.Path(sys.executable).parent / "jupyter-book"
    if not jupyter_book.exists():
        pytest.skip("jupyter-book is not installed beside this Python")
    config = (ROOT / "_config.yml").read_text()
    assert '\n  url: ""\n' in config, "the committed book has no repository address"
    (tmp_path / "_config.yml").write_text(config.replace('\n  url: ""\n', f'\n  url: "{URL}"\n'))
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/run_it_yourself\n"
                                       "chapters:\n  - file: book/02_notation\n")
    (tmp_path / "book").mkdir()
    shutil.copytree(ROOT / "book" / "_ext", tmp_path / "book" / "_ext")
    for name in ("references.bib", "run_it_yourself.md", "02_notation.ipynb"):
        shutil.copy(ROOT / "book" / name, tmp_path / "book" / name)
    result = subprocess.run([str(jupyter_book), "build", str(tmp_path)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    chapter = _links((tmp_path / "_build/html/book/02_notation.html").read_text())
    assert f"https://mybinder.org/v2/gh/example/lstm-course/main?urlpath=lab/tree/book/02_notation.ipynb" in chapter
    assert ("https://colab.research.google.com/github/example/lstm-course/blob/main/book/02_notation.ipynb"
            in chapter)
    assert URL in chapter, "the repository button"
    assert any(link.startswith(f"{URL}/issues/new") for link in chapter), "the issues button"
    page = _links((tmp_path / "_build/html/book/run_it_yourself.html").read_text())
    assert {URL, f"{URL}/issues", f"{URL}/releases"} <= page


def test_without_an_address_the_built_book_has_no_such_link_and_says_so():
    page, chapter = BUILT / "run_it_yourself.html", BUILT / "02_notation.html"
    if not page.exists():
        pytest.skip("the book is not built (make book)")
    for html in (page.read_text(), chapter.read_text()):
        links = _links(html)
        assert not any(host in link for link in links for host in ("mybinder.org", "colab.research.google.com")), \
            "no launch button without an address"
        assert not any("github.com/executablebooks" in link for link in links), "not Jupyter Book's own address"
    text = re.sub(r"<[^>]+>", "", page.read_text())
    assert "This build of the book has no repository address" in " ".join(text.split())
