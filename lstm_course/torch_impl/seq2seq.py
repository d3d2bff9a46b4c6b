"""The encoder–decoder in Torch: the same maths as :mod:`lstm_course.numpy_impl.seq2seq`, autograd."""

import torch

from .. import _validate
from .attention import attention_forward
from .lstm import _lstm_step_forward, lstm_forward


def seq2seq_forward(src, src_lengths, tgt_in, params):
    """Teacher-forced forward pass; shapes and parameters as in the NumPy twin.

    Returns
    -------
    logits : Tensor, shape (T, B, V_tgt)
    weights : Tensor, shape (T, S, B), or None without attention

    See Also
    --------
    lstm_course.numpy_impl.seq2seq_forward : the NumPy twin, with its backward.
    """
    src_lengths = _validate.check_seq2seq(src, src_lengths, tgt_in, params, "torch")
    S, B = src.shape
    lengths = torch.as_tensor(src_lengths, device=src.device)
    mask = torch.arange(S, device=src.device)[:, None] < lengths[None, :]  # (S, B)
    keys, (h_n, c_n) = lstm_forward(params["E_src"][src], params["encoder"], lengths=src_lengths)
    h, c = h_n[0], c_n[0]
    attention = params.get("attention")
    logits, weights = [], []
    for t in range(tgt_in.shape[0]):
        x_t = params["E_tgt"][tgt_in[t]]
        if attention is not None:
            context, alpha = attention_forward(h, keys, attention, mask)
            x_t = torch.cat([x_t, context], dim=1)
            weights.append(alpha)
        h, c = _lstm_step_forward(x_t, h, c, params["decoder"])
        out_t = h if attention is None else torch.cat([h, context], dim=1)
        logits.append(out_t @ params["W_hy"].T + params["b_y"])
    return torch.stack(logits), (torch.stack(weights) if weights else None)


def cross_entropy(logits, targets, pad):
    """Mean cross-entropy over non-``pad`` targets: ``logits (T, B, V)``, ``targets (T, B)``."""
    _validate.check_targets(logits, targets)
    valid = targets != pad
    log_probs = torch.log_softmax(logits, dim=2)
    picked = log_probs.gather(2, targets.unsqueeze(2)).squeeze(2)
    return -(picked * valid).sum() / valid.sum().clamp(min=1)
