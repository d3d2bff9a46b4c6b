"""Deprecated path, kept until the book's chapters import :mod:`lstm_course.models.recurrent_net`."""

from ..models.recurrent_net import FORGET_GATE_OPEN, RecurrentNet, tensor  # noqa: F401
