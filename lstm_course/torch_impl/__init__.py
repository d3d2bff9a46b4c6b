"""Torch twins of :mod:`lstm_course.numpy_impl`: the same maths on CPU or CUDA, gradients by autograd."""

from .lstm import lstm_forward, lstm_step_forward
from .lstm_fast import lstm_fast_forward
from .rnn import rnn_forward, rnn_step_forward
from .rnn_fast import rnn_fast_forward

__all__ = ["rnn_step_forward", "rnn_forward", "lstm_step_forward", "lstm_forward", "lstm_fast_forward", "rnn_fast_forward"]
