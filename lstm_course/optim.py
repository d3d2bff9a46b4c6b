"""Optimisers and clipping for parameter trees (NumPy), pure functions with explicit state.

Trees given together must have the same structure (the same list lengths and
dict keys, arrays of the same shapes): a mismatch raises ``ValueError`` naming
the first place they differ, instead of silently dropping a layer.
"""

from typing import NamedTuple

import numpy as np

from .tree import tree_leaves, tree_map


def check_same_tree(reference, other, names=("params", "grads")):
    """Raise ``ValueError`` naming the first path where ``other`` differs from ``reference`` in structure or shape.

Both are parameter trees; each leaf of ``other`` must have the same shape as the leaf of
``reference`` at its path."""
    def walk(a, b, path):
        where = path or "the root"
        if isinstance(a, dict):
            if not isinstance(b, dict) or sorted(a, key=str) != sorted(b, key=str):
                got = sorted(b, key=str) if isinstance(b, dict) else type(b).__name__
                raise ValueError(f"{names[1]} must have the structure of {names[0]}: at {where} expected the keys "
                                 f"{sorted(a, key=str)}; got {got}")
            for key in a:
                walk(a[key], b[key], f"{path}.{key}" if path else str(key))
        elif isinstance(a, (list, tuple)):
            if not isinstance(b, (list, tuple)) or len(a) != len(b):
                got = f"{len(b)} items" if isinstance(b, (list, tuple)) else type(b).__name__
                raise ValueError(f"{names[1]} must have the structure of {names[0]}: at {where} expected "
                                 f"{len(a)} items; got {got}")
            for k, (x, y) in enumerate(zip(a, b)):
                walk(x, y, f"{path}[{k}]")
        elif np.shape(a) != np.shape(b):
            raise ValueError(f"{names[1]} {where} must have the shape of {names[0]} {where}, "
                             f"{np.shape(a)}; got {np.shape(b)}")

    walk(reference, other, "")


def _check_limit(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not value > 0:
        raise ValueError(f"{name} must be a positive number (inf: no clipping); got {value!r}")


class AdamState(NamedTuple):
    step: int
    m: list  # first moments, structure of params
    v: list  # second moments


def adam_init(params):
    """Zero moments for :func:`adam_update`.

Every leaf of the moments has the same shape as the leaf of ``params`` it belongs to."""
    zeros = tree_map(np.zeros_like, params)
    return AdamState(0, zeros, tree_map(np.zeros_like, params))


def adam_update(params, grads, state, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One Adam step (Kingma & Ba 2015); returns ``(new_params, new_state)`` without mutating anything.

``params``, ``grads`` and the moments of ``state`` are trees of the same structure, leaf by leaf
of the same shape (:func:`check_same_tree` says where they differ).

    .. math::

       \begin{aligned}
       m &\leftarrow \beta_1 m + (1-\beta_1) g, \qquad v \leftarrow \beta_2 v + (1-\beta_2) g^2,\\
       \theta &\leftarrow \theta - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)
       \end{aligned}
    """
    check_same_tree(params, grads)
    check_same_tree(params, state.m, ("params", "state.m"))
    check_same_tree(params, state.v, ("params", "state.v"))
    step = state.step + 1
    m = tree_map(lambda m_, g: beta1 * m_ + (1 - beta1) * g, state.m, grads)
    v = tree_map(lambda v_, g: beta2 * v_ + (1 - beta2) * g * g, state.v, grads)
    c1, c2 = 1 - beta1 ** step, 1 - beta2 ** step
    new = tree_map(lambda p, m_, v_: p - lr * (m_ / c1) / (np.sqrt(v_ / c2) + eps), params, m, v)
    return new, AdamState(step, m, v)


def global_norm(grads):
    """:math:`\\sqrt{\\sum_j \\|g_j\\|^2}` over every leaf of the tree: a scalar, whatever the leaves' shapes."""
    return float(np.sqrt(sum(float(np.sum(np.square(g))) for g in tree_leaves(grads))))


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so that their global norm is at most ``max_norm`` (Pascanu et al. 2013).

The result is a new tree, each leaf the same shape as in ``grads``.

    ``max_norm`` must be positive (``inf`` turns clipping off). Returns ``(clipped, norm)``, the norm before clipping.
    """
    _check_limit(max_norm, "max_norm")
    norm = global_norm(grads)
    scale = min(1.0, max_norm / (norm + 1e-12))
    return tree_map(lambda g: g * scale, grads), norm


def clip_by_value(grads, limit):
    """Clamp every gradient entry to ``[-limit, limit]``, ``limit > 0`` (turns the direction, unlike norm clipping).

Returns a new tree, each leaf the same shape as in ``grads``."""
    _check_limit(limit, "limit")
    return tree_map(lambda g: np.clip(g, -limit, limit), grads)
