"""The recurrent net of the long-time-lag experiments: an LSTM, a tanh RNN or an IRNN with a readout at every step.

The recurrent core is our Torch twin's fast path (``backend="twin"``, the default) or
``torch.nn.LSTM`` / ``torch.nn.RNN`` (``backend="nn"``, for comparison); see
:mod:`lstm_course.models.cores`. Either way it is initialised from our own
parameter trees with an explicit ``numpy.random.Generator``.
"""

import numpy as np
import torch

from .. import convert
from ..params import init_lstm_params, init_readout, init_rnn_params
from .cores import recurrent_core

# sigma(1e4) is exactly 1 in float32 and float64, and its derivative exactly 0:
# a forget gate pinned there is the 1997 cell's f_t = 1, and no gradient ever moves it.
FORGET_GATE_OPEN = 1e4
IRNN_INPUT_SD = 1e-3  # the IRNN's input weights: N(0, 0.001^2), recurrent weights I, biases 0 (Le et al. 2015)


class RecurrentNet(torch.nn.Module):
    """An LSTM, tanh RNN or IRNN (one layer) with a linear readout at every step.

    Parameters
    ----------
    kind : {"lstm", "rnn", "irnn"}
        ``"irnn"`` is the ReLU RNN of Le et al. (2015) started at ``W_hh = I``,
        ``b_h = 0`` and input weights drawn from ``N(0, IRNN_INPUT_SD^2)``.
    D, H, C : int
        Input, hidden and output sizes.
    rng : numpy.random.Generator
    forget_bias : float
        Added to the LSTM's b_f at initialisation.
    forget_gate : bool
        False gives the 1997 LSTM: f_t = 1 always (see ``FORGET_GATE_OPEN``).
    input_bias : float
        Added to the LSTM's b_i at initialisation. The 1997 paper starts input
        gates negative (-3, -6, ...) so that the cell does not drift before it
        has learned what to store.
    backend : {"twin", "nn"}
        Who runs the recurrence: our Torch twin (default) or ``torch.nn``.
    """

    def __init__(self, kind, D, H, C, rng, forget_bias=1.0, forget_gate=True, input_bias=0.0, backend="twin"):
        super().__init__()
        self.kind, self.forget_gate = kind, forget_gate
        if kind == "lstm":
            self.core = recurrent_core("lstm", D, H, backend=backend)
            params = init_lstm_params(D, H, rng=rng, dtype=np.float32, forget_bias=forget_bias)
            params[0]["forward"]["b_i"] = params[0]["forward"]["b_i"] + np.float32(input_bias)
            if not forget_gate:
                p = params[0]["forward"]
                p["W_f"] = np.zeros_like(p["W_f"])
                p["b_f"] = np.full_like(p["b_f"], FORGET_GATE_OPEN)
        elif kind == "rnn":
            self.core = recurrent_core("rnn", D, H, backend=backend)
            params = init_rnn_params(D, H, rng=rng, dtype=np.float32)
        elif kind == "irnn":
            self.core = recurrent_core("rnn", D, H, backend=backend, nonlinearity="relu")
            params = [{"forward": {"W_xh": (IRNN_INPUT_SD * rng.standard_normal((H, D))).astype(np.float32),
                                   "W_hh": np.eye(H, dtype=np.float32), "b_h": np.zeros(H, np.float32)}}]
        else:
            raise ValueError(f"kind must be 'lstm', 'rnn' or 'irnn'; got {kind!r}")
        convert.load_into(self.core, params)
        self.readout = convert.load_readout(torch.nn.Linear(H, C), init_readout(H, C, rng, np.float32))

    def forward(self, xs, state=None):
        """xs (T, B, D) -> (outputs (T, B, C), state)."""
        out, state = self.core(xs, state)
        return self.readout(out), state

    def final(self, xs, lengths):
        """Outputs at each sequence's own last step, (B, C), for a batch padded at the end.

        The network is unidirectional, so the padding after a sequence's end
        cannot change its earlier outputs: no packing is needed (packing is
        5-10x slower on a CPU for these sizes).
        """
        out, _ = self(xs)
        return out[torch.as_tensor(lengths) - 1, torch.arange(xs.shape[1])]


def tensor(a, device="cpu"):
    """A float32 tensor on ``device`` from a NumPy array."""
    return torch.as_tensor(np.asarray(a), dtype=torch.float32, device=device)
