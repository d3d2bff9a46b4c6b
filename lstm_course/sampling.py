"""Sampling from a softmax: greedy, temperature and top-k, always with an explicit generator.

The draw itself is an inverse-CDF lookup of a uniform number, so that NumPy
and Torch, given the same uniforms, pick the same symbols
(:func:`lstm_course.torch_impl.sampling.sample_from_uniform` is the twin).
"""

import numpy as np


def probabilities(logits, temperature=1.0, top_k=None):
    r"""Softmax of ``logits / temperature`` over the last axis, restricted to the ``top_k`` largest.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
    temperature : float > 0
        Below 1 sharpens the distribution; above 1 flattens it. As it goes to 0
        the distribution puts all its mass on the argmax.
    top_k : int, optional
        Keep only the k most likely symbols (ties at the k-th value are kept).

    Returns
    -------
    ndarray, shape (..., V), rows summing to 1.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (use greedy() for the argmax); got {temperature}")
    z = np.asarray(logits, dtype=np.float64) / temperature
    if top_k is not None:
        if not 1 <= top_k <= z.shape[-1]:
            raise ValueError(f"top_k must be in [1, V = {z.shape[-1]}]; got {top_k}")
        kth = np.sort(z, axis=-1)[..., -top_k][..., None]
        z = np.where(z >= kth, z, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample_from_uniform(p, u):
    """Inverse-CDF draw: the first index whose cumulative probability exceeds ``u``.

    Parameters
    ----------
    p : ndarray, shape (B, V)
    u : ndarray, shape (B,), values in [0, 1)

    Returns
    -------
    int ndarray, shape (B,)
    """
    cdf = np.cumsum(p, axis=-1)
    return np.minimum((cdf <= np.asarray(u)[:, None]).sum(axis=-1), p.shape[-1] - 1)


def greedy(logits):
    """The argmax: the limit of temperature sampling as the temperature goes to 0."""
    return np.asarray(logits).argmax(axis=-1)


def sample(logits, rng, temperature=1.0, top_k=None):
    """Draw one symbol per row of ``logits`` (B, V) with the explicit ``numpy.random.Generator`` ``rng``."""
    p = probabilities(np.atleast_2d(logits), temperature, top_k)
    return sample_from_uniform(p, rng.random(p.shape[0]))
