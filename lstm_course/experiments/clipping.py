"""Clipping by global norm against clipping by value (Pascanu et al. 2013), measured on the character model.

Both runs start from the same parameters and see the same batches; only the
clipping differs. Besides the losses we record, at every step, the cosine
between the clipped and the raw gradient: norm clipping only rescales, so it
keeps the direction (cosine 1); value clipping clamps each entry and turns it.
"""

import numpy as np
import torch

from ..data.corpus import load_corpus
from ..numpy_impl.charlm import init_charlm
from ..torch_impl.charlm import CharLSTM
from .charlm import LN2, streams


def _flat(grads):
    return torch.cat([g.reshape(-1) for g in grads])


def compare_clipping(steps=150, H=64, T=50, B=16, lr=1e-2, max_norm=1.0, max_value=0.01, seed=0):
    """Returns ``{name: {"losses": [...] (bits/char), "cosines": [...], "raw_norms": [...]}}`` for "norm" and "value"."""
    corpus = load_corpus("stdlib")
    data = torch.as_tensor(streams(corpus.train, B))
    initial = init_charlm(len(corpus.vocab), H, np.random.default_rng(seed))
    results = {}
    for name in ("norm", "value"):
        net = CharLSTM.from_tree(initial)
        optimiser = torch.optim.Adam(net.parameters(), lr=lr)
        record = {"losses": [], "cosines": [], "raw_norms": []}
        for step in range(steps):
            chunk = data[step * T:(step + 1) * T + 1]
            logits, _ = net(chunk[:-1])
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, net.V), chunk[1:].reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            raw = _flat([p.grad for p in net.parameters()]).clone()
            if name == "norm":
                torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm)
            else:
                torch.nn.utils.clip_grad_value_(net.parameters(), max_value)
            clipped = _flat([p.grad for p in net.parameters()])
            record["cosines"].append(float(torch.dot(raw, clipped) / (raw.norm() * clipped.norm() + 1e-30)))
            record["raw_norms"].append(float(raw.norm()))
            record["losses"].append(loss.item() / LN2)
            optimiser.step()
        results[name] = record
    return results
