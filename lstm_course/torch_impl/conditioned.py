r"""The conditioned decoder in Torch: :math:`h_0 = \tanh(W_{img} f + b_{img})`, then next-step LSTM; autograd gradients."""

import torch

from .. import _validate
from .lstm import _lstm_step_forward


def init_state_forward(features, W_img, b_img):
    """``h0 = tanh(features @ W_img.T + b_img)``: features (B, F), W_img (H, F), b_img (H,) -> (B, H).

    See Also
    --------
    lstm_course.numpy_impl.init_state_forward : the NumPy twin, with its backward.
    """
    _validate.check_conditioning(features, W_img, b_img, "torch")
    return torch.tanh(features @ W_img.T + b_img)


def conditioned_forward(features, xs, model):
    """Logits (T, B, V) of the decoder started from ``features`` (B, F), reading ``xs`` (T, B, D).

    See Also
    --------
    lstm_course.numpy_impl.conditioned_forward : the NumPy twin, with its backward.
    """
    _validate.check_decoder(features, xs, model, "torch")
    h_t = torch.tanh(features @ model["W_img"].T + model["b_img"])  # (B, H)
    c_t = torch.zeros_like(h_t)
    outs = []
    for x_t in xs:  # T steps
        h_t, c_t = _lstm_step_forward(x_t, h_t, c_t, model["lstm"])
        outs.append(h_t)
    return torch.stack(outs) @ model["W_hy"].T + model["b_y"]  # (T, B, V)


def conditioned_loss(features, ids, model, mask=None):
    """Mean cross-entropy (nats per real target) of predicting ``ids[1:]`` (T, B) from ``ids[:-1]``.

    See Also
    --------
    lstm_course.numpy_impl.conditioned_loss : the NumPy twin, with hand-written gradients.
    """
    V = model["W_hy"].shape[0]
    _validate.check_id_sequence(ids, V, "ids", "torch", min_steps=2)
    if mask is not None and tuple(getattr(mask, "shape", ())) != (ids.shape[0] - 1, ids.shape[1]):
        raise ValueError(f"mask must have shape (T, B) = {(ids.shape[0] - 1, ids.shape[1])}, that of the targets "
                         f"ids[1:]; got {getattr(mask, 'shape', type(mask).__name__)}")
    xs = torch.nn.functional.one_hot(ids[:-1], V).to(model["W_hy"].dtype)  # (T, B, V)
    logits = conditioned_forward(features, xs, model)
    nll = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ids[1:].reshape(-1), reduction="none")
    mask = torch.ones_like(nll) if mask is None else mask.reshape(-1).to(nll.dtype)
    return (nll * mask).sum() / mask.sum()
