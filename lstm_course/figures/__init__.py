"""Diagrams of the book, drawn with matplotlib so that they are code, not images.

Each function returns the ``matplotlib.figure.Figure`` it drew. One module per
part of the book; they share the boxes and arrows of ``figures._draw``.
"""

from .gru import draw_gru_cell
from .lstm import draw_lstm_cell
from .rnn import draw_bidirectional_rnn, draw_stacked_rnn, draw_task_shapes, draw_unrolled_rnn

__all__ = ["draw_task_shapes", "draw_unrolled_rnn", "draw_stacked_rnn", "draw_bidirectional_rnn", "draw_lstm_cell", "draw_gru_cell"]
