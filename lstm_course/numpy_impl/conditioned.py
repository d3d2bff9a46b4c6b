r"""A decoder conditioned on an input vector: the one-to-many picture, in NumPy with hand-written gradients.

An encoder (for captioning, a small CNN) turns the input into a feature vector
``features``; the decoder's initial state is computed from it,

.. math::
   h_0 = \tanh(W_{img}\, \mathrm{features} + b_{img}),\qquad c_0 = 0,

and from there the decoder is the generative chapter's next-step LSTM: at every
step it reads the previous token (teacher forcing) and a softmax readout
predicts the next one. The backward pass runs BPTT down to :math:`h_0` and
then through the tanh into :math:`W_{img}`, :math:`b_{img}` and the features
(so an encoder below can be trained end to end).
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..params import init_lstm_params
from .charlm import one_hot
from .lstm import _lstm_step_forward, lstm_step_backward
from .readout import linear_backward, linear_forward, log_softmax


class ConditionedCache(NamedTuple):
    """What :func:`conditioned_forward` keeps for :func:`conditioned_backward`."""

    features: np.ndarray  # (B, F)
    h0: np.ndarray  # (B, H), after the tanh
    steps: list  # T LSTMStepCache
    out: np.ndarray  # (T, B, H)
    model: dict


def init_conditioned_decoder(F, D, H, V, rng, forget_bias=1.0, dtype=np.float64):
    """Parameters ``{"W_img" (H, F), "b_img" (H,), "lstm": {W_f ... (H, D + H), b_f ...}, "W_hy" (V, H), "b_y" (V,)}``."""
    bound = 1.0 / np.sqrt(H)
    return {"W_img": rng.uniform(-1 / np.sqrt(F), 1 / np.sqrt(F), (H, F)).astype(dtype),
            "b_img": np.zeros(H, dtype=dtype),
            "lstm": init_lstm_params(D, H, rng=rng, dtype=dtype, forget_bias=forget_bias)[0]["forward"],
            "W_hy": rng.uniform(-bound, bound, (V, H)).astype(dtype), "b_y": np.zeros(V, dtype=dtype)}


def init_state_forward(features, W_img, b_img):
    r"""The decoder's initial state from the features: :math:`h_0 = \tanh(W_{img} f + b_{img})`.

    Parameters
    ----------
    features : ndarray, shape (B, F)
    W_img : ndarray, shape (H, F)
    b_img : ndarray, shape (H,)

    Returns
    -------
    h0 : ndarray, shape (B, H)

    See Also
    --------
    lstm_course.torch_impl.init_state_forward : the Torch twin.
    """
    _validate.check_conditioning(features, W_img, b_img, "numpy")
    return np.tanh(features @ W_img.T + b_img)  # eq. (cond-h0)


def init_state_backward(dh0, features, W_img, h0):
    """Backward of :func:`init_state_forward`.

    Parameters
    ----------
    dh0 : ndarray, shape (B, H)
    features : ndarray, shape (B, F)
    W_img : ndarray, shape (H, F)
    h0 : ndarray, shape (B, H), the forward's output

    Returns
    -------
    d_features : ndarray, shape (B, F)
    grads : dict ``{"W_img" (H, F), "b_img" (H,)}``
    """
    dz = dh0 * (1 - h0 ** 2)  # through the tanh
    return dz @ W_img, {"W_img": dz.T @ features, "b_img": dz.sum(axis=0)}


def conditioned_forward(features, xs, model):
    """Run the conditioned decoder over inputs ``xs`` from the state that ``features`` set.

    Parameters
    ----------
    features : ndarray, shape (B, F)
    xs : ndarray, shape (T, B, D)
        The decoder's inputs (for captioning, the previous tokens one-hot).
    model : dict, from :func:`init_conditioned_decoder`

    Returns
    -------
    logits : ndarray, shape (T, B, V)
    cache : ConditionedCache

    See Also
    --------
    lstm_course.torch_impl.conditioned_forward : the Torch twin.
    """
    _validate.check_decoder(features, xs, model, "numpy")
    T, B, D = xs.shape
    h0 = np.tanh(features @ model["W_img"].T + model["b_img"])  # (B, H)   eq. (cond-h0)
    h_t, c_t = h0, np.zeros_like(h0)
    outs, steps = [], []
    for t in range(T):
        h_t, c_t, step = _lstm_step_forward(xs[t], h_t, c_t, model["lstm"])
        outs.append(h_t)
        steps.append(step)
    out = np.stack(outs)  # (T, B, H)
    return linear_forward(out, model["W_hy"], model["b_y"]), ConditionedCache(features, h0, steps, out, model)


def conditioned_backward(d_logits, cache):
    """Backward of :func:`conditioned_forward`: BPTT down to ``h0``, then through the tanh into ``W_img``.

    Parameters
    ----------
    d_logits : ndarray, shape (T, B, V)
    cache : ConditionedCache

    Returns
    -------
    d_features : ndarray, shape (B, F)
    d_xs : ndarray, shape (T, B, D)
    grads : dict, the structure of ``model``
    """
    model = cache.model
    d_out, head = linear_backward(d_logits, cache.out, model["W_hy"])  # (T, B, H)
    T = d_out.shape[0]
    dh_next = np.zeros_like(cache.h0)  # gradient reaching h_t from step t + 1
    dc_next = np.zeros_like(cache.h0)
    d_lstm = {k: np.zeros_like(v) for k, v in model["lstm"].items()}
    d_xs = []
    for t in reversed(range(T)):
        dh_t = d_out[t] + dh_next  # from the output at t, plus from step t + 1
        dx_t, dh_next, dc_next, g = lstm_step_backward(dh_t, dc_next, cache.steps[t])
        d_lstm = {k: d_lstm[k] + g[k] for k in d_lstm}
        d_xs.append(dx_t)
    # c0 = 0 is a constant: dc_next stops here; dh_next continues into the image projection
    d_features, d_img = init_state_backward(dh_next, cache.features, model["W_img"], cache.h0)
    return d_features, np.stack(d_xs[::-1]), {**d_img, "lstm": d_lstm, **head}


def masked_cross_entropy(logits, targets, mask=None):
    r"""Cross-entropy averaged over the real (unmasked) positions, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
    targets : int ndarray, shape (T, B)
    mask : ndarray, shape (T, B), optional
        1 where a target is real, 0 on padding; all ones if omitted.

    Returns
    -------
    loss : float, nats per real target
    d_logits : ndarray, shape (T, B, V)
    """
    _validate.check_targets(logits, targets)
    _check_mask(mask, targets.shape)
    mask = np.ones(targets.shape, dtype=logits.dtype) if mask is None else mask.astype(logits.dtype)
    logp = log_softmax(logits)
    picked = np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]  # (T, B)
    n = mask.sum()
    d_logits = np.exp(logp)
    np.put_along_axis(d_logits, targets[..., None], np.take_along_axis(d_logits, targets[..., None], -1) - 1, -1)
    return float(-(picked * mask).sum() / n), d_logits * (mask / n)[..., None]


def conditioned_loss(features, ids, model, mask=None):
    """Mean cross-entropy of predicting ``ids[1:]`` from ``ids[:-1]``, started from ``features``, and its gradients.

    Parameters
    ----------
    features : ndarray, shape (B, F)
    ids : int ndarray, shape (T + 1, B)
        Token ids, starting with the start token.
    model : dict, from :func:`init_conditioned_decoder` (``D`` = vocabulary size V)
    mask : ndarray, shape (T, B), optional
        Which targets ``ids[1:]`` are real (not padding).

    Returns
    -------
    loss : float (nats per real target)
    grads : dict, the structure of ``model``
    d_features : ndarray, shape (B, F)

    See Also
    --------
    lstm_course.torch_impl.conditioned_loss : the Torch twin.
    """
    V = model["W_hy"].shape[0]
    _validate.check_id_sequence(ids, V, "ids", "numpy", min_steps=2)
    _check_mask(mask, (ids.shape[0] - 1, ids.shape[1]))
    logits, cache = conditioned_forward(features, one_hot(ids[:-1], V, model["W_hy"].dtype), model)
    loss, d_logits = masked_cross_entropy(logits, ids[1:], mask)
    d_features, _, grads = conditioned_backward(d_logits, cache)
    return loss, grads, d_features


def _check_mask(mask, shape):
    if mask is not None and tuple(getattr(mask, "shape", ())) != tuple(shape):
        raise ValueError(f"mask must have shape (T, B) = {tuple(shape)}, that of the targets ids[1:]; "
                         f"got {getattr(mask, 'shape', type(mask).__name__)}")
