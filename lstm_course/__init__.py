"""Companion package of the lstm-course book.

The NumPy reference (:mod:`lstm_course.numpy_impl`) imports without torch; the
Torch twin (:mod:`lstm_course.torch_impl`), :mod:`lstm_course.convert` and the
trainable models (:mod:`lstm_course.models`) need ``torch``. Both twins read
their names and shapes from :mod:`lstm_course.notation`; the README's
"Architecture" section says which way imports go.
"""

__version__ = "0.1.0"
