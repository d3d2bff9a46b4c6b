"""The encoder–decoder: hand BPTT (decoder, attention, encoder) against central differences and autograd."""

import numpy as np
import pytest
import torch

from lstm_course.tree import tree_items, tree_map
from lstm_course.gradcheck import check_gradients
from lstm_course.numpy_impl import seq2seq as np_s2s
from lstm_course.torch_impl import seq2seq as t_s2s

PAD = 0


def _batch(rng, S=5, T=4, B=3, V_src=6, V_tgt=7):
    src_lengths = rng.integers(1, S + 1, size=B)
    src_lengths[0] = S
    src = rng.integers(1, V_src, size=(S, B))
    src[np.arange(S)[:, None] >= src_lengths[None, :]] = PAD
    tgt_in = rng.integers(1, V_tgt, size=(T, B))
    tgt_out = rng.integers(1, V_tgt, size=(T, B))
    tgt_out[-1, 1] = PAD  # a padded target position carries no loss
    return src, src_lengths, tgt_in, tgt_out


@pytest.mark.parametrize("A", [None, 3])
def test_seq2seq_backward_matches_central_differences(rng, A):
    src, src_lengths, tgt_in, tgt_out = _batch(rng)
    params = np_s2s.init_seq2seq_params(6, 7, D=3, H=4, A=A, rng=rng)
    params["b_y"] = rng.normal(size=7)
    if A is not None:  # scale 1: larger gradients than the default init, so central differences resolve them
        params["attention"] = {k: rng.normal(size=v.shape) for k, v in params["attention"].items()}

    def loss():
        logits, _, _ = np_s2s.seq2seq_forward(src, src_lengths, tgt_in, params)
        return np_s2s.cross_entropy(logits, tgt_out, PAD)[0]

    logits, _, cache = np_s2s.seq2seq_forward(src, src_lengths, tgt_in, params)
    _, d_logits = np_s2s.cross_entropy(logits, tgt_out, PAD)
    grads = np_s2s.seq2seq_backward(d_logits, cache)
    # step 1e-5, not 1e-6: the W_q gradient is ~2e-4 (the query is a small LSTM state), so at 1e-6 the
    # round-off of the ~2.0 loss (1e-16 / 1e-6) already reaches a relative 1e-6 of it
    errors = check_gradients(loss, params, grads, step=1e-5)
    assert max(errors.values()) < 1e-6, {k: v for k, v in errors.items() if v >= 1e-6}


@pytest.mark.parametrize("A", [None, 5])
def test_numpy_seq2seq_loss_and_gradients_match_torch_autograd_float64(rng, A):
    src, src_lengths, tgt_in, tgt_out = _batch(rng, S=7, T=6, B=4, V_src=9, V_tgt=11)
    params = np_s2s.init_seq2seq_params(9, 11, D=4, H=6, A=A, rng=rng)
    logits, weights, cache = np_s2s.seq2seq_forward(src, src_lengths, tgt_in, params)
    loss, d_logits = np_s2s.cross_entropy(logits, tgt_out, PAD)
    grads = np_s2s.seq2seq_backward(d_logits, cache)

    t_params = tree_map(lambda x: torch.tensor(x, requires_grad=True), params)
    t_logits, t_weights = t_s2s.seq2seq_forward(torch.tensor(src), src_lengths, torch.tensor(tgt_in), t_params)
    t_loss = t_s2s.cross_entropy(t_logits, torch.tensor(tgt_out), PAD)
    t_loss.backward()
    assert abs(loss - t_loss.item()) < 1e-10
    np.testing.assert_allclose(logits, t_logits.detach().numpy(), rtol=0, atol=1e-10)
    if A is not None:
        np.testing.assert_allclose(weights, t_weights.detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-12)
    theirs = dict(tree_items(tree_map(lambda x: x.grad.numpy(), t_params)))
    for path, ours in tree_items(grads):
        np.testing.assert_allclose(ours, theirs[path], rtol=0, atol=1e-10, err_msg=f"mine vs autograd: {path}")
