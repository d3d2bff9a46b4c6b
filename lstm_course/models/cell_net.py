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


def init_cell_params(cell, D, H, rng, forget_bias=1.0, update_bias=0.0):
    """NumPy parameter tree (one layer, float32) of ``cell``: an LSTM variant, ``"gru"`` or ``"rnn"``.

    ``forget_bias`` is added to ``b_f`` (LSTM variants with a forget gate); ``update_bias`` is added
    to the GRU's ``b_z``, the gate that keeps ``h_{t-1}`` (the GRU's analogue of ``b_f``), after the
    same draws, so that a biased and an unbiased GRU of one seed differ in ``b_z`` only.
    """
    if update_bias != 0 and cell != "gru":
        raise ValueError(f"update_bias applies to the GRU only; got update_bias = {update_bias!r} for cell {cell!r}")
    if cell == "gru":
        params = init_gru_params(D, H, rng=rng, dtype=np.float32)
        params[0]["forward"]["b_z"] = params[0]["forward"]["b_z"] + np.float32(update_bias)
        return params
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
    update_bias : float
        Added to the GRU's ``b_z`` at initialisation (0 for every other cell).
    """

    def __init__(self, cell, D, H, C, rng, forget_bias=1.0, update_bias=0.0):
        super().__init__()
        self.cell, self.H, self.V = cell, H, C  # V: outputs, named as in CharLSTM for the bits/char helpers
        tree = init_cell_params(cell, D, H, rng, forget_bias, update_bias)[0]["forward"]
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
