"""NumPy reference implementations, with backpropagation through time written by hand.

Imports without torch.
"""

from .activations import relu, sigmoid
from .lstm_fast import LSTMFastCache, lstm_fast_backward, lstm_fast_forward
from .lstm import LSTMCache, LSTMStepCache, lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from .rnn import RNNCache, RNNStepCache, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "sigmoid", "relu",
    "lstm_step_forward", "lstm_step_backward", "lstm_forward", "lstm_backward", "LSTMStepCache", "LSTMCache",
    "lstm_fast_forward", "lstm_fast_backward", "LSTMFastCache",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "RNNStepCache", "RNNCache",
]
