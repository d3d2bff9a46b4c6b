"""Deprecated path and batch-first signatures, kept until the bidirectional chapter moves to
:mod:`lstm_course.models.tagger`, whose data are time-major ``(T, B)``."""

from ..data.tagging import TaggedWindows
from ..models import tagger as _tagger
from ..models.tagger import Tagger  # noqa: F401


def train_tagger(model, train, steps, batch_size, rng, **options):
    """:func:`lstm_course.models.tagger.train_tagger` on a batch-first ``Split`` (windows ``(B, T)``)."""
    return _tagger.train_tagger(model, TaggedWindows(train.inputs.T, train.tags.T, train.files),
                                steps, batch_size, rng, **options)


def predict_tags(model, inputs, device="cpu", batch_size=512):
    """:func:`lstm_course.models.tagger.predict_tags` on windows ``(B, T)``; returns ``(B, T)``."""
    return _tagger.predict_tags(model, inputs.T, device, batch_size).T
