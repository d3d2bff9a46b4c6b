"""Companion package of the lstm-course book.

The NumPy reference (:mod:`lstm_course.numpy_impl`) imports without torch; the
Torch twin (:mod:`lstm_course.torch_impl`) and :mod:`lstm_course.convert` need
``torch``.
"""

__version__ = "0.1.0"
