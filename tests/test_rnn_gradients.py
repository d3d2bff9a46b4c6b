"""Backpropagation through time for the RNN, checked against central differences (float64)."""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.gradcheck import check_gradients, relative_error, numerical_gradient
from lstm_course.params import init_rnn_params

GRADCHECK = 1e-6  # central differences with step 1e-6 in float64: truncation ~1e-12, rounding ~1e-10


def _loss_and_grads(rng, T, B, D, H, L, bidirectional, nonlinearity, lengths):
    num_directions = 2 if bidirectional else 1
    params = init_rnn_params(D, H, L, bidirectional, rng)
    for layer in params:
        for p in layer.values():
            p["b_h"] += 0.3 * rng.normal(size=p["b_h"].shape)
    xs = rng.normal(size=(T, B, D))
    h0 = rng.normal(size=(L * num_directions, B, H))
    d_out = rng.normal(size=(T, B, num_directions * H))  # random upstream gradients: loss = <d_out, out> + <d_h_n, h_n>
    d_h_n = rng.normal(size=(L * num_directions, B, H))

    def loss():
        out, h_n, _ = numpy_impl.rnn_forward(xs, params, h0, nonlinearity, lengths)
        return float(np.sum(out * d_out) + np.sum(h_n * d_h_n))

    _, _, cache = numpy_impl.rnn_forward(xs, params, h0, nonlinearity, lengths)
    d_xs, d_h0, grads = numpy_impl.rnn_backward(d_out, d_h_n, cache)
    return loss, {"xs": xs, "h0": h0, "params": params}, {"xs": d_xs, "h0": d_h0, "params": grads}


@pytest.mark.parametrize("L, bidirectional", [(1, False), (2, False), (2, True), (3, True)])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("lengths", [None, [4, 2, 1]], ids=["full", "lengths"])
def test_rnn_backward_matches_central_differences(rng, L, bidirectional, nonlinearity, lengths):
    loss, inputs, analytic = _loss_and_grads(rng, 4, 3, 2, 3, L, bidirectional, nonlinearity, lengths)
    errors = check_gradients(loss, inputs, analytic)
    worst = max(errors, key=errors.get)
    assert errors[worst] < GRADCHECK, f"{worst}: relative error {errors[worst]:.2e}"


def test_rnn_step_backward_matches_central_differences(rng):
    B, D, H = 2, 3, 4
    x_t, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H))
    p = init_rnn_params(D, H, rng=rng)[0]["forward"]
    dh_t = rng.normal(size=(B, H))

    def loss():
        return float(np.sum(numpy_impl.rnn_step_forward(x_t, h_prev, p)[0] * dh_t))

    dx_t, dh_prev, grads = numpy_impl.rnn_step_backward(dh_t, numpy_impl.rnn_step_forward(x_t, h_prev, p)[1])
    errors = check_gradients(loss, {"x_t": x_t, "h_prev": h_prev, "p": p}, {"x_t": dx_t, "h_prev": dh_prev, "p": grads})
    assert max(errors.values()) < GRADCHECK, errors


def test_padded_positions_get_zero_gradient(rng):
    loss, inputs, analytic = _loss_and_grads(rng, 5, 2, 2, 3, 2, True, "tanh", [5, 2])
    assert np.all(analytic["xs"][2:, 1] == 0.0)


def test_rnn_backward_does_not_modify_upstream_gradients(rng):
    params = init_rnn_params(2, 3, 2, True, rng)
    xs = rng.normal(size=(4, 2, 2))
    out, h_n, cache = numpy_impl.rnn_forward(xs, params)
    d_out, d_h_n = rng.normal(size=out.shape), rng.normal(size=h_n.shape)
    d_out_copy, d_h_n_copy = d_out.copy(), d_h_n.copy()
    numpy_impl.rnn_backward(d_out, d_h_n, cache)
    assert np.array_equal(d_out, d_out_copy) and np.array_equal(d_h_n, d_h_n_copy)


def test_gradient_check_detects_a_wrong_gradient(rng):
    x = rng.normal(size=(3,))
    numeric = numerical_gradient(lambda: float(np.sum(x ** 3)), x)
    assert relative_error(3 * x ** 2, numeric) < 1e-8
    assert relative_error(2 * x ** 2, numeric) > 0.1
