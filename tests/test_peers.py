"""The bench's two peers compute the same LSTM as the course's reference, so that timing them is fair.

Claims: in float64 the CS231n-style NumPy loop (lstm_course.peers.stacked_loop) and the d2l-style scratch
LSTM in torch (lstm_course.peers.scratch_autograd) give the outputs and gradients of
lstm_course.numpy_impl.lstm_forward / lstm_backward within 1e-12; the loop's hand-written backward passes a
central-difference gradient check; stacking the parameters and unstacking their gradients are inverses.
"""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.gradcheck import check_gradients
from lstm_course.params import init_lstm_params
from lstm_course.peers import stacked_loop

EXACT = 1e-12  # the same maths in another order of summation
GRADCHECK = 1e-6  # central differences with step 1e-6 in float64


def _problem(rng, T=5, B=3, D=4, H=6):
    params = init_lstm_params(D, H, rng=rng, forget_bias=0.5)
    xs, d_out = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    return params, xs, d_out


def _reference(params, xs, d_out):
    out, _, cache = numpy_impl.lstm_forward(xs, params)
    d_xs, _, _, grads = numpy_impl.lstm_backward(d_out, None, None, cache)
    return out, d_xs, grads[0]["forward"]


def test_stacking_puts_the_gates_in_cs231n_order_and_unstacking_inverts_it(rng):
    p = init_lstm_params(4, 6, rng=rng)[0]["forward"]
    W_x, W_h, b = stacked_loop.stack_params(p)
    assert W_x.shape == (4, 24) and W_h.shape == (6, 24) and b.shape == (24,)
    assert stacked_loop.STACKED_ORDER == ("i", "f", "o", "c")
    np.testing.assert_array_equal(W_x[:, :6], p["W_i"][:, :4].T)  # the first block is the input gate
    back = stacked_loop.unstack_grads(W_x, W_h, b)
    for key, value in p.items():
        np.testing.assert_array_equal(back[key], value, err_msg=key)


def test_cs231n_style_loop_equals_the_reference_lstm_within_1e_12_float64(rng):
    params, xs, d_out = _problem(rng)
    out, d_xs, grads = _reference(params, xs, d_out)
    W_x, W_h, b = stacked_loop.stack_params(params[0]["forward"])
    h0 = np.zeros((xs.shape[1], W_h.shape[0]))
    loop_out, caches = stacked_loop.loop_forward(xs, h0, h0, W_x, W_h, b)
    loop_d_xs, _, _, dW_x, dW_h, db = stacked_loop.loop_backward(d_out, W_x, W_h, caches)
    np.testing.assert_allclose(loop_out, out, rtol=0, atol=EXACT, err_msg="outputs: loop vs reference")
    np.testing.assert_allclose(loop_d_xs, d_xs, rtol=0, atol=EXACT, err_msg="d_xs: loop vs reference")
    mine = stacked_loop.unstack_grads(dW_x, dW_h, db)
    for key, value in grads.items():
        np.testing.assert_allclose(mine[key], value, rtol=0, atol=EXACT, err_msg=f"{key}: loop vs reference")


def test_cs231n_style_backward_passes_a_gradient_check(rng):
    params, xs, d_out = _problem(rng, T=3, B=2, D=3, H=4)
    W_x, W_h, b = stacked_loop.stack_params(params[0]["forward"])
    h0 = np.zeros((2, 4))
    weights = {"W_x": W_x, "W_h": W_h, "b": b, "xs": xs}

    def loss():
        out, _ = stacked_loop.loop_forward(weights["xs"], h0, h0, weights["W_x"], weights["W_h"], weights["b"])
        return float((out * d_out).sum())

    _, caches = stacked_loop.loop_forward(xs, h0, h0, W_x, W_h, b)
    d_xs, _, _, dW_x, dW_h, db = stacked_loop.loop_backward(d_out, W_x, W_h, caches)
    errors = check_gradients(loss, weights, {"W_x": dW_x, "W_h": dW_h, "b": db, "xs": d_xs})
    assert max(errors.values()) < GRADCHECK, errors


def test_d2l_style_scratch_lstm_equals_the_reference_lstm_within_1e_12_float64(rng):
    torch = pytest.importorskip("torch")
    from lstm_course.peers import scratch_autograd

    params, xs, d_out = _problem(rng)
    out, d_xs, grads = _reference(params, xs, d_out)
    gates = scratch_autograd.triples(params[0]["forward"])
    xs_t = torch.tensor(xs, requires_grad=True)
    h0 = torch.zeros(xs.shape[1], d_out.shape[2], dtype=torch.float64)
    scratch_out, _ = scratch_autograd.forward(xs_t, h0, h0, gates)
    (scratch_out * torch.tensor(d_out)).sum().backward()
    np.testing.assert_allclose(scratch_out.detach().numpy(), out, rtol=0, atol=EXACT, err_msg="outputs")
    np.testing.assert_allclose(xs_t.grad.numpy(), d_xs, rtol=0, atol=EXACT, err_msg="d_xs")
    D = xs.shape[2]
    for g, (W_x, W_h, b) in gates.items():
        np.testing.assert_allclose(W_x.grad.numpy().T, grads[f"W_{g}"][:, :D], rtol=0, atol=EXACT, err_msg=g)
        np.testing.assert_allclose(W_h.grad.numpy().T, grads[f"W_{g}"][:, D:], rtol=0, atol=EXACT, err_msg=g)
        np.testing.assert_allclose(b.grad.numpy(), grads[f"b_{g}"], rtol=0, atol=EXACT, err_msg=g)
