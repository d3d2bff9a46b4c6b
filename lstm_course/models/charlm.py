"""The character-level LSTM language model as a ``torch.nn.Module``, for training at speed on a CPU or GPU.

The same model as :func:`lstm_course.numpy_impl.charlm.charlm_loss` and its
Torch twin :func:`lstm_course.torch_impl.charlm.charlm_loss`, which work on a
parameter tree; :meth:`CharLSTM.from_tree` and :meth:`CharLSTM.to_tree` move
between the two forms (tested equal).
"""

import numpy as np
import torch

from .. import convert
from .cores import recurrent_core


class CharLSTM(torch.nn.Module):
    """One-hot characters -> LSTM (L layers, H units) -> linear readout over V characters.

    The LSTM is our Torch twin (``backend="twin"``, default) or ``torch.nn.LSTM`` (``"nn"``).
    """

    def __init__(self, V, H, num_layers=1, backend="twin"):
        super().__init__()
        self.V = V
        self.lstm = recurrent_core("lstm", V, H, num_layers, backend=backend)
        self.readout = torch.nn.Linear(H, V)

    def forward(self, ids, state=None):
        """ids (T, B) -> (logits (T, B, V), state)."""
        out, state = self.lstm(torch.nn.functional.one_hot(ids, self.V).to(self.readout.weight.dtype), state)
        return self.readout(out), state

    @classmethod
    def from_tree(cls, model, backend="twin"):
        """Build from our NumPy tree ``{"lstm": ..., "W_hy", "b_y"}``."""
        V, H = model["W_hy"].shape
        net = cls(V, H, len(model["lstm"]), backend)
        convert.load_into(net.lstm, model["lstm"])
        convert.load_readout(net.readout, model)
        return net

    def to_tree(self):
        """Our NumPy tree (float64) of the current parameters."""
        return {"lstm": convert.from_torch(self.lstm),
                "W_hy": self.readout.weight.detach().cpu().numpy().astype(np.float64),
                "b_y": self.readout.bias.detach().cpu().numpy().astype(np.float64)}
