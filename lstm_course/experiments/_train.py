"""Deprecated path, kept until the book's chapters import :mod:`lstm_course.models.training`."""

from ..models.training import train  # noqa: F401
