"""Torch twins of :mod:`lstm_course.numpy_impl`: the same maths on CPU or CUDA, gradients by autograd."""

from .attention import attention_forward
from .conditioned import conditioned_forward, conditioned_loss, init_state_forward
from .lstm import lstm_forward, lstm_step_forward
from .gru import gru_forward, gru_step_forward
from .lstm_variants import lstm_variant_forward, lstm_variant_step_forward
from .seq2seq import seq2seq_forward
from .lstm_fast import lstm_fast_forward
from .rnn import rnn_forward, rnn_step_forward
from .rnn_fast import rnn_fast_forward

__all__ = ["rnn_step_forward", "rnn_forward", "lstm_step_forward", "lstm_forward", "gru_step_forward", "gru_forward",
           "lstm_variant_step_forward", "lstm_variant_forward",
           "attention_forward", "seq2seq_forward", "init_state_forward", "conditioned_forward", "conditioned_loss",
           "lstm_fast_forward", "rnn_fast_forward"]
