"""Activations and their derivatives, written so that no input overflows."""

import numpy as np


def sigmoid(z):
    r"""Logistic sigmoid :math:`\sigma(z) = 1 / (1 + e^{-z})`, stable for any ``z``.

    Computes ``exp(-|z|)`` only, so ``z = ±1e4`` gives exactly 1 and 0 with no
    overflow warning.

    Parameters
    ----------
    z : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as ``z``, values in [0, 1].
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(z, np.float32), copy=False)


def relu(z):
    """Rectified linear unit ``max(z, 0)``, same shape and dtype as ``z``."""
    return np.maximum(z, 0)


ACTIVATIONS = {"tanh": np.tanh, "relu": relu}  # keyed by notation.NONLINEARITIES


def activation_derivative(a, nonlinearity):
    r"""Derivative of the activation, written in terms of its *output* ``a``.

    tanh: :math:`1 - a^2`; relu: :math:`[a > 0]`.

    Parameters
    ----------
    a : ndarray
        Output of the activation (the cache stores values after activation).
    nonlinearity : {"tanh", "relu"}
    """
    if nonlinearity == "tanh":
        return 1.0 - a * a
    return (a > 0).astype(a.dtype)

