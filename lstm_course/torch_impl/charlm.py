"""The character-level LSTM language model in Torch.

Two forms of one model:

- :func:`charlm_loss` uses our Torch twin (:func:`lstm_course.torch_impl.lstm_forward`)
  on a parameter tree, for the cross-validation against the NumPy model;
- :class:`CharLSTM` wraps ``torch.nn.LSTM`` (tested equal to both), for
  training at speed on a CPU or GPU.

Checkpoints (plain arrays, no torch needed) live in :mod:`lstm_course.checkpoint`;
``save_checkpoint`` and ``load_checkpoint`` are re-exported here only until the
generative chapter imports them from there.
"""

import numpy as np
import torch

from .. import convert
from ..checkpoint import load_checkpoint, save_checkpoint  # noqa: F401  (re-export, see above)
from .lstm import lstm_forward


def charlm_loss(model, ids, state=None):
    """Mean cross-entropy of ``ids[1:]`` given ``ids[:-1]`` (ids: (T + 1, B) LongTensor); returns (loss, state)."""
    V = model["W_hy"].shape[0]
    xs = torch.nn.functional.one_hot(ids[:-1], V).to(model["W_hy"].dtype)
    h0, c0 = state if state is not None else (None, None)
    out, (h_n, c_n) = lstm_forward(xs, model["lstm"], h0, c0)
    logits = out @ model["W_hy"].T + model["b_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ids[1:].reshape(-1))
    return loss, (h_n, c_n)


class CharLSTM(torch.nn.Module):
    """One-hot characters -> ``torch.nn.LSTM`` (L layers, H units) -> linear readout over V characters."""

    def __init__(self, V, H, num_layers=1):
        super().__init__()
        self.V = V
        self.lstm = torch.nn.LSTM(V, H, num_layers)
        self.readout = torch.nn.Linear(H, V)

    def forward(self, ids, state=None):
        """ids (T, B) -> (logits (T, B, V), state)."""
        out, state = self.lstm(torch.nn.functional.one_hot(ids, self.V).to(self.readout.weight.dtype), state)
        return self.readout(out), state

    @classmethod
    def from_tree(cls, model):
        """Build from our NumPy tree ``{"lstm": ..., "W_hy", "b_y"}``."""
        V, H = model["W_hy"].shape
        net = cls(V, H, len(model["lstm"]))
        convert.load_into(net.lstm, model["lstm"])
        with torch.no_grad():
            net.readout.weight.copy_(torch.as_tensor(model["W_hy"]))
            net.readout.bias.copy_(torch.as_tensor(model["b_y"]))
        return net

    def to_tree(self):
        """Our NumPy tree (float64) of the current parameters."""
        return {"lstm": convert.from_torch(self.lstm),
                "W_hy": self.readout.weight.detach().cpu().numpy().astype(np.float64),
                "b_y": self.readout.bias.detach().cpu().numpy().astype(np.float64)}
