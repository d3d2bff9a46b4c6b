"""No result is typed into the prose: every decimal or percentage in a markdown cell is glued.

A number that came from a run must reach the text through myst-nb's ``glue``
(``{glue:text}`name:.3f```), so that re-executing the notebook updates the
sentence and nbval checks it. This test reads every markdown cell of every
chapter (and the book's ``.md`` pages) and fails on a decimal (``0.91``) or a
percentage (``36 %``) that is not glued.

Exempt by construction: maths (``$...$``, ``$$...$$``, ``{math}`` roles and
blocks), code spans and fenced code, MyST roles (``{cite}``, ``{eq}``,
``{glue:text}``...), link targets, version strings (``3.11.2``) and a paper's
section numbers (``section 5.4``). Exempt by
name: the phrases listed, one per line with a ``# reason``, in every file
``tests/prose_allowlist*.txt`` (for instance a paper's own published figure).

Run it on one notebook with ``python -m pytest tests/test_prose_glued.py -k 03_basic``
or ``python tests/test_prose_glued.py book/03_basic_rnn.ipynb``.
"""

import json
import pathlib
import re
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md"))

_STRIP = [
    re.compile(r"^(`{3,}|~{3,}).*?^\1", re.S | re.M),       # fenced code and directive blocks
    re.compile(r"\$\$.*?\$\$", re.S),                         # display maths
    re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$"),                 # inline maths (may wrap a line)
    re.compile(r"\{[\w:.-]+\}`[^`]*`"),                       # MyST roles: {cite}`..`, {glue:text}`..`, {eq}`..`
    re.compile(r"(`+)[^`]*?\1"),                              # code spans
    re.compile(r"\]\([^)]*\)"),                               # link targets
    re.compile(r"\b\d+(?:\.\d+){2,}\b"),                      # versions such as 2.13.0
    re.compile(r"^\s*:\w+:.*$", re.M),                        # directive options (:class: dropdown)
    re.compile(r"\b(?:[Ss]ection|[Tt]able|[Ff]ig(?:ure|\.)|[Ee]q(?:uation|\.)|§)\s*\d+(?:\.\d+)+"),  # a paper's numbering
]
RESULT = re.compile(r"(?<![\w.])(?:\d+\.\d+|\.\d+|\d+(?:\.\d+)?\s?%)(?![\w.]*\d)")


def load_allowlist(root=ROOT):
    """Phrases exempted from the check, from every ``tests/prose_allowlist*.txt``.

    Returns a list of ``(phrase, reason, where)``; a line without a reason is an error.
    """
    entries = []
    for path in sorted((root / "tests").glob("prose_allowlist*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            phrase, _, reason = line.partition("# ")
            entries.append((phrase.strip(), reason.strip(), f"{path.name}:{n}"))
    return entries


def markdown_cells(path):
    """``(cell index, source)`` of a notebook's markdown cells, or ``(0, text)`` of a ``.md`` page."""
    if path.suffix == ".md":
        return [(0, path.read_text(encoding="utf-8"))]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(n, "".join(c["source"])) for n, c in enumerate(cells) if c["cell_type"] == "markdown"]


def typed_results(text, phrases=()):
    """The unglued decimals and percentages of one markdown text, each with its context."""
    for phrase in phrases:  # a phrase may wrap across lines of the markdown source
        text = re.sub(r"\s+".join(map(re.escape, phrase.split())), " ", text)
    for pattern in _STRIP:
        text = pattern.sub(" ", text)
    found = []
    for match in RESULT.finditer(text):
        start, end = max(0, match.start() - 40), match.end() + 40
        found.append((match.group(0), " ".join(text[start:end].split())))
    return found


def problems(path, allowlist=None):
    """Every typed result of one page, as readable lines."""
    phrases = [phrase for phrase, _, _ in (load_allowlist() if allowlist is None else allowlist)]
    lines = []
    for n, text in markdown_cells(path):
        for number, context in typed_results(text, phrases):
            lines.append(f"{path.name} cell {n}: {number!r} typed, not glued: ...{context}...")
    return lines


def test_every_allowlist_entry_gives_a_reason():
    for phrase, reason, where in load_allowlist():
        assert phrase and reason, f"{where}: write 'phrase  # reason'"


def test_the_check_catches_a_hand_typed_result_and_spares_glue_and_maths():
    typed = "The bidirectional model reached 0.911 accuracy, and 36 % of comments were wrong."
    assert [n for n, _ in typed_results(typed)] == ["0.911", "36 %"]
    glued = ("It reached {glue:text}`acc:.3f` accuracy; $\\ln 2 \\approx 0.69$; "
             "`lr=0.02`; see {cite}`kingma2015adam`; torch 2.13.0.")
    assert typed_results(glued) == []
    assert typed_results("a paper's 0.73 figure", ["a paper's 0.73"]) == []


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_prose_states_no_unglued_result(path):
    found = problems(path)
    assert not found, "\n".join(found)


if __name__ == "__main__":
    paths = [pathlib.Path(p) for p in sys.argv[1:]] or PAGES
    bad = [line for p in paths for line in problems(p)]
    print("\n".join(bad) or f"no typed results in {len(paths)} page(s)")
    sys.exit(1 if bad else 0)
