"""The character-level LSTM language model in Torch: the twin of :mod:`lstm_course.numpy_impl.charlm`.

:func:`charlm_loss` uses our Torch twin (:func:`lstm_course.torch_impl.lstm_forward`)
on a parameter tree, for the cross-validation against the NumPy model. The
``torch.nn`` form of the same model, for training at speed, is
:class:`lstm_course.models.charlm.CharLSTM`. Checkpoints (plain arrays, no torch
needed) live in :mod:`lstm_course.checkpoint`.
"""

import torch

from .. import _validate
from .lstm import lstm_forward


def charlm_loss(model, ids, state=None):
    """Mean cross-entropy of ``ids[1:]`` given ``ids[:-1]`` (ids: (T + 1, B) LongTensor); returns (loss, state)."""
    V = model["W_hy"].shape[0]
    _validate.check_id_sequence(ids, V, "ids", "torch", min_steps=2)
    xs = torch.nn.functional.one_hot(ids[:-1], V).to(model["W_hy"].dtype)
    h0, c0 = state if state is not None else (None, None)
    out, (h_n, c_n) = lstm_forward(xs, model["lstm"], h0, c0)
    logits = out @ model["W_hy"].T + model["b_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ids[1:].reshape(-1))
    return loss, (h_n, c_n)
