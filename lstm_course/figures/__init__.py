"""Diagrams of the book, drawn with matplotlib so that they are code, not images.

Each function returns the ``matplotlib.figure.Figure`` it drew. One module per
part of the book; they share the boxes and arrows of ``figures._draw``. ``glue`` (from ``figures._glue``)
glues a result into the prose, its floats rounded to 6 significant digits so it reads the same on any CPU.
"""

from .audio import draw_karplus_strong, draw_sample_lstm, plot_waveforms
from .attention import (draw_additive_attention, draw_attention_reader, draw_encoder_decoder,
                        plot_story_attention_maps)
from .fast import draw_fast_schedule, plot_bench
from .traces import plot_gate_traces

from .activations import plot_char_traces, plot_text_activation
from .conditioned import audio_html, draw_conditioned_decoder, plot_caption_attention, plot_spectrograms, show_captions
from ._glue import glue, glue_claim, round_significant
from .generative import draw_teacher_forcing, plot_temperature_bars
from .beam import draw_beam_tree
from .gru import draw_gru_cell
from .lstm import draw_cell_gradient_path, draw_lstm_cell, draw_reber_automaton
from .seq2seq import plot_accuracy_by_length, plot_alignment, plot_alignments, plot_beam_curves, plot_story_attention, \
    word_pieces
from .rnn import draw_bidirectional_rnn, draw_bptt_paths, draw_stacked_rnn, draw_task_shapes, draw_unrolled_rnn

__all__ = ["draw_task_shapes", "draw_unrolled_rnn", "draw_stacked_rnn", "draw_bidirectional_rnn", "draw_lstm_cell",
           "draw_cell_gradient_path", "draw_reber_automaton", "draw_teacher_forcing", "plot_temperature_bars",
           "draw_conditioned_decoder", "show_captions", "plot_spectrograms", "audio_html", "draw_bptt_paths",
           "plot_alignment", "plot_alignments", "plot_accuracy_by_length", "plot_beam_curves", "plot_story_attention",
           "draw_gru_cell", "draw_beam_tree", "draw_encoder_decoder", "draw_additive_attention",
           "draw_attention_reader", "plot_story_attention_maps", "word_pieces", "glue", "glue_claim",
           "round_significant"]
__all__ += ["draw_karplus_strong", "draw_sample_lstm", "plot_waveforms"]
__all__ += ["plot_gate_traces", "draw_fast_schedule", "plot_bench"]
__all__ += ["plot_text_activation", "plot_char_traces", "plot_caption_attention"]
