r"""An encoder–decoder in NumPy, with or without attention, and its backward pass by hand.

The encoder is the package's LSTM over the embedded source; its final state
starts the decoder (Sutskever et al. 2014). At target step t the decoder reads
the embedding of the previous target token :math:`y_{t-1}` (teacher forcing)
and, with attention, the context computed from its previous state
(Bahdanau et al. 2015):

.. math::
   \text{context}_t = \text{attention}(h_{t-1}, \text{keys}),\quad
   h_t, c_t = \text{LSTM}([E y_{t-1}, \text{context}_t], h_{t-1}, c_{t-1}),\quad
   \text{logits}_t = W_{hy} [h_t, \text{context}_t] + b_y.

Without attention the context is absent from both lines. Backpropagation runs
through the decoder, the attention and then the encoder (:func:`seq2seq_backward`).
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..params import init_lstm_params
from .attention import attention_backward, attention_forward
from .lstm import _lstm_step_forward, lstm_backward, lstm_forward, lstm_step_backward


class Seq2SeqCache(NamedTuple):
    """What :func:`seq2seq_forward` keeps for :func:`seq2seq_backward`."""

    src: np.ndarray  # (S, B) int
    tgt_in: np.ndarray  # (T, B) int
    encoder_cache: object  # LSTMCache
    keys: np.ndarray  # (S, B, H)
    step_caches: list  # per t: (LSTMStepCache, AttentionCache or None)
    outputs: list  # per t: (B, H [+ H]) the readout's input
    params: dict


def init_seq2seq_params(V_src, V_tgt, D, H, A=None, rng=None, dtype=np.float64):
    """Parameters of :func:`seq2seq_forward`; ``A=None`` builds the model without attention.

    Returns
    -------
    dict
        ``E_src (V_src, D)``, ``E_tgt (V_tgt, D)``, ``encoder`` (LSTM layer list,
        input D, hidden H), ``decoder`` (one LSTM direction, input D [+ H]),
        ``attention`` (``W_q (A, H)``, ``W_k (A, H)``, ``v (A,)``, only with
        attention), ``W_hy (V_tgt, H [+ H])``, ``b_y (V_tgt,)``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    H_ctx = 0 if A is None else H
    params = {
        "E_src": rng.normal(scale=0.5, size=(V_src, D)).astype(dtype),
        "E_tgt": rng.normal(scale=0.5, size=(V_tgt, D)).astype(dtype),
        "encoder": init_lstm_params(D, H, rng=rng, dtype=dtype),
        "decoder": init_lstm_params(D + H_ctx, H, rng=rng, dtype=dtype)[0]["forward"],
        "W_hy": rng.normal(scale=1 / np.sqrt(H + H_ctx), size=(V_tgt, H + H_ctx)).astype(dtype),
        "b_y": np.zeros(V_tgt, dtype=dtype),
    }
    if A is not None:
        params["attention"] = {"W_q": rng.normal(scale=1 / np.sqrt(H), size=(A, H)).astype(dtype),
                               "W_k": rng.normal(scale=1 / np.sqrt(H), size=(A, H)).astype(dtype),
                               "v": rng.normal(scale=1 / np.sqrt(A), size=A).astype(dtype)}
    return params


def seq2seq_forward(src, src_lengths, tgt_in, params):
    """Teacher-forced forward pass of the encoder–decoder.

    Parameters
    ----------
    src : int ndarray, shape (S, B)
        Source tokens, padded after each sequence's end.
    src_lengths : int ndarray, shape (B,)
    tgt_in : int ndarray, shape (T, B)
        Decoder inputs: ``bos`` then the target shifted right.
    params : dict
        See :func:`init_seq2seq_params`.

    Returns
    -------
    logits : ndarray, shape (T, B, V_tgt)
    weights : ndarray, shape (T, S, B), or None without attention
    cache : Seq2SeqCache

    See Also
    --------
    lstm_course.torch_impl.seq2seq_forward : the Torch twin.
    """
    src_lengths = _validate.check_seq2seq(src, src_lengths, tgt_in, params, "numpy")
    S, B = src.shape
    mask = np.arange(S)[:, None] < np.asarray(src_lengths)[None, :]  # (S, B)
    keys, (h_n, c_n), encoder_cache = lstm_forward(params["E_src"][src], params["encoder"], lengths=src_lengths)
    h, c = h_n[0], c_n[0]  # the encoder's final state starts the decoder
    attention = params.get("attention")
    logits, weights, step_caches, outputs = [], [], [], []
    for t in range(tgt_in.shape[0]):
        x_t, a_cache = params["E_tgt"][tgt_in[t]], None
        if attention is not None:
            context, alpha, a_cache = attention_forward(h, keys, attention, mask)  # query: h_{t-1}
            x_t = np.concatenate([x_t, context], axis=1)
            weights.append(alpha)
        h, c, l_cache = _lstm_step_forward(x_t, h, c, params["decoder"])
        out_t = h if attention is None else np.concatenate([h, context], axis=1)
        logits.append(out_t @ params["W_hy"].T + params["b_y"])
        step_caches.append((l_cache, a_cache))
        outputs.append(out_t)
    weights = np.stack(weights) if weights else None
    cache = Seq2SeqCache(src, tgt_in, encoder_cache, keys, step_caches, outputs, params)
    return np.stack(logits), weights, cache


