r"""The readout :math:`\hat y_t = \sigma_{out}(W_{hy} h_t + b_y)` with softmax and cross-entropy."""

import numpy as np

from .. import _validate


def linear_forward(h, W_hy, b_y):
    """Logits ``h @ W_hy.T + b_y``: h (..., H), W_hy (C, H), b_y (C,) -> (..., C)."""
    return h @ W_hy.T + b_y


def linear_backward(d_logits, h, W_hy):
    """Gradients of :func:`linear_forward`: returns ``(dh, {"W_hy", "b_y"})``.

``d_logits`` is (..., C) and ``h`` (..., H) with ``W_hy`` (C, H); ``dh`` comes back (..., H),
``dW_hy`` (C, H) and ``db_y`` (C,)."""
    d2, h2 = d_logits.reshape(-1, d_logits.shape[-1]), h.reshape(-1, h.shape[-1])
    return d_logits @ W_hy, {"W_hy": d2.T @ h2, "b_y": d2.sum(axis=0)}


def log_softmax(logits):
    """Stable log-softmax over the last axis: logits (..., C) -> log-probabilities (..., C)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_cross_entropy(logits, targets):
    r"""Mean cross-entropy :math:`-\frac1N\sum \log \mathrm{softmax}(z)_{y}` and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (..., C)
    targets : int ndarray, shape (...)

    Returns
    -------
    loss : float (nats)
    d_logits : ndarray, shape (..., C)
    """
    _validate.check_targets(logits, targets)
    logp = log_softmax(logits)
    n = targets.size
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]
    d_logits = np.exp(logp)
    y_hat_target = np.take_along_axis(d_logits, targets[..., None], -1)
    np.put_along_axis(d_logits, targets[..., None], y_hat_target - 1, -1)
    return float(-picked.sum() / n), d_logits / n


def masked_softmax_cross_entropy(logits, targets, mask):
    r"""Per-step cross-entropy averaged over the real (unpadded) steps only, and its gradient.

    .. math:: \mathcal{L} = \frac{1}{\sum_{t,b} m_{tb}} \sum_{t,b} m_{tb}\,
              \bigl(-\log \hat y_{tb}[y_{tb}]\bigr),\qquad
              \frac{\partial \mathcal{L}}{\partial z_{tb}} = \frac{m_{tb}}{\sum m}\,(\hat y_{tb} - e_{y_{tb}})

    Parameters
    ----------
    logits : ndarray, shape (T, B, C)
    targets : int ndarray, shape (T, B)
        Any valid class index at padded steps (it is ignored).
    mask : ndarray, shape (T, B)
        1 at real steps, 0 at padding; at least one step must be real.

    Returns
    -------
    loss : float (nats per real step)
    d_logits : ndarray, shape (T, B, C), zero at padded steps
    """
    _validate.check_targets(logits, targets)
    mask = np.asarray(mask, dtype=logits.dtype)
    logp = log_softmax(logits)
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]  # (T, B)
    n = mask.sum()
    d_logits = np.exp(logp)  # y_hat
    y_hat_target = np.take_along_axis(d_logits, targets[..., None], -1)
    np.put_along_axis(d_logits, targets[..., None], y_hat_target - 1, -1)
    return float(-(mask * picked).sum() / n), d_logits * (mask / n)[..., None]
