"""Every finding of the two expert reviews is answered by its ID, once, on the book's "Answers to the reviews" page."""

import collections
import pathlib
import re

from lstm_course.evidence import claims

PAGE = pathlib.Path(__file__).resolve().parents[1] / "book" / "review-answers.md"
# How many findings each review numbers per chapter (science.md: S-CC-NN, teaching.md: T-CC-NN; XX: cross-cutting)
FINDINGS = {"S": {"09": 7, "10": 6, "11": 7, "12": 5, "13": 6, "15": 6, "16": 4, "17": 4, "18": 7},
            "T": {"XX": 9, "09": 4, "10": 7, "11": 5, "12": 5, "13": 5, "15": 6, "16": 6, "17": 4, "18": 5}}
EXPECTED = [f"{kind}-{chapter}-{k:02d}" for kind, chapters in FINDINGS.items()
            for chapter, count in chapters.items() for k in range(1, count + 1)]
STATUS = r"(fixed|answered|open|partly fixed|fixed in part)"
ENTRY = re.compile(r"^- \*\*([ST]-(?:\d\d|XX)-\d\d)\*\* " + STATUS + r"\b", re.MULTILINE)


def _entries():
    return ENTRY.findall(PAGE.read_text())


def test_the_reviews_have_108_findings():
    assert len(EXPECTED) == 108 and len(set(EXPECTED)) == 108


def test_every_finding_is_answered_exactly_once():
    counts = collections.Counter(finding for finding, _ in _entries())
    missing = [f for f in EXPECTED if counts[f] == 0]
    twice = [f for f, n in counts.items() if n > 1]
    unknown = sorted(set(counts) - set(EXPECTED))
    assert not missing and not twice and not unknown, dict(missing=missing, twice=twice, unknown=unknown)


def test_every_entry_starts_with_its_status():
    """An entry's first word says what happened: fixed, answered, open (or partly fixed)."""
    text = PAGE.read_text()
    starts = re.findall(r"^- \*\*([ST]-(?:\d\d|XX)-\d\d)\*\*", text, re.MULTILINE)
    assert len(starts) == len(_entries()), sorted(set(starts) - {f for f, _ in _entries()})


def test_the_claims_the_answers_name_exist():
    named = set(re.findall(r"`(ch\d\d-[a-z0-9-]+)`", PAGE.read_text()))
    registered = set(claims._registered())
    assert named <= registered, sorted(named - registered)
