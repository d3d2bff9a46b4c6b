"""Diagrams of the book, drawn with matplotlib so that they are code, not images.

Each function returns the ``matplotlib.figure.Figure`` it drew. One module per
part of the book; they share the boxes and arrows of :mod:`._draw`.
"""

from .lstm import draw_lstm_cell
from .seq2seq import plot_accuracy_by_length, plot_alignment, plot_alignments, plot_beam_curves, plot_story_attention
from .rnn import draw_bidirectional_rnn, draw_stacked_rnn, draw_task_shapes, draw_unrolled_rnn

__all__ = ["draw_task_shapes", "draw_unrolled_rnn", "draw_stacked_rnn", "draw_bidirectional_rnn", "draw_lstm_cell",
           "plot_alignment", "plot_alignments", "plot_accuracy_by_length", "plot_beam_curves", "plot_story_attention"]
