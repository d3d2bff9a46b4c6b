r"""Many-to-one classification: read a sequence, classify it from the final state.

The summary of a sequence is the last layer's final state ``h_n`` (both
directions concatenated when bidirectional), and the class scores are
:math:`W_{hy} h + b_y` followed by a softmax.
"""

import numpy as np

from .. import _validate

from ..optim import adam_init, adam_update, clip_by_global_norm
from ..params import init_readout, init_rnn_params
from .readout import linear_backward, linear_forward, softmax_cross_entropy
from .rnn import rnn_backward, rnn_forward


def init_classifier(D, H, C, rng, num_layers=1, bidirectional=False):
    """A dict ``{"rnn": params, "W_hy": (C, num_directions*H), "b_y": (C,)}`` for C classes."""
    num_directions = 2 if bidirectional else 1
    return {"rnn": init_rnn_params(D, H, num_layers, bidirectional, rng), **init_readout(num_directions * H, C, rng)}


def classifier_loss(model, xs, labels, lengths=None, nonlinearity="tanh"):
    """Cross-entropy of a many-to-one classifier and its gradients (hand-written BPTT).

    Parameters
    ----------
    model : dict
        From :func:`init_classifier`.
    xs : ndarray, shape (T, B, D)
    labels : int ndarray, shape (B,)
    lengths : int ndarray, shape (B,), optional

    Returns
    -------
    loss : float
    grads : dict, structure of ``model``
    logits : ndarray, shape (B, C)
    """
    _validate.check_token_ids(labels, model["b_y"].shape[0], "labels", "numpy")
    num_directions = len(model["rnn"][0])
    out, h_n, cache = rnn_forward(xs, model["rnn"], nonlinearity=nonlinearity, lengths=lengths)
    summary = np.concatenate(list(h_n[-num_directions:]), axis=-1)  # (B, num_directions * H)
    logits = linear_forward(summary, model["W_hy"], model["b_y"])
    loss, d_logits = softmax_cross_entropy(logits, labels)
    d_summary, head = linear_backward(d_logits, summary, model["W_hy"])
    d_h_n = np.zeros_like(h_n)
    d_h_n[-num_directions:] = d_summary.reshape(d_summary.shape[0], num_directions, -1).transpose(1, 0, 2)
    _, _, d_rnn = rnn_backward(np.zeros_like(out), d_h_n, cache)
    return loss, {"rnn": d_rnn, **head}, logits


def train_classifier(model, batches, steps, lr=1e-2, max_norm=5.0, nonlinearity="tanh", on_step=None):
    """Train with Adam and global-norm clipping.

    Parameters
    ----------
    batches : callable
        ``batches(step) -> (xs, labels, lengths)``: ``xs`` (T, B, D), ``labels`` (B,), ``lengths`` (B,).
    on_step : callable, optional
        ``on_step(step, model)``, called before each update (for example to
        record held-out losses along training).

    Returns
    -------
    model : dict
        The trained parameters (the input is not modified).
    losses : list of float
        Training loss at every step.
    """
    state, losses = adam_init(model), []
    for step in range(steps):
        if on_step is not None:
            on_step(step, model)
        xs, labels, lengths = batches(step)
        loss, grads, _ = classifier_loss(model, xs, labels, lengths, nonlinearity)
        grads, _ = clip_by_global_norm(grads, max_norm)
        model, state = adam_update(model, grads, state, lr=lr)
        losses.append(loss)
    return model, losses


def accuracy(model, xs, labels, lengths=None, nonlinearity="tanh"):
    """Fraction of sequences whose argmax class equals the label.

``xs`` is (T, B, D), ``labels`` (B,) and ``lengths`` (B,) or None; the result is a float."""
    _, _, logits = classifier_loss(model, xs, labels, lengths, nonlinearity)
    return float(np.mean(logits.argmax(axis=-1) == labels))
