"""Trainable ``torch.nn`` models of the book's experiments, and one way to train them.

Their recurrent cores are our Torch twin's fast path by default (``backend="twin"``,
which the saved full runs of ``book/results/`` use) or ``torch.nn.RNN`` / ``torch.nn.LSTM``
with ``backend="nn"``, for comparison (:mod:`lstm_course.models.cores`). Either way they are
started from the package's own parameter trees (:mod:`lstm_course.params`) with an explicit ``numpy.random.Generator``.
One module per model; :mod:`lstm_course.models.training` holds the training
step and loop that every experiment uses.
"""
