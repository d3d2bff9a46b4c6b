"""An aligned many-to-many model: one tag per input step (Torch).

Characters are embedded, read by a (stacked, bidirectional) ``torch.nn.RNN``
-- the module our NumPy and Torch twins are tested against -- and every
output step is classified by a linear readout.
"""

import time

import numpy as np
import torch

from .. import convert
from ..params import init_rnn_params


class Tagger(torch.nn.Module):
    """Embedding (V, E) -> RNN (E -> H, L layers, 1 or 2 directions) -> Linear (num_directions*H -> C).

    Parameters are drawn from an explicit ``numpy.random.Generator`` (no global seeding).
    """

    def __init__(self, V, C, rng, E=32, H=64, num_layers=1, bidirectional=False):
        super().__init__()
        num_directions = 2 if bidirectional else 1
        self.embedding = torch.nn.Embedding(V, E)
        self.rnn = torch.nn.RNN(E, H, num_layers, bidirectional=bidirectional)
        self.readout = torch.nn.Linear(num_directions * H, C)
        convert.load_into(self.rnn, init_rnn_params(E, H, num_layers, bidirectional, rng, np.float32))
        bound = 1.0 / np.sqrt(num_directions * H)
        with torch.no_grad():
            self.embedding.weight.copy_(torch.from_numpy(rng.normal(size=(V, E)).astype(np.float32)))
            self.readout.weight.copy_(torch.from_numpy(rng.uniform(-bound, bound, (C, num_directions * H)).astype(np.float32)))
            self.readout.bias.zero_()

    def forward(self, ids):
        """ids (T, B) int -> logits (T, B, C)."""
        out, _ = self.rnn(self.embedding(ids))  # (T, B, num_directions * H)
        return self.readout(out)


def train_tagger(model, train, steps, batch_size, rng, lr=3e-3, max_norm=1.0, device="cpu", progress=None):
    """Train on random windows of ``train`` (``inputs``/``tags`` of shape (N, T)) with Adam.

    Returns
    -------
    dict
        ``losses`` (per step) and ``seconds``.
    """
    model.to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses, start = [], time.perf_counter()
    for step in range(steps):
        rows = rng.integers(0, len(train.inputs), size=batch_size)
        ids = torch.from_numpy(train.inputs[rows].T.copy()).to(device)  # (T, B)
        tags = torch.from_numpy(train.tags[rows].T.copy()).to(device)  # (T, B)
        logits = model(ids)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), tags.reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimiser.step()
        losses.append(loss.item())
        if progress is not None and (step + 1) % max(1, steps // 10) == 0:
            progress(f"step {step + 1}/{steps} loss {loss.item():.3f}")
    return {"losses": losses, "seconds": time.perf_counter() - start}


@torch.no_grad()
def predict_tags(model, inputs, device="cpu", batch_size=512):
    """Predicted tags (N, T) for windows ``inputs`` (N, T)."""
    model.eval()
    out = []
    for start in range(0, len(inputs), batch_size):
        ids = torch.from_numpy(inputs[start:start + batch_size].T.copy()).to(device)
        out.append(model(ids).argmax(-1).T.cpu().numpy())
    model.train()
    return np.concatenate(out)
