"""An aligned many-to-many model: one tag per input step (Torch).

Characters are embedded, read by a (stacked, bidirectional) RNN -- our Torch twin
by default, ``torch.nn.RNN`` with ``backend="nn"`` -- and every
output step is classified by a linear readout. Data are time-major, as
everywhere in the package: windows of T characters side by side, ``(T, B)``.
"""

import numpy as np
import torch

from .. import convert
from ..params import init_readout, init_rnn_params
from .cores import recurrent_core
from .training import train


class Tagger(torch.nn.Module):
    """Embedding (V, E) -> RNN (E -> H, L layers, 1 or 2 directions) -> Linear (num_directions*H -> C).

    Parameters are drawn from an explicit ``numpy.random.Generator`` (no global seeding).
    """

    def __init__(self, V, C, rng, E=32, H=64, num_layers=1, bidirectional=False, backend="twin"):
        super().__init__()
        num_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(V, E)
        self.rnn = recurrent_core("rnn", E, H, num_layers, bidirectional, backend)
        convert.load_into(self.rnn, init_rnn_params(E, H, num_layers, bidirectional, rng, np.float32))
        with torch.no_grad():
            self.embedding.weight.copy_(torch.from_numpy(rng.normal(size=(V, E)).astype(np.float32)))
        self.readout = convert.load_readout(torch.nn.Linear(num_directions * H, C),
                                            init_readout(num_directions * H, C, rng, np.float32))

    def forward(self, ids):
        """ids (T, B) int -> logits (T, B, C)."""
        out, _ = self.rnn(self.embedding(ids))  # (T, B, num_directions * H)
        return self.readout(out)


def _tag_loss(model, ids, tags):
    logits = model(ids)  # (T, B, C)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1))


def train_tagger(model, windows, steps, batch_size, rng, lr=3e-3, max_norm=1.0, device="cpu", progress=None):
    """Train on ``batch_size`` random windows per step with Adam and global-norm clipping.

    Parameters
    ----------
    model : Tagger
    windows : lstm_course.data.tagging.TaggedWindows
        ``ids (T, B_all)`` and ``tags (T, B_all)``.
    steps, batch_size : int
    rng : numpy.random.Generator
        Draws the windows of every step.

    Returns
    -------
    dict
        ``losses`` (per step) and ``seconds``.
    """
    model.to(device)

    def batches(step):
        columns = rng.integers(0, windows.ids.shape[1], size=batch_size)
        return (torch.from_numpy(windows.ids[:, columns]).to(device),  # (T, B)
                torch.from_numpy(windows.tags[:, columns]).to(device))

    return train(model, _tag_loss, batches, steps, lr=lr, max_norm=max_norm, progress=progress)


@torch.no_grad()
def predict_tags(model, ids, device="cpu", batch_size=512):
    """Predicted tags ``(T, B)`` for windows ``ids (T, B)``, ``batch_size`` windows at a time."""
    model.eval()
    out = []
    for start in range(0, ids.shape[1], batch_size):
        chunk = torch.from_numpy(np.ascontiguousarray(ids[:, start:start + batch_size])).to(device)
        out.append(model(chunk).argmax(-1).cpu().numpy())
    model.train()
    return np.concatenate(out, axis=1)
