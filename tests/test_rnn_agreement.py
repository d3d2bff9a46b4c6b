"""The RNN chapter's claims: NumPy (hand-written BPTT), our Torch and torch.nn.RNN compute the same thing."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, numpy_impl, torch_impl
from lstm_course.tree import tree_items
from lstm_course.params import init_rnn_params

TIGHT = 1e-10  # float64: the three agree to rounding
FLOAT32 = 5e-5  # float32: ~1e-7 rounding per op, amplified over T steps and summed gradients

SHAPES = [  # (T, B, D, H)
    (1, 1, 1, 1),
    (5, 3, 4, 6),
    (7, 1, 3, 2),
]


def _problem(rng, T, B, D, H, L, bidirectional, dtype=np.float64):
    num_directions = 2 if bidirectional else 1
    params = init_rnn_params(D, H, L, bidirectional, rng, dtype)
    params = [{d: {k: v + dtype(0.1) * rng.normal(size=v.shape).astype(dtype) for k, v in p.items()}
               for d, p in layer.items()} for layer in params]  # non-zero biases everywhere
    xs = rng.normal(size=(T, B, D)).astype(dtype)
    h0 = rng.normal(size=(L * num_directions, B, H)).astype(dtype)
    d_out = rng.normal(size=(T, B, num_directions * H)).astype(dtype)
    d_h_n = rng.normal(size=(L * num_directions, B, H)).astype(dtype)
    return params, xs, h0, d_out, d_h_n


def _torch_nn(params, xs, h0, d_out, d_h_n, L, bidirectional, nonlinearity, lengths, device):
    D, H = xs.shape[2], h0.shape[2]
    module = torch.nn.RNN(D, H, L, nonlinearity=nonlinearity, bidirectional=bidirectional,
                          dtype=torch.from_numpy(xs).dtype, device=device)
    convert.load_into(module, params)
    xs_t = torch.tensor(xs, device=device, requires_grad=True)
    h0_t = torch.tensor(h0, device=device, requires_grad=True)
    if lengths is None:
        out, h_n = module(xs_t, h0_t)
    else:
        packed = torch.nn.utils.rnn.pack_padded_sequence(xs_t, torch.tensor(lengths), enforce_sorted=False)
        out, h_n = module(packed, h0_t)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=xs.shape[0])
    loss = (out * torch.tensor(d_out, device=device)).sum() + (h_n * torch.tensor(d_h_n, device=device)).sum()
    loss.backward()
    named = {name: p.grad.cpu().numpy() for name, p in module.named_parameters()}
    return out.detach().cpu().numpy(), h_n.detach().cpu().numpy(), xs_t.grad.cpu().numpy(), h0_t.grad.cpu().numpy(), named


def _ours_torch(params, xs, h0, d_out, d_h_n, nonlinearity, lengths, device):
    p_t = convert.to_tensors(params, device=device, requires_grad=True)
    xs_t = torch.tensor(xs, device=device, requires_grad=True)
    h0_t = torch.tensor(h0, device=device, requires_grad=True)
    out, h_n = torch_impl.rnn_forward(xs_t, p_t, h0_t, nonlinearity, lengths)
    loss = (out * torch.tensor(d_out, device=device)).sum() + (h_n * torch.tensor(d_h_n, device=device)).sum()
    loss.backward()
    grads = [{d: {k: v.grad.cpu().numpy() for k, v in p.items()} for d, p in layer.items()} for layer in p_t]
    return out.detach().cpu().numpy(), h_n.detach().cpu().numpy(), xs_t.grad.cpu().numpy(), h0_t.grad.cpu().numpy(), grads


def _assert_close(mine, theirs, tol, what):
    err = np.max(np.abs(np.asarray(mine, np.float64) - np.asarray(theirs, np.float64)), initial=0.0)
    scale = max(1.0, np.max(np.abs(np.asarray(theirs, np.float64)), initial=0.0))
    assert err <= tol * scale, f"{what}: mine vs theirs differ by {err:.3e} (tolerance {tol:.0e} x {scale:.3g})"


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("T, B, D, H", SHAPES)
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
@pytest.mark.parametrize("use_lengths", [False, True], ids=["full", "lengths"])
def test_numpy_rnn_matches_our_torch_and_torch_nn_rnn_float64(rng, device, T, B, D, H, L, bidirectional,
                                                             nonlinearity, use_lengths):
    params, xs, h0, d_out, d_h_n = _problem(rng, T, B, D, H, L, bidirectional)
    lengths = list(rng.integers(1, T + 1, size=B)) if use_lengths else None
    if lengths is not None:
        lengths[0] = T  # pad_packed_sequence pads to the longest; keep one full-length sequence
        d_out = d_out * (np.arange(T)[:, None] < np.array(lengths)[None, :])[..., None]

    out, h_n, cache = numpy_impl.rnn_forward(xs, params, h0, nonlinearity, lengths)
    d_xs, d_h0, grads = numpy_impl.rnn_backward(d_out, d_h_n, cache)

    for name, run in [("our torch", _ours_torch(params, xs, h0, d_out, d_h_n, nonlinearity, lengths, device)),
                      ("torch.nn.RNN", _torch_nn(params, xs, h0, d_out, d_h_n, L, bidirectional,
                                                  nonlinearity, lengths, device))]:
        t_out, t_h_n, t_d_xs, t_d_h0, t_grads = run
        _assert_close(out, t_out, TIGHT, f"out, numpy vs {name}")
        _assert_close(h_n, t_h_n, TIGHT, f"h_n, numpy vs {name}")
        _assert_close(d_xs, t_d_xs, TIGHT, f"d_xs, numpy vs {name}")
        _assert_close(d_h0, t_d_h0, TIGHT, f"d_h0, numpy vs {name}")
        if name == "our torch":
            theirs = dict(tree_items(t_grads))
            for path, g in tree_items(grads):
                _assert_close(g, theirs[path], TIGHT, f"grad {path}, numpy vs {name}")
        else:
            ours = convert.to_torch(grads)  # d bias_ih = d bias_hh = d b_h
            for key, g in t_grads.items():
                expected = ours[key.replace("bias_hh", "bias_ih")]
                _assert_close(expected, g, TIGHT, f"grad {key}, numpy vs {name}")


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
def test_numpy_rnn_matches_torch_nn_rnn_float32_within_stated_tolerance(rng, device, bidirectional):
    params, xs, h0, d_out, d_h_n = _problem(rng, 20, 4, 5, 8, 2, bidirectional, dtype=np.float32)
    out, h_n, cache = numpy_impl.rnn_forward(xs, params, h0)
    d_xs, d_h0, grads = numpy_impl.rnn_backward(d_out, d_h_n, cache)
    t_out, t_h_n, t_d_xs, t_d_h0, t_grads = _torch_nn(params, xs, h0, d_out, d_h_n, 2, bidirectional,
                                                      "tanh", None, device)
    _assert_close(out, t_out, FLOAT32, "out float32")
    _assert_close(h_n, t_h_n, FLOAT32, "h_n float32")
    _assert_close(d_xs, t_d_xs, FLOAT32, "d_xs float32")
    _assert_close(d_h0, t_d_h0, FLOAT32, "d_h0 float32")
    ours = convert.to_torch(grads)
    for key, g in t_grads.items():
        _assert_close(ours[key.replace("bias_hh", "bias_ih")], g, FLOAT32, f"grad {key} float32")
