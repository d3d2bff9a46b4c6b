"""Additive attention: NumPy backward against central differences and autograd; the Torch twin."""

import numpy as np
import pytest
import torch

from conftest import DEVICES
from lstm_course import numpy_impl, torch_impl
from lstm_course.gradcheck import check_gradients
from lstm_course.numpy_impl.attention import attention_backward, attention_forward


def _case(rng, S, B, H_q, H_k, A, masked):
    query = rng.normal(size=(B, H_q))
    keys = rng.normal(size=(S, B, H_k))
    params = {"W_q": rng.normal(size=(A, H_q)), "W_k": rng.normal(size=(A, H_k)), "v": rng.normal(size=A)}
    mask = None
    if masked:
        lengths = rng.integers(1, S + 1, size=B)
        lengths[0] = S
        mask = np.arange(S)[:, None] < lengths[None, :]
    return query, keys, params, mask


SHAPES = [(1, 1, 1, 1, 1), (5, 3, 4, 6, 7), (4, 2, 3, 3, 2), (7, 1, 2, 5, 3)]


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("shape", SHAPES)
def test_attention_backward_matches_central_differences(rng, shape, masked):
    query, keys, params, mask = _case(rng, *shape, masked)
    S, B = keys.shape[:2]
    d_context, d_weights = rng.normal(size=(B, keys.shape[2])), rng.normal(size=(S, B))

    def loss():
        context, weights, _ = attention_forward(query, keys, params, mask)
        return float((context * d_context).sum() + (weights * d_weights).sum())

    _, _, cache = attention_forward(query, keys, params, mask)
    d_query, d_keys, grads = attention_backward(d_context, d_weights, cache)
    errors = check_gradients(loss, {"query": query, "keys": keys, "params": params},
                             {"query": d_query, "keys": d_keys, "params": grads})
    assert max(errors.values()) < 1e-6, errors


def test_attention_scores_match_a_scalar_loop(rng):
    query, keys, params, _ = _case(rng, 4, 3, 2, 5, 3, False)
    _, weights, _ = attention_forward(query, keys, params)
    scores = np.zeros((4, 3))
    for s in range(4):
        for b in range(3):
            scores[s, b] = sum(params["v"][a] * np.tanh(params["W_q"][a] @ query[b] + params["W_k"][a] @ keys[s, b])
                               for a in range(3))
    expected = np.exp(scores) / np.exp(scores).sum(axis=0)
    np.testing.assert_allclose(weights, expected, rtol=0, atol=1e-12)


def test_attention_weights_sum_to_one_over_source_and_are_zero_on_padding(rng):
    query, keys, params, mask = _case(rng, 6, 4, 3, 3, 4, True)
    context, weights, _ = attention_forward(query, keys, params, mask)
    np.testing.assert_allclose(weights.sum(axis=0), 1.0, atol=1e-12)
    assert np.all(weights[~mask] == 0)
    # changing a padded key changes nothing
    keys2 = keys.copy()
    keys2[~mask] = 100.0
    np.testing.assert_array_equal(attention_forward(query, keys2, params, mask)[0], context)


@pytest.mark.parametrize("d_weights_given", [False, True])
@pytest.mark.parametrize("masked", [False, True])
def test_numpy_attention_backward_matches_torch_autograd(rng, masked, d_weights_given):
    query, keys, params, mask = _case(rng, 5, 3, 4, 6, 7, masked)
    S, B = keys.shape[:2]
    d_context = rng.normal(size=(B, 6))
    d_weights = rng.normal(size=(S, B)) if d_weights_given else None
    _, _, cache = attention_forward(query, keys, params, mask)
    ours = attention_backward(d_context, d_weights, cache)
    tq, tk = torch.tensor(query, requires_grad=True), torch.tensor(keys, requires_grad=True)
    tp = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    context, weights = torch_impl.attention_forward(tq, tk, tp, None if mask is None else torch.tensor(mask))
    loss = (context * torch.tensor(d_context)).sum()
    if d_weights is not None:
        loss = loss + (weights * torch.tensor(d_weights)).sum()
    loss.backward()
    np.testing.assert_allclose(ours[0], tq.grad.numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours[1], tk.grad.numpy(), rtol=0, atol=1e-10)
    for key in params:
        np.testing.assert_allclose(ours[2][key], tp[key].grad.numpy(), rtol=0, atol=1e-10, err_msg=key)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("masked", [False, True])
def test_numpy_attention_matches_torch_twin_float64(rng, device, masked):
    query, keys, params, mask = _case(rng, 5, 3, 4, 6, 7, masked)
    context, weights, _ = numpy_impl.attention_forward(query, keys, params, mask)
    to = lambda x: torch.tensor(x, device=device)  # noqa: E731
    t_context, t_weights = torch_impl.attention_forward(
        to(query), to(keys), {k: to(v) for k, v in params.items()}, None if mask is None else to(mask))
    np.testing.assert_allclose(t_context.cpu().numpy(), context, rtol=0, atol=1e-10)
    np.testing.assert_allclose(t_weights.cpu().numpy(), weights, rtol=0, atol=1e-10)


def test_attention_rejects_bad_shapes_with_one_clear_message(rng):
    query, keys, params, _ = _case(rng, 5, 3, 4, 6, 7, False)
    with pytest.raises(ValueError, match=r"keys must have shape \(S, B, H_k\)"):
        attention_forward(query, keys[0], params)
    with pytest.raises(ValueError, match="query has batch 2"):
        attention_forward(query[:2], keys, params)
    with pytest.raises(ValueError, match=r"params\['W_k'\] must have shape \(7, 6\)"):
        attention_forward(query, keys, dict(params, W_k=params["W_k"][:, :2]))
    with pytest.raises(ValueError, match="at least one position"):
        attention_forward(query, keys, params, np.zeros((5, 3), dtype=bool))
