"""The LSTM's variants: each reduces to the LSTM where it should, its BPTT matches central differences and autograd."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, numpy_impl, torch_impl
from lstm_course.gradcheck import check_gradients
from lstm_course.notation import LSTM_VARIANTS, lstm_variant_shapes
from lstm_course.params import init_lstm_params, init_lstm_variant_params
from lstm_course.tree import tree_items

TIGHT = 1e-10


def _err(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)), initial=0.0))


def _problem(rng, variant, T=4, B=3, D=2, H=3, L=1, bidirectional=False):
    n, nd = L * (2 if bidirectional else 1), (2 if bidirectional else 1)
    params = init_lstm_variant_params(D, H, variant, L, bidirectional, rng, forget_bias=0.5)
    for layer in params:  # peepholes and biases drawn larger than at initialisation, so that every path matters
        for p in layer.values():
            for key in p:
                if key.startswith("p_"):
                    p[key] = rng.normal(size=p[key].shape)
    return (params, rng.normal(size=(T, B, D)), rng.normal(size=(n, B, H)), rng.normal(size=(n, B, H)),
            rng.normal(size=(T, B, nd * H)), rng.normal(size=(n, B, H)), rng.normal(size=(n, B, H)))


@pytest.mark.parametrize("variant", LSTM_VARIANTS)
@pytest.mark.parametrize("L, bidirectional, use_lengths", [(1, False, False), (2, True, True)])
def test_lstm_variant_backward_matches_central_differences_and_autograd(rng, variant, L, bidirectional, use_lengths):
    params, xs, h0, c0, d_out, d_h_n, d_c_n = _problem(rng, variant, L=L, bidirectional=bidirectional)
    lengths = [4, 2, 3] if use_lengths else None
    _, _, cache = numpy_impl.lstm_variant_forward(xs, params, variant, h0, c0, lengths)
    d_xs, d_h0, d_c0, grads = numpy_impl.lstm_variant_backward(d_out, d_h_n, d_c_n, cache)

    def loss():
        out, (h_n, c_n), _ = numpy_impl.lstm_variant_forward(xs, params, variant, h0, c0, lengths)
        return float((out * d_out).sum() + (h_n * d_h_n).sum() + (c_n * d_c_n).sum())

    errors = check_gradients(loss, {"xs": xs, "h0": h0, "c0": c0, "params": params},
                             {"xs": d_xs, "h0": d_h0, "c0": d_c0, "params": grads})
    assert max(errors.values()) < 1e-6, {k: v for k, v in errors.items() if v >= 1e-6}
    p_t = convert.to_tensors(params, requires_grad=True)
    xs_t, h0_t, c0_t = (torch.tensor(a, requires_grad=True) for a in (xs, h0, c0))
    o_t, (hn_t, cn_t) = torch_impl.lstm_variant_forward(xs_t, p_t, variant, h0_t, c0_t, lengths)
    ((o_t * torch.tensor(d_out)).sum() + (hn_t * torch.tensor(d_h_n)).sum()
     + (cn_t * torch.tensor(d_c_n)).sum()).backward()
    for what, mine, leaf in [("d_xs", d_xs, xs_t), ("d_h0", d_h0, h0_t), ("d_c0", d_c0, c0_t)]:
        assert _err(mine, leaf.grad) <= TIGHT, f"{what}: mine vs autograd"
    for (path, mine), (_, leaf) in zip(tree_items(grads), tree_items(p_t)):
        assert _err(mine, leaf.grad) <= TIGHT, f"{path}: mine vs autograd"


@pytest.mark.parametrize("device", DEVICES)
def test_variant_lstm_and_peephole_with_zero_peepholes_equal_torch_nn_lstm(rng, device):
    params = init_lstm_params(3, 4, 2, True, rng, forget_bias=1.0)
    xs, h0, c0 = rng.normal(size=(6, 2, 3)), rng.normal(size=(4, 2, 4)), rng.normal(size=(4, 2, 4))
    module = convert.load_into(torch.nn.LSTM(3, 4, 2, bidirectional=True, dtype=torch.float64), params).to(device)
    out_m, _ = module(torch.tensor(xs, device=device), (torch.tensor(h0, device=device), torch.tensor(c0, device=device)))
    zero_peep = [{d: {**p, "p_f": np.zeros(4), "p_i": np.zeros(4), "p_o": np.zeros(4)} for d, p in layer.items()}
                 for layer in params]
    for variant, tree in [("lstm", params), ("peephole", zero_peep)]:
        out, _, _ = numpy_impl.lstm_variant_forward(xs, tree, variant, h0, c0)
        assert _err(out, out_m.detach().cpu()) <= TIGHT, variant
        t = lambda a: torch.tensor(a, device=device)
        out_t, _ = torch_impl.lstm_variant_forward(t(xs), convert.to_tensors(tree, device=device), variant, t(h0), t(c0))
        assert _err(out_t.cpu(), out_m.detach().cpu()) <= TIGHT, variant


def test_each_variant_changes_the_output_of_the_same_weights(rng):
    base = init_lstm_params(3, 4, rng=rng, forget_bias=0.5)
    xs = rng.normal(size=(8, 2, 3))
    reference = numpy_impl.lstm_variant_forward(xs, base, "lstm")[0]
    for variant in LSTM_VARIANTS[1:]:
        keys = lstm_variant_shapes(3, 4, variant)
        tree = [{"forward": {k: base[0]["forward"].get(k, np.full(keys[k], 0.7)) for k in keys}}]
        assert _err(numpy_impl.lstm_variant_forward(xs, tree, variant)[0], reference) > 1e-3, variant


def test_variant_shapes_drop_exactly_the_removed_gate():
    assert "W_i" not in lstm_variant_shapes(2, 3, "cifg") and "W_f" in lstm_variant_shapes(2, 3, "cifg")
    assert "W_f" not in lstm_variant_shapes(2, 3, "no_forget_gate")
    assert "W_o" not in lstm_variant_shapes(2, 3, "no_output_gate")
    assert lstm_variant_shapes(2, 3, "peephole")["p_o"] == (3,)


def test_lstm_variant_rejects_bad_input_with_one_clear_line(rng):
    params, xs, *_ = _problem(rng, "cifg")
    with pytest.raises(ValueError, match="variant must be one of"):
        numpy_impl.lstm_variant_forward(xs, params, "coupled")
    with pytest.raises(ValueError, match="must have keys"):
        numpy_impl.lstm_variant_forward(xs, params, "lstm")
    with pytest.raises(TypeError, match="VariantCache"):
        numpy_impl.lstm_variant_backward(np.zeros((4, 3, 3)), None, None, "cache")
