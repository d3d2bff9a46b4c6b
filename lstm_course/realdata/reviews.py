"""Movie-review snippets rated by people, from the ``vaderSentiment`` sdist on PyPI.

The sdist of ``vaderSentiment`` 3.3.2 (MIT) carries the data of Hutto & Gilbert (ICWSM 2014): 10,605
sentence-level snippets of Rotten Tomatoes reviews (Pang & Lee's sentences), each with the mean rating,
from -4 to +4, of at least 20 people (the data's README). :func:`snippets` reads them; :func:`labelled`
turns them into a binary sentiment task (the sign of the mean rating; snippets rated exactly 0 are dropped).
"""

import numpy as np

from .cache import Source, files

SOURCE = Source(
    name="movie-reviews", package="vaderSentiment", version="3.3.2", archive="vaderSentiment-3.3.2.tar.gz",
    sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9", size=2_466_783, sdist=True,
    members=("vaderSentiment-3.3.2/LICENSE.txt",
             "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz!"
             "hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt",
             "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz!hutto_ICWSM_2014/_README_.txt"),
    digest="c69d6ddfb3ccc83b9c8b4d4e4d055377f663202da90387401bb7ba82b66c5ad5",
    licence="MIT for the vaderSentiment package (C.J. Hutto); the data's README asks that work using it cite "
            "Hutto & Gilbert (ICWSM 2014); the snippets are Pang & Lee's Rotten Tomatoes sentences and carry "
            "no licence of their own: for study, not redistribution",
    description="10,605 movie-review snippets, each the mean rating of at least 20 people, from -4 to +4")


def snippets():
    """Every snippet with its mean human rating, in the file's order.

    Returns
    -------
    texts : list of str
        ``N = 10,605`` snippets.
    ratings : ndarray, shape (N,)
        Mean rating of 20 people, from -4 (most negative) to +4.
    """
    path = files(SOURCE) / "movieReviewSnippets_GroundTruth.txt"
    texts, ratings = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.strip().split("\t")
        if len(parts) == 3:
            ratings.append(float(parts[1]))
            texts.append(parts[2].strip())
    return texts, np.asarray(ratings)


def labelled():
    """A binary task: ``(texts, labels)`` with label 1 for a positive mean rating, 0 for a negative one.

    Snippets whose mean rating is exactly 0 are dropped.

    Returns
    -------
    texts : list of str
    labels : ndarray of int64, shape (N,)
    """
    texts, ratings = snippets()
    keep = ratings != 0
    return [t for t, k in zip(texts, keep) if k], (ratings[keep] > 0).astype(np.int64)
