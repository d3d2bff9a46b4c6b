"""Central-difference gradient checks, shared by the tests and the book."""

import numpy as np

from .tree import tree_items


def relative_error(a, b):
    """``max |a - b| / max(|a|, |b|, tiny)``: a scale-free measure of disagreement.

``a`` and ``b`` are arrays of the same shape (any shape); the result is a float."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0), 1e-30)
    return float(np.max(np.abs(a - b), initial=0.0) / scale)


def numerical_gradient(f, x, step=1e-6):
    r"""Central differences :math:`(f(x + h e_j) - f(x - h e_j)) / 2h` of a scalar ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        Takes no argument and reads ``x``, which this function perturbs in
        place and restores (so ``f`` really depends on the perturbed entry).
    x : ndarray, float64
    step : float

    Returns
    -------
    ndarray, shape of ``x``.
    """
    grad = np.zeros_like(x)
    for j in np.ndindex(x.shape):
        original = x[j]
        x[j] = original + step
        f_plus = f()
        x[j] = original - step
        f_minus = f()
        x[j] = original
        grad[j] = (f_plus - f_minus) / (2 * step)
    return grad


def check_gradients(f, inputs, analytic, step=1e-6):
    """Compare analytic gradients with central differences, leaf by leaf.

    Parameters
    ----------
    f : callable
        ``f()`` returns the scalar loss, reading the arrays in ``inputs``.
    inputs : tree of float64 ndarray
        The arrays to perturb.
    analytic : tree of ndarray, same structure
        The gradients to check.

    Returns
    -------
    dict
        ``{path: relative error}`` for every leaf.
    """
    numeric = dict(tree_items(inputs))
    ours = dict(tree_items(analytic))
    return {path: relative_error(ours[path], numerical_gradient(f, x, step)) for path, x in numeric.items()}
