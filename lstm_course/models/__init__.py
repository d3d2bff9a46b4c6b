"""Trainable ``torch.nn`` models of the book's experiments, and one way to train them.

Their recurrent cores run our Torch twin by default, and ``torch.nn.RNN`` /
``torch.nn.LSTM`` with ``backend="nn"`` (:mod:`lstm_course.models.cores`),
started from the package's own parameter trees (:mod:`lstm_course.params`) with an explicit ``numpy.random.Generator``.
One module per model; :mod:`lstm_course.models.training` holds the training
step and loop that every experiment uses.
"""
