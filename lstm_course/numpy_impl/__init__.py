"""NumPy reference implementations, with backpropagation through time written by hand.

Imports without torch.
"""

from .activations import relu, sigmoid
from .rnn import RNNCache, RNNStepCache, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

__all__ = [
    "sigmoid", "relu",
    "rnn_step_forward", "rnn_step_backward", "rnn_forward", "rnn_backward", "RNNStepCache", "RNNCache",
]
