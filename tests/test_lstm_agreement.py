"""The LSTM: NumPy (hand-written BPTT), our Torch and torch.nn.LSTM agree; BPTT matches central differences."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, numpy_impl, torch_impl
from lstm_course.tree import tree_items
from lstm_course.gradcheck import check_gradients
from lstm_course.params import init_lstm_params

TIGHT = 1e-10
# every test runs on the readable path the book teaches and on the fast path (fused gates, hoisted GEMMs)
NUMPY_PATHS = {"readable": (numpy_impl.lstm_forward, numpy_impl.lstm_backward),
               "fast": (numpy_impl.lstm_fast_forward, numpy_impl.lstm_fast_backward)}
TORCH_PATHS = {"readable": torch_impl.lstm_forward, "fast": torch_impl.lstm_fast_forward}
PATHS = pytest.mark.parametrize("path", ["readable", "fast"])


def _problem(rng, T, B, D, H, L, bidirectional):
    n = L * (2 if bidirectional else 1)
    params = init_lstm_params(D, H, L, bidirectional, rng, forget_bias=0.5)
    return (params, rng.normal(size=(T, B, D)), rng.normal(size=(n, B, H)), rng.normal(size=(n, B, H)),
            rng.normal(size=(T, B, (2 if bidirectional else 1) * H)), rng.normal(size=(n, B, H)),
            rng.normal(size=(n, B, H)))


def _close(mine, theirs, what):
    err = float(np.max(np.abs(np.asarray(mine) - np.asarray(theirs)), initial=0.0))
    assert err <= TIGHT, f"{what}: mine vs theirs differ by {err:.2e}"


@PATHS
@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("T, B, D, H", [(1, 1, 1, 1), (5, 3, 4, 3)])
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
@pytest.mark.parametrize("use_lengths", [False, True], ids=["full", "lengths"])
def test_numpy_lstm_matches_our_torch_and_torch_nn_lstm_float64(rng, path, device, T, B, D, H, L, bidirectional,
                                                               use_lengths):
    lstm_forward, lstm_backward = NUMPY_PATHS[path]
    params, xs, h0, c0, d_out, d_h_n, d_c_n = _problem(rng, T, B, D, H, L, bidirectional)
    lengths = None
    if use_lengths:
        lengths = [T] + list(rng.integers(1, T + 1, size=B - 1))
        d_out = d_out * (np.arange(T)[:, None] < np.array(lengths)[None, :])[..., None]
    out, (h_n, c_n), cache = lstm_forward(xs, params, h0, c0, lengths)
    d_xs, d_h0, d_c0, grads = lstm_backward(d_out, d_h_n, d_c_n, cache)

    t = lambda a, grad=False: torch.tensor(a, device=device, requires_grad=grad)
    # our Torch twin
    p_t = convert.to_tensors(params, device=device, requires_grad=True)
    xs_t, h0_t, c0_t = t(xs, True), t(h0, True), t(c0, True)
    o_t, (hn_t, cn_t) = TORCH_PATHS[path](xs_t, p_t, h0_t, c0_t, lengths)
    ((o_t * t(d_out)).sum() + (hn_t * t(d_h_n)).sum() + (cn_t * t(d_c_n)).sum()).backward()
    # torch.nn.LSTM
    module = convert.load_into(torch.nn.LSTM(D, H, L, bidirectional=bidirectional, dtype=torch.float64), params).to(device)
    xs_m, h0_m, c0_m = t(xs, True), t(h0, True), t(c0, True)
    inp = xs_m if lengths is None else torch.nn.utils.rnn.pack_padded_sequence(xs_m, torch.tensor(lengths), enforce_sorted=False)
    o_m, (hn_m, cn_m) = module(inp, (h0_m, c0_m))
    if lengths is not None:
        o_m, _ = torch.nn.utils.rnn.pad_packed_sequence(o_m, total_length=T)
    ((o_m * t(d_out)).sum() + (hn_m * t(d_h_n)).sum() + (cn_m * t(d_c_n)).sum()).backward()

    cpu = lambda x: x.detach().cpu().numpy()
    for name, (o, hn, cn, dx, dh0, dc0) in {
        "our torch": (o_t, hn_t, cn_t, xs_t.grad, h0_t.grad, c0_t.grad),
        "torch.nn.LSTM": (o_m, hn_m, cn_m, xs_m.grad, h0_m.grad, c0_m.grad),
    }.items():
        for what, mine, theirs in [("out", out, o), ("h_n", h_n, hn), ("c_n", c_n, cn), ("d_xs", d_xs, dx),
                                   ("d_h0", d_h0, dh0), ("d_c0", d_c0, dc0)]:
            _close(mine, cpu(theirs), f"{what}, numpy vs {name}")
    ours = dict(tree_items(grads))
    for path, leaf in tree_items(p_t):
        _close(ours[path], cpu(leaf.grad), f"grad {path}, numpy vs our torch")
    mapped = convert.to_torch(grads)
    for key, param in module.named_parameters():
        _close(mapped[key.replace("bias_hh", "bias_ih")], cpu(param.grad), f"grad {key}, numpy vs torch.nn.LSTM")


@PATHS
@pytest.mark.parametrize("L, bidirectional", [(1, False), (2, True)])
@pytest.mark.parametrize("lengths", [None, [4, 1, 3]], ids=["full", "lengths"])
def test_lstm_backward_matches_central_differences(rng, path, L, bidirectional, lengths):
    lstm_forward, lstm_backward = NUMPY_PATHS[path]
    params, xs, h0, c0, d_out, d_h_n, d_c_n = _problem(rng, 4, 3, 2, 3, L, bidirectional)

    def loss():
        out, (h_n, c_n), _ = lstm_forward(xs, params, h0, c0, lengths)
        return float(np.sum(out * d_out) + np.sum(h_n * d_h_n) + np.sum(c_n * d_c_n))

    _, _, cache = lstm_forward(xs, params, h0, c0, lengths)
    d_xs, d_h0, d_c0, grads = lstm_backward(d_out, d_h_n, d_c_n, cache)
    errors = check_gradients(loss, {"xs": xs, "h0": h0, "c0": c0, "params": params},
                             {"xs": d_xs, "h0": d_h0, "c0": d_c0, "params": grads})
    worst = max(errors, key=errors.get)
    assert errors[worst] < 1e-6, f"{worst}: relative error {errors[worst]:.2e}"


def test_from_torch_reads_lstm_gates_in_our_order(rng):
    module = torch.nn.LSTM(2, 3, dtype=torch.float64)
    p = convert.from_torch(module)[0]["forward"]
    W_ih = module.weight_ih_l0.detach().numpy()
    assert np.array_equal(p["W_f"][:, :2], W_ih[3:6]), "torch's second block (rows H:2H) is the forget gate"
    assert np.array_equal(p["W_c"][:, :2], W_ih[6:9]), "torch's third block, g, is our content c_tilde"
