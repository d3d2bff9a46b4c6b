"""Cross-validation of a whole training loop: NumPy (hand-written BPTT) against Torch (autograd).

Both start from the same parameters and read the same batches of real text;
both use the *same* optimiser (:func:`lstm_course.optim.adam_update` with
global-norm clipping), so any difference in their losses can only come from
the gradients.
"""

import functools

import numpy as np
import torch

from .. import convert
from ..tree import tree_map
from ..data.corpus import load_corpus
from ..numpy_impl.charlm import charlm_loss, init_charlm
from ..optim import adam_init, adam_update, clip_by_global_norm
from ..torch_impl import charlm as torch_charlm


def _numpy_gradients(model, ids):
    loss, grads, _ = charlm_loss(model, ids)
    return loss, grads


def _torch_gradients(model, ids, device="cpu"):
    tensors = convert.to_tensors(model, device=device, dtype=torch.float64, requires_grad=True)
    loss, _ = torch_charlm.charlm_loss(tensors, torch.as_tensor(ids, device=device))
    loss.backward()
    return loss.item(), tree_map(lambda t: t.grad.cpu().numpy(), tensors)


def cross_validate_training(steps=20, H=16, T=16, B=4, lr=1e-2, max_norm=1.0, seed=0, device="cpu"):
    """Train both twins for ``steps`` steps; return ``{"numpy": losses, "torch": losses}`` (nats)."""
    corpus = load_corpus("stdlib")
    text = corpus.train[:steps * T * B + 1]
    batches = [np.stack([text[(s * B + b) * T:(s * B + b + 1) * T + 1] for b in range(B)], axis=1) for s in range(steps)]
    initial = init_charlm(len(corpus.vocab), H, np.random.default_rng(seed))
    losses = {}
    torch_gradients = functools.partial(_torch_gradients, device=device)
    for name, gradients in (("numpy", _numpy_gradients), ("torch", torch_gradients)):
        model, state, losses[name] = initial, adam_init(initial), []
        for ids in batches:
            loss, grads = gradients(model, ids)
            grads, _ = clip_by_global_norm(grads, max_norm)
            model, state = adam_update(model, grads, state, lr=lr)
            losses[name].append(loss)
    return losses


def run(quick=False, seed=0, device="cpu", progress=print):
    """The experiment ``crossval``: both twins' training losses, float64, and whether they agree within 1e-10."""
    steps = 5 if quick else 20
    progress(f"NumPy and Torch twins, {steps} training steps each")
    losses = cross_validate_training(steps=steps, seed=seed, device=device)
    difference = float(np.max(np.abs(np.array(losses["numpy"]) - np.array(losses["torch"]))))
    return {"steps": steps, "numpy_losses": losses["numpy"], "torch_losses": losses["torch"],
            "max_abs_difference": difference, "agree_within_1e-10": difference < 1e-10}
