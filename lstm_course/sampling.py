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
        the distribution puts all its mass on the argmax. The largest logit is
        subtracted *before* dividing, so that every scaled logit is <= 0 and
        the largest is exactly 0: a temperature as small as ``1e-320`` gives
        that limit (the argmax, ties sharing the mass equally) instead of
        ``inf - inf = NaN``.
    top_k : int, optional
        Keep only the k most likely symbols (ties at the k-th value are kept).

    Returns
    -------
    ndarray, shape (..., V), rows summing to 1.

    Raises
    ------
    ValueError
        For a temperature that is not > 0, NaN or ``+inf`` logits, a row with
        no finite logit, or ``top_k`` outside [1, V].
    TypeError
        For a ``top_k`` that is not an integer.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (use greedy() for the argmax); got {temperature}")
    z = np.asarray(logits, dtype=np.float64)
    check_logits(z)
    if top_k is not None:  # dividing by temperature > 0 keeps the order, so the k largest are the same
        check_top_k(top_k, z.shape[-1])
        kth = np.sort(z, axis=-1)[..., -top_k][..., None]
        z = np.where(z >= kth, z, -np.inf)
    z = z - z.max(axis=-1, keepdims=True)  # the max first: every entry <= 0, so no temperature makes inf - inf
    with np.errstate(over="ignore"):  # (z - max) / tiny temperature -> -inf: exp gives exactly 0
        p = np.exp(z / temperature)
    return p / p.sum(axis=-1, keepdims=True)


def check_top_k(top_k, V):
    """``top_k`` must be an integer in [1, V] for logits (..., V): ``TypeError`` or ``ValueError`` naming what came."""
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)):
        raise TypeError(f"top_k must be an integer in [1, V = {V}]; got {top_k!r} of type {type(top_k).__name__}")
    if not 1 <= top_k <= V:
        raise ValueError(f"top_k must be in [1, V = {V}]; got {top_k}")


def check_logits(z):
    """Logits (..., V) must be real numbers: no NaN, no ``+inf``, and at least one finite value per row."""
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits must have shape (..., V) with V >= 1; got shape {z.shape}")
    if np.isnan(z).any():
        raise ValueError(f"logits contain NaN ({int(np.isnan(z).sum())} of {z.size} entries): the model "
                         "that produced them has diverged or read invalid input")
    if (z == np.inf).any():
        raise ValueError("logits contain +inf: the probabilities are undefined")
    if not np.isfinite(z).any(axis=-1).all():
        raise ValueError("every logit of a row is -inf: no symbol can be drawn")


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
    """The argmax: the limit of temperature sampling as the temperature goes to 0.

``logits`` (..., V) gives integer indices of shape (...)."""
    return np.asarray(logits).argmax(axis=-1)


def sample(logits, rng, temperature=1.0, top_k=None):
    """Draw one symbol per row of ``logits`` (B, V) with the explicit ``numpy.random.Generator`` ``rng``."""
    p = probabilities(np.atleast_2d(logits), temperature, top_k)
    return sample_from_uniform(p, rng.random(p.shape[0]))
