"""Clipping by global norm against clipping by value (Pascanu et al. 2013), measured on the character model.

Both runs start from the same parameters and see the same batches; only the
clipping differs. Besides the losses we record, at every step, the cosine
between the clipped and the raw gradient: norm clipping only rescales, so it
keeps the direction (cosine 1); value clipping clamps each entry and turns it.
"""

import numpy as np
import torch

from ..data.corpus import load_corpus
from ..models.charlm import CharLSTM
from ..models.training import train_step
from ..numpy_impl.charlm import init_charlm
from .charlm import LN2, streams


def _flat(grads):
    return torch.cat([g.reshape(-1) for g in grads])


def _recording_clip(clip, record):
    """``clip(parameters)``, recording the raw gradient's norm and its cosine with the clipped one."""
    def clip_and_record(parameters):
        parameters = list(parameters)
        raw = _flat([p.grad for p in parameters]).clone()
        clip(parameters)
        clipped = _flat([p.grad for p in parameters])
        record["cosines"].append(float(torch.dot(raw, clipped) / (raw.norm() * clipped.norm() + 1e-30)))
        record["raw_norms"].append(float(raw.norm()))

    return clip_and_record


def compare_clipping(steps=150, H=64, T=50, B=16, lr=1e-2, max_norm=1.0, max_value=0.01, seed=0, device="cpu",
                     backend="twin"):
    """Returns ``{name: {"losses": [...] (bits/char), "cosines": [...], "raw_norms": [...]}}`` for "norm" and "value"."""
    corpus = load_corpus("stdlib")
    data = torch.as_tensor(streams(corpus.train, B), device=device)
    initial = init_charlm(len(corpus.vocab), H, np.random.default_rng(seed))
    clips = {"norm": lambda ps: torch.nn.utils.clip_grad_norm_(ps, max_norm),
             "value": lambda ps: torch.nn.utils.clip_grad_value_(ps, max_value)}
    results = {}
    for name, clip in clips.items():
        net = CharLSTM.from_tree(initial, backend).to(device)
        optimiser = torch.optim.Adam(net.parameters(), lr=lr)
        record = {"losses": [], "cosines": [], "raw_norms": []}
        for step in range(steps):
            chunk = data[step * T:(step + 1) * T + 1]
            logits, _ = net(chunk[:-1])
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, net.V), chunk[1:].reshape(-1))
            record["losses"].append(train_step(net, optimiser, loss, clip=_recording_clip(clip, record)) / LN2)
        results[name] = record
    return results


def run(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """The experiment ``clipping``: final training bits/char and mean cosine to the raw gradient, per clipping.

    ``backend`` runs the LSTM: our Torch twin (default) or ``"nn"`` (``torch.nn.LSTM``).
    """
    steps = 50 if quick else 150
    progress(f"clipping by norm and by value, {steps} steps each")
    results = compare_clipping(steps=steps, seed=seed, device=device, backend=backend)
    metrics = {"steps": steps, "backend": backend}
    for name, record in results.items():
        metrics[f"{name}_final_bpc"] = float(np.mean(record["losses"][-10:]))
        metrics[f"{name}_mean_cosine"] = float(np.mean(record["cosines"]))
        metrics[f"{name}_losses"] = record["losses"]
    return metrics
