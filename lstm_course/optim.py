"""Optimisers and clipping for parameter trees (NumPy), pure functions with explicit state."""

from typing import NamedTuple

import numpy as np

from .tree import tree_leaves, tree_map


class AdamState(NamedTuple):
    step: int
    m: list  # first moments, structure of params
    v: list  # second moments


def adam_init(params):
    """Zero moments for :func:`adam_update`."""
    zeros = tree_map(np.zeros_like, params)
    return AdamState(0, zeros, tree_map(np.zeros_like, params))


def adam_update(params, grads, state, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One Adam step (Kingma & Ba 2015); returns ``(new_params, new_state)`` without mutating anything.

    .. math:: m \leftarrow \beta_1 m + (1-\beta_1) g,\quad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\quad
              \theta \leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)
    """
    step = state.step + 1
    m = tree_map(lambda m_, g: beta1 * m_ + (1 - beta1) * g, state.m, grads)
    v = tree_map(lambda v_, g: beta2 * v_ + (1 - beta2) * g * g, state.v, grads)
    c1, c2 = 1 - beta1 ** step, 1 - beta2 ** step
    new = tree_map(lambda p, m_, v_: p - lr * (m_ / c1) / (np.sqrt(v_ / c2) + eps), params, m, v)
    return new, AdamState(step, m, v)


def global_norm(grads):
    """:math:`\\sqrt{\\sum_j \\|g_j\\|^2}` over every leaf of the tree."""
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in tree_leaves(grads))))


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their global norm is at most ``max_norm`` (Pascanu et al. 2013)."""
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-12))
    return tree_map(lambda g: g * scale, grads), norm


def clip_by_value(grads, limit):
    """Clamp every gradient entry to ``[-limit, limit]`` (changes the direction, unlike norm clipping)."""
    return tree_map(lambda g: np.clip(g, -limit, limit), grads)
