"""Trainable ``torch.nn`` models of the book's experiments, and one way to train them.

Their recurrent cores are ``torch.nn.RNN`` and ``torch.nn.LSTM``, the modules
that both twins are tested against, started from the package's own parameter
trees (:mod:`lstm_course.params`) with an explicit ``numpy.random.Generator``.
One module per model; :mod:`lstm_course.models.training` holds the training
step and loop that every experiment uses.
"""
