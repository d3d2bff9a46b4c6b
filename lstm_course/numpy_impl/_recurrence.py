"""Deprecated path, kept until the book's chapters import :mod:`lstm_course.numpy_impl.recurrence`."""

from .recurrence import *  # noqa: F401,F403
