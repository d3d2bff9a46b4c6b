r"""Bag-of-words baselines: classifiers that see how often each word occurs, never in what order.

Two models on the count vector :math:`\mathbf{n} \in \mathbb{R}^V`:

- logistic regression (``hidden=0``): :math:`\hat{\mathbf{y}} = \mathrm{softmax}(W_{hy}\mathbf{n} + \mathbf{b}_y)`;
- a multilayer perceptron: :math:`\mathbf{a} = \tanh(W_1\mathbf{n} + \mathbf{b}_1)`,
  :math:`\hat{\mathbf{y}} = \mathrm{softmax}(W_{hy}\mathbf{a} + \mathbf{b}_y)`.

Both are trained like the RNN classifier (softmax cross-entropy, Adam), so a
difference in accuracy measures what word order adds.
"""

import numpy as np

from .. import _validate

from ..optim import adam_init, adam_update
from .readout import linear_backward, linear_forward, softmax_cross_entropy


def init_bag_of_words(V, C, rng, hidden=0):
    """Parameters ``{"W_hy" (C, V), "b_y" (C,)}``; with ``hidden > 0`` also ``{"W_1" (hidden, V), "b_1"}``, and ``W_hy`` is (C, hidden)."""
    width = hidden or V
    model = {"W_hy": rng.uniform(-1, 1, size=(C, width)) / np.sqrt(width), "b_y": np.zeros(C)}
    if hidden:
        model.update(W_1=rng.uniform(-1, 1, size=(hidden, V)) / np.sqrt(V), b_1=np.zeros(hidden))
    return model


def bag_of_words_loss(model, counts, labels):
    """Mean cross-entropy, gradients (keys of ``model``) and logits.

    Parameters
    ----------
    counts : ndarray, shape (B, V)
    labels : int ndarray, shape (B,)

    Returns
    -------
    loss : float
    grads : dict
    logits : ndarray, shape (B, C)
    """
    _validate.check_token_ids(labels, model["b_y"].shape[0], "labels", "numpy")
    a = np.tanh(linear_forward(counts, model["W_1"], model["b_1"])) if "W_1" in model else counts
    logits = linear_forward(a, model["W_hy"], model["b_y"])  # (B, C)
    loss, d_logits = softmax_cross_entropy(logits, labels)
    d_a, grads = linear_backward(d_logits, a, model["W_hy"])
    if "W_1" in model:
        d_z1 = d_a * (1 - a ** 2)  # (B, hidden)
        _, first = linear_backward(d_z1, counts, model["W_1"])
        grads.update(W_1=first["W_hy"], b_1=first["b_y"])
    return loss, grads, logits


def train_bag_of_words(model, batches, steps, lr=1e-2):
    """Adam on ``batches(step) -> (counts (B, V), labels (B,))``; returns ``(model, losses)``."""
    state, losses = adam_init(model), []
    for step in range(steps):
        counts, labels = batches(step)
        loss, grads, _ = bag_of_words_loss(model, counts, labels)
        model, state = adam_update(model, grads, state, lr=lr)
        losses.append(loss)
    return model, losses


def bag_of_words_accuracy(model, counts, labels):
    """Fraction of rows whose argmax class equals the label: ``counts`` (B, V), ``labels`` (B,)."""
    _, _, logits = bag_of_words_loss(model, counts, labels)
    return float(np.mean(logits.argmax(axis=-1) == labels))
