"""Trainable ``torch.nn`` models of the book's experiments, and one way to train them.

Their recurrent cores are ``torch.nn.RNN`` / ``torch.nn.LSTM`` by default
(``backend="nn"``, which the saved full runs of ``book/results/`` used) or our Torch
twin's fast path with ``backend="twin"`` (:mod:`lstm_course.models.cores`),
started from the package's own parameter trees (:mod:`lstm_course.params`) with an explicit ``numpy.random.Generator``.
One module per model; :mod:`lstm_course.models.training` holds the training
step and loop that every experiment uses.
"""
