"""The conditioned decoder (h0 = tanh(W_img f + b_img), then next-step LSTM): NumPy, our Torch and torch.nn agree."""

import numpy as np
import pytest
import torch

from conftest import DEVICES
from lstm_course import convert
from lstm_course.tree import tree_items, tree_map
from lstm_course.gradcheck import check_gradients
from lstm_course.numpy_impl import conditioned_loss, init_conditioned_decoder, init_state_forward
from lstm_course.numpy_impl.conditioned import conditioned_forward
from lstm_course import torch_impl


def _case(rng, B=3, T=5, F=6, H=4, V=7):
    model = init_conditioned_decoder(F, V, H, V, rng)
    model["b_img"] = rng.normal(size=H)  # non-zero biases everywhere
    model["b_y"] = rng.normal(size=V)
    features = rng.normal(size=(B, F))
    ids = rng.integers(0, V, size=(T + 1, B))
    mask = (rng.random((T, B)) < 0.8).astype(float)
    mask[0] = 1
    return model, features, ids, mask


@pytest.mark.parametrize("shape", [dict(B=1, T=1), dict(B=3, T=5), dict(B=2, T=4, H=2, F=1)])
def test_conditioned_decoder_matches_central_differences_through_h0_into_W_img(rng, shape):
    model, features, ids, mask = _case(rng, **shape)
    loss, grads, d_features = conditioned_loss(features, ids, model, mask)
    errors = check_gradients(lambda: conditioned_loss(features, ids, model, mask)[0],
                             {"model": model, "features": features}, {"model": grads, "features": d_features})
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("device", DEVICES)
def test_numpy_conditioned_decoder_matches_torch_autograd_in_float64(rng, device):
    model, features, ids, mask = _case(rng)
    loss, grads, d_features = conditioned_loss(features, ids, model, mask)
    t_model = convert.to_tensors(model, device=device, requires_grad=True)
    t_features = torch.tensor(features, device=device, requires_grad=True)
    t_loss = torch_impl.conditioned_loss(t_features, torch.tensor(ids, device=device), t_model,
                                         torch.tensor(mask, device=device))
    t_loss.backward()
    assert abs(t_loss.item() - loss) < 1e-10
    assert np.allclose(t_features.grad.cpu().numpy(), d_features, rtol=0, atol=1e-10)
    theirs = dict(tree_items(tree_map(lambda t: t.grad.detach().cpu().numpy(), t_model)))
    for path, ours in tree_items(grads):
        assert np.allclose(ours, theirs[path], rtol=0, atol=1e-10), f"{path}: mine vs autograd"


def test_conditioned_decoder_matches_torch_nn_lstm_started_from_h0(rng):
    model, features, ids, _ = _case(rng)
    V = model["W_hy"].shape[0]
    xs = np.eye(V)[ids[:-1]]
    logits, _ = conditioned_forward(features, xs, model)
    lstm = torch.nn.LSTM(V, model["W_hy"].shape[1]).double()
    convert.load_into(lstm, [{"forward": model["lstm"]}])
    h0 = torch.tanh(torch.tensor(features @ model["W_img"].T + model["b_img"]))[None]
    out, _ = lstm(torch.tensor(xs), (h0, torch.zeros_like(h0)))
    theirs = out.detach().numpy() @ model["W_hy"].T + model["b_y"]
    assert np.allclose(logits, theirs, rtol=0, atol=1e-10)


def test_the_features_reach_every_step_through_h0(rng):
    model, features, ids, _ = _case(rng)
    V = model["W_hy"].shape[0]
    xs = np.eye(V)[ids[:-1]]
    a, _ = conditioned_forward(features, xs, model)
    b, _ = conditioned_forward(features + 1.0, xs, model)
    assert np.all(np.abs(a - b).max(axis=(1, 2)) > 1e-6), "changing the features changes every step's logits"


def test_initial_state_is_tanh_of_the_projection_and_in_minus_one_one(rng):
    features, W_img, b_img = rng.normal(size=(4, 3)) * 10, rng.normal(size=(5, 3)), rng.normal(size=5)
    h0 = init_state_forward(features, W_img, b_img)
    assert h0.shape == (4, 5) and np.all(np.abs(h0) <= 1)
    assert np.allclose(torch_impl.init_state_forward(*map(torch.tensor, (features, W_img, b_img))).numpy(),
                       h0, rtol=0, atol=1e-12)