def cross_entropy(logits, targets, pad):
    """Mean cross-entropy over the target tokens that are not ``pad``.

    Parameters
    ----------
    logits : ndarray, shape (T, B, V)
    targets : int ndarray, shape (T, B)
    pad : int

    Returns
    -------
    loss : float
    d_logits : ndarray, shape (T, B, V)
    """
    _validate.check_targets(logits, targets)
    valid = targets != pad
    shifted = logits - logits.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[:, :, None], axis=2)[:, :, 0]
    count = max(int(valid.sum()), 1)
    loss = -float((picked * valid).sum()) / count
    d_logits = np.exp(log_probs)
    np.put_along_axis(d_logits, targets[:, :, None], np.take_along_axis(d_logits, targets[:, :, None], 2) - 1, 2)
    return loss, d_logits * valid[:, :, None] / count


def seq2seq_backward(d_logits, cache):
    """Backpropagation through the decoder, the attention and the encoder.

    Parameters
    ----------
    d_logits : ndarray, shape (T, B, V_tgt)
    cache : Seq2SeqCache

    Returns
    -------
    grads : dict, the structure of ``params``
    """
    p = cache.params
    H = p["decoder"]["b_f"].shape[0]
    D = p["E_tgt"].shape[1]
    grads = {"E_src": np.zeros_like(p["E_src"]), "E_tgt": np.zeros_like(p["E_tgt"]),
             "decoder": {k: np.zeros_like(v) for k, v in p["decoder"].items()},
             "W_hy": np.zeros_like(p["W_hy"]), "b_y": np.zeros_like(p["b_y"])}
    if "attention" in p:
        grads["attention"] = {k: np.zeros_like(v) for k, v in p["attention"].items()}
    d_keys = np.zeros_like(cache.keys)
    dh_next = np.zeros_like(cache.keys[0])  # from step t+1
    dc_next = np.zeros_like(dh_next)
    for t in reversed(range(d_logits.shape[0])):
        l_cache, a_cache = cache.step_caches[t]
        grads["W_hy"] += d_logits[t].T @ cache.outputs[t]
        grads["b_y"] += d_logits[t].sum(axis=0)
        d_out = d_logits[t] @ p["W_hy"]  # (B, H [+ H])
        dh = d_out[:, :H] + dh_next  # from the output at t, plus from step t+1
        dx, dh_prev, dc_prev, g = lstm_step_backward(dh, dc_next, l_cache)
        _accumulate(grads["decoder"], g)
        np.add.at(grads["E_tgt"], cache.tgt_in[t], dx[:, :D])
        if a_cache is not None:
            d_context = d_out[:, H:] + dx[:, D:]  # the readout and the LSTM input both saw it
            d_query, dk, g = attention_backward(d_context, None, a_cache)
            _accumulate(grads["attention"], g)
            dh_prev = dh_prev + d_query
            d_keys += dk
        dh_next, dc_next = dh_prev, dc_prev
    d_xs, _, _, grads["encoder"] = lstm_backward(d_keys, dh_next[None], dc_next[None], cache.encoder_cache)
    np.add.at(grads["E_src"], cache.src, d_xs)
    return grads


def _accumulate(total, grads):
    for key, value in grads.items():
        total[key] += value
