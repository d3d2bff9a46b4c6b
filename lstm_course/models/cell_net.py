"""A recurrent net whose cell is one of our Torch twins: any LSTM variant, the GRU or a tanh RNN.

The ablation of the variants chapter trains every cell through the same code
path (:mod:`lstm_course.torch_impl`), so that the cell is the only thing
that differs between two runs. Parameters are drawn by
:mod:`lstm_course.params` from an explicit ``numpy.random.Generator``.
"""

import numpy as np
import torch

from .. import convert, torch_impl
from ..notation import LSTM_VARIANTS
from ..params import init_gru_params, init_lstm_variant_params, init_readout, init_rnn_params

CELLS = LSTM_VARIANTS + ("gru", "rnn")


def init_cell_params(cell, D, H, rng, forget_bias=1.0):
    """NumPy parameter tree (one layer, float32) of ``cell``: an LSTM variant, ``"gru"`` or ``"rnn"``."""
    if cell == "gru":
        return init_gru_params(D, H, rng=rng, dtype=np.float32)
    if cell == "rnn":
        return init_rnn_params(D, H, rng=rng, dtype=np.float32)
    if cell not in LSTM_VARIANTS:
        raise ValueError(f"cell must be one of {list(CELLS)}; got {cell!r}")
    return init_lstm_variant_params(D, H, cell, rng=rng, dtype=np.float32, forget_bias=forget_bias)


class CellNet(torch.nn.Module):
    """One recurrent layer (our Torch twin of ``cell``) and a linear readout at every step.

    Parameters
    ----------
    cell : str
        An LSTM variant (``lstm_course.notation.LSTM_VARIANTS``), ``"gru"`` or ``"rnn"``.
    D, H, C : int
        Input, hidden and output sizes.
    rng : numpy.random.Generator
    forget_bias : float
        Added to ``b_f`` at initialisation (LSTM variants with a forget gate).
    """

    def __init__(self, cell, D, H, C, rng, forget_bias=1.0):
        super().__init__()
        self.cell, self.H, self.V = cell, H, C  # V: outputs, named as in CharLSTM for the bits/char helpers
        tree = init_cell_params(cell, D, H, rng, forget_bias)[0]["forward"]
        self.p = torch.nn.ParameterDict({k: torch.nn.Parameter(torch.as_tensor(v)) for k, v in tree.items()})
        self.readout = convert.load_readout(torch.nn.Linear(H, C), init_readout(H, C, rng, np.float32))

    def forward(self, xs, state=None):
        """xs (T, B, D) -> (outputs (T, B, C), state); ``state`` is ``h`` (GRU, RNN) or ``(h, c)``, each (1, B, H)."""
        params = [{"forward": dict(self.p)}]
        if self.cell == "gru":
            out, state = torch_impl.gru_forward(xs, params, state)
        elif self.cell == "rnn":
            out, state = torch_impl.rnn_forward(xs, params, state)
        else:
            h0, c0 = (None, None) if state is None else state
            out, state = torch_impl.lstm_variant_forward(xs, params, self.cell, h0, c0)
        return self.readout(out), state

    def final(self, xs, lengths):
        """Outputs at each sequence's own last step, (B, C), for a unidirectional net on end-padded input."""
        out, _ = self(xs)
        return out[torch.as_tensor(lengths) - 1, torch.arange(xs.shape[1])]
