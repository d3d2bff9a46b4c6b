"""The GRU: NumPy (hand-written BPTT), our Torch and torch.nn.GRU agree; both reset forms; gradient checks; bad input."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, numpy_impl, torch_impl
from lstm_course.gradcheck import check_gradients
from lstm_course.params import init_gru_params
from lstm_course.tree import tree_items

TIGHT = 1e-10
FLOAT32 = 5e-5  # float32 keeps ~7 digits; errors grow over T steps and L layers of tanh/sigmoid


def _problem(rng, T, B, D, H, L, bidirectional):
    n, nd = L * (2 if bidirectional else 1), (2 if bidirectional else 1)
    params = init_gru_params(D, H, L, bidirectional, rng)
    return params, rng.normal(size=(T, B, D)), rng.normal(size=(n, B, H)), rng.normal(size=(T, B, nd * H)), \
        rng.normal(size=(n, B, H))


def _err(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)), initial=0.0))


def _torch_nn(params, xs, h0, lengths, D, H, L, bidirectional, device, dtype=torch.float64):
    module = convert.load_into(torch.nn.GRU(D, H, L, bidirectional=bidirectional, dtype=dtype), params).to(device)
    xs_m = torch.tensor(xs, device=device, dtype=dtype, requires_grad=True)
    h0_m = torch.tensor(h0, device=device, dtype=dtype, requires_grad=True)
    inp = xs_m if lengths is None else torch.nn.utils.rnn.pack_padded_sequence(
        xs_m, torch.tensor(lengths), enforce_sorted=False)
    out, h_n = module(inp, h0_m)
    if lengths is not None:
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, total_length=xs.shape[0])
    return module, xs_m, h0_m, out, h_n


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("T, B, D, H", [(1, 1, 1, 1), (5, 3, 4, 3)])
@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
@pytest.mark.parametrize("use_lengths", [False, True], ids=["full", "lengths"])
def test_numpy_gru_matches_our_torch_and_torch_nn_gru_float64(rng, device, T, B, D, H, L, bidirectional, use_lengths):
    params, xs, h0, d_out, d_h_n = _problem(rng, T, B, D, H, L, bidirectional)
    lengths = None
    if use_lengths:
        lengths = [T] + list(rng.integers(1, T + 1, size=B - 1))
        d_out = d_out * (np.arange(T)[:, None] < np.array(lengths)[None, :])[..., None]
    out, h_n, cache = numpy_impl.gru_forward(xs, params, h0, lengths)
    d_xs, d_h0, grads = numpy_impl.gru_backward(d_out, d_h_n, cache)
    t = lambda a, grad=False: torch.tensor(a, device=device, requires_grad=grad)
    p_t = convert.to_tensors(params, device=device, requires_grad=True)
    xs_t, h0_t = t(xs, True), t(h0, True)
    o_t, hn_t = torch_impl.gru_forward(xs_t, p_t, h0_t, lengths)
    ((o_t * t(d_out)).sum() + (hn_t * t(d_h_n)).sum()).backward()
    module, xs_m, h0_m, o_m, hn_m = _torch_nn(params, xs, h0, lengths, D, H, L, bidirectional, device)
    ((o_m * t(d_out)).sum() + (hn_m * t(d_h_n)).sum()).backward()
    cpu = lambda x: x.detach().cpu().numpy()
    for what, mine, theirs in [("out vs our torch", out, cpu(o_t)), ("out vs nn.GRU", out, cpu(o_m)),
                               ("h_n vs nn.GRU", h_n, cpu(hn_m)), ("h_n vs our torch", h_n, cpu(hn_t)),
                               ("d_xs vs nn.GRU", d_xs, cpu(xs_m.grad)), ("d_h0 vs nn.GRU", d_h0, cpu(h0_m.grad)),
                               ("d_xs vs autograd", d_xs, cpu(xs_t.grad))]:
        assert _err(mine, theirs) <= TIGHT, f"{what}: mine vs theirs differ by {_err(mine, theirs):.2e}"
    nn_grads = convert.to_torch(grads)
    for name, param in module.named_parameters():
        theirs = cpu(param.grad)
        if name.startswith("bias_hh"):  # d(bias_hh) = d(bias_ih) for r and z, whose biases add
            nn_grads[name][:2 * H] = nn_grads[name.replace("bias_hh", "bias_ih")][:2 * H]
        assert _err(nn_grads[name], theirs) <= TIGHT, f"grad {name}: mine vs nn.GRU"
    for (path, mine), (_, leaf) in zip(tree_items(grads), tree_items(p_t)):
        assert _err(mine, cpu(leaf.grad)) <= TIGHT, f"grad {path}: mine vs autograd"


@pytest.mark.parametrize("device", DEVICES)
def test_torch_gru_matches_torch_nn_gru_float32(rng, device):
    params, xs, h0, _, _ = _problem(rng, 12, 4, 3, 5, 2, True)
    p32 = convert.to_tensors(params, device=device, dtype=torch.float32)
    out, h_n = torch_impl.gru_forward(torch.tensor(xs, dtype=torch.float32, device=device), p32,
                                      torch.tensor(h0, dtype=torch.float32, device=device))
    _, _, _, o_m, hn_m = _torch_nn(params, xs, h0, None, 3, 5, 2, True, device, torch.float32)
    assert _err(out.cpu(), o_m.detach().cpu()) < FLOAT32
    assert _err(h_n.cpu(), hn_m.detach().cpu()) < FLOAT32


@pytest.mark.parametrize("L, bidirectional", [(1, False), (2, True)])
def test_convert_round_trips_torch_nn_gru_keeping_the_two_candidate_biases(rng, L, bidirectional):
    module = torch.nn.GRU(3, 4, L, bidirectional=bidirectional, dtype=torch.float64)
    params = convert.from_torch(module)
    assert sorted(params[0]["forward"]) == sorted(["W_r", "W_z", "W_n", "U_r", "U_z", "U_n",
                                                   "b_r", "b_z", "b_in", "b_hn"])
    hh = dict(module.named_parameters())["bias_hh_l0"].detach().numpy()
    assert np.array_equal(params[0]["forward"]["b_hn"], hh[8:])  # n is the third block: order r, z, n
    xs = rng.normal(size=(6, 2, 3))
    out_a, _ = module(torch.tensor(xs))
    out_b, _ = convert.load_into(torch.nn.GRU(3, 4, L, bidirectional=bidirectional, dtype=torch.float64),
                                 params)(torch.tensor(xs))
    assert _err(out_a.detach(), out_b.detach()) <= TIGHT


def test_adding_the_candidate_biases_would_change_the_output(rng):
    """b_in + b_hn is not a valid merge: r multiplies b_hn only."""
    params, xs, h0, _, _ = _problem(rng, 4, 2, 3, 3, 1, False)
    p = params[0]["forward"]
    merged = [{"forward": {**p, "b_in": p["b_in"] + p["b_hn"], "b_hn": np.zeros_like(p["b_hn"])}}]
    assert _err(numpy_impl.gru_forward(xs, params, h0)[0], numpy_impl.gru_forward(xs, merged, h0)[0]) > 1e-3


def test_the_two_reset_forms_differ_numerically_and_only_after_matches_torch_nn(rng):
    params, xs, h0, _, _ = _problem(rng, 10, 3, 4, 5, 1, False)
    after = numpy_impl.gru_forward(xs, params, h0)[0]
    before = numpy_impl.gru_forward(xs, params, h0, reset="before")[0]
    _, _, _, o_m, _ = _torch_nn(params, xs, h0, None, 4, 5, 1, False, "cpu")
    assert _err(after, o_m.detach()) <= TIGHT
    assert _err(before, o_m.detach()) > 1e-2


@pytest.mark.parametrize("reset", ["after", "before"])
@pytest.mark.parametrize("L, bidirectional, use_lengths", [(1, False, False), (2, True, True)])
def test_gru_backward_matches_central_differences_and_autograd(rng, reset, L, bidirectional, use_lengths):
    params, xs, h0, d_out, d_h_n = _problem(rng, 4, 3, 2, 3, L, bidirectional)
    lengths = [4, 2, 3] if use_lengths else None
    _, _, cache = numpy_impl.gru_forward(xs, params, h0, lengths, reset=reset)
    d_xs, d_h0, grads = numpy_impl.gru_backward(d_out, d_h_n, cache)

    def loss():
        out, h_n, _ = numpy_impl.gru_forward(xs, params, h0, lengths, reset=reset)
        return float((out * d_out).sum() + (h_n * d_h_n).sum())

    errors = check_gradients(loss, {"xs": xs, "h0": h0, "params": params},
                             {"xs": d_xs, "h0": d_h0, "params": grads})
    assert max(errors.values()) < 1e-6, {k: v for k, v in errors.items() if v >= 1e-6}
    p_t = convert.to_tensors(params, requires_grad=True)
    xs_t, h0_t = torch.tensor(xs, requires_grad=True), torch.tensor(h0, requires_grad=True)
    o_t, hn_t = torch_impl.gru_forward(xs_t, p_t, h0_t, lengths, reset=reset)
    ((o_t * torch.tensor(d_out)).sum() + (hn_t * torch.tensor(d_h_n)).sum()).backward()
    assert _err(d_xs, xs_t.grad) <= TIGHT and _err(d_h0, h0_t.grad) <= TIGHT
    for (path, mine), (_, leaf) in zip(tree_items(grads), tree_items(p_t)):
        assert _err(mine, leaf.grad) <= TIGHT, f"{path}: mine vs autograd"


def test_gru_rejects_bad_input_with_one_clear_line(rng):
    params, xs, h0, _, _ = _problem(rng, 3, 2, 4, 5, 1, False)
    with pytest.raises(ValueError, match=r"shape \(T, B, D\)"):
        numpy_impl.gru_forward(xs[0], params)
    with pytest.raises(ValueError, match="'after'"):
        numpy_impl.gru_forward(xs, params, reset="cho")
    with pytest.raises(ValueError, match="W_r"):
        numpy_impl.gru_forward(xs, [{"forward": {**params[0]["forward"], "W_r": np.zeros((5, 3))}}])
    with pytest.raises(ValueError, match=r"h0 .* must have shape \(1, 2, 5\)"):
        numpy_impl.gru_forward(xs, params, h0[:, :1])
    with pytest.raises(TypeError, match="GRUCache"):
        numpy_impl.gru_backward(np.zeros((3, 2, 5)), None, ("not", "a", "cache"))
    with pytest.raises(TypeError, match="torch tensors"):
        torch_impl.gru_forward(xs, convert.to_tensors(params))
    with pytest.raises(TypeError, match="expected torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU"):
        convert.from_torch(torch.nn.Linear(2, 2))
