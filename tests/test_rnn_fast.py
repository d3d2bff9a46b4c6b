"""The Torch RNN twin's fast path (hoisted input projection) equals the readable twin within 1e-12 in float64."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, torch_impl
from lstm_course.params import init_rnn_params
from lstm_course.tree import tree_items


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("T, B, D, H, L, bidirectional, lengths, nonlinearity", [
    (1, 1, 1, 1, 1, False, None, "tanh"), (6, 3, 4, 5, 2, True, None, "relu"),
    (6, 3, 4, 5, 3, True, [6, 2, 4], "tanh"), (6, 3, 4, 5, 1, False, [1, 6, 3], "tanh"),
])
def test_torch_rnn_fast_path_equals_readable_twin_within_1e_12_float64(device, T, B, D, H, L, bidirectional,
                                                                       lengths, nonlinearity):
    rng = np.random.default_rng(7)
    n, width = L * (2 if bidirectional else 1), (2 if bidirectional else 1) * H
    params = init_rnn_params(D, H, L, bidirectional, rng)
    arrays = [rng.normal(size=s) for s in [(T, B, D), (n, B, H), (T, B, width), (n, B, H)]]
    results = []
    for forward in (torch_impl.rnn_forward, torch_impl.rnn_fast_forward):
        p = convert.to_tensors(params, device=device, requires_grad=True)
        xs, h0, d_out, d_h_n = [torch.tensor(a, device=device, requires_grad=k < 2) for k, a in enumerate(arrays)]
        out, h_n = forward(xs, p, h0, nonlinearity, lengths)
        ((out * d_out).sum() + (h_n * d_h_n).sum()).backward()
        results.append([t.detach().cpu().numpy() for t in [out, h_n, xs.grad, h0.grad]
                        + [leaf.grad for _, leaf in tree_items(p)]])
    worst = max(float(np.max(np.abs(a - b))) for a, b in zip(*results))
    assert worst <= 1e-12, f"readable twin vs fast twin differ by {worst:.2e}"
