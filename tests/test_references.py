"""Every bibliography entry can be found: it has a DOI or a stable URL; the keys the chapters cite exist."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
ENTRIES = re.split(r"\n(?=@)", (ROOT / "book" / "references.bib").read_text(encoding="utf-8").strip())


def _key(entry):
    return re.match(r"@\w+\{([^,]+),", entry).group(1)


def test_every_entry_has_a_doi_or_a_url():
    missing = [_key(e) for e in ENTRIES if not re.search(r"^\s*(doi|url)\s*=", e, re.M)]
    assert not missing, f"entries without doi or url: {missing}"


def test_the_entries_the_chapters_rely_on_exist():
    keys = {_key(e) for e in ENTRIES}
    for key in ("jozefowicz2015empirical", "williams1989learning", "bengio2015scheduled", "gers2000peepholes",
                "zaremba2014recurrent", "hochreiter1997lstm", "gers2000forget"):
        assert key in keys


def test_every_citation_in_the_book_has_an_entry():
    keys = {_key(e) for e in ENTRIES}
    cited = set()
    for page in list((ROOT / "book").glob("*.ipynb")) + list((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", page.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
