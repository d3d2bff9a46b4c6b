"""NumPy reference implementations, with backpropagation through time written by hand.

Imports without torch.
"""

from .activations import relu, sigmoid
from .attention import AttentionCache, attention_backward, attention_forward
from .conditioned import (conditioned_backward, conditioned_forward, conditioned_loss, init_conditioned_decoder,
                          init_state_backward, init_state_forward)
from .lstm_fast import LSTMFastCache, lstm_fast_backward, lstm_fast_forward
from .lstm import LSTMCache, LSTMStepCache, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .seq2seq import Seq2SeqCache, init_seq2seq_params, seq2seq_backward, seq2seq_forward
from .gru import GRUCache, GRUStepCache, gru_backward, gru_forward, gru_step_backward, gru_step_forward
from .lstm_variants import lstm_variant_backward, lstm_variant_forward, lstm_variant_step_backward, lstm_variant_step_forward  # noqa: E501
from .rnn import RNNCache, RNNStepCache, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "attention_forward", "attention_backward", "AttentionCache",
    "init_seq2seq_params", "seq2seq_forward", "seq2seq_backward", "Seq2SeqCache",
    "init_conditioned_decoder", "init_state_forward", "init_state_backward", "conditioned_forward",
    "conditioned_backward", "conditioned_loss",
    "sigmoid", "relu",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "LSTMStepCache", "LSTMCache",
    "lstm_fast_forward", "lstm_fast_backward", "LSTMFastCache",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "RNNStepCache", "RNNCache",
    "gru_step_forward", "gru_step_backward", "gru_forward", "gru_backward", "GRUStepCache", "GRUCache",
    "lstm_variant_step_forward", "lstm_variant_step_backward", "lstm_variant_forward", "lstm_variant_backward",
]
