"""The fast LSTM paths (fused gates, hoisted input GEMM, batched weight gradients) equal the readable ones.

Claims: in float64 the NumPy and Torch fast paths give the readable path's outputs and gradients within
1e-12 (layers 1-3, both directions, lengths); in float32 they agree with torch.nn.LSTM within the float32
tolerance of the agreement tests; the Torch fast backward passes torch.autograd.gradcheck; the memory the
NumPy fast path keeps for its backward grows linearly in T.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from conftest import DEVICES
from lstm_course import convert, numpy_impl, torch_impl
from lstm_course.numpy_impl.lstm_fast import FUSED_ORDER, fuse_gates, split_gates
from lstm_course.params import init_lstm_params
from lstm_course.tree import tree_items

EXACT = 1e-12  # the same maths, only the order of the sums inside the GEMMs differs
FLOAT32 = 5e-5  # float32: ~1e-7 rounding per op, amplified over T steps and summed gradients (as for the RNN)


def _problem(rng, T, B, D, H, L, bidirectional, dtype=np.float64):
    n, width = L * (2 if bidirectional else 1), (2 if bidirectional else 1) * H
    params = init_lstm_params(D, H, L, bidirectional, rng, forget_bias=0.5, dtype=dtype)
    arrays = [rng.normal(size=s).astype(dtype) for s in [(T, B, D), (n, B, H), (n, B, H), (T, B, width),
                                                          (n, B, H), (n, B, H)]]
    return params, arrays


def _worst(a, b):
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y)), initial=0.0)) for x, y in zip(a, b))


SHAPES = pytest.mark.parametrize("T, B, D, H, L, bidirectional, lengths", [
    (1, 1, 1, 1, 1, False, None), (6, 3, 4, 5, 1, False, None), (6, 3, 4, 5, 2, True, None),
    (6, 3, 4, 5, 3, True, [6, 2, 4]), (6, 3, 4, 5, 1, False, [1, 6, 3]),
])


@SHAPES
def test_numpy_fast_path_equals_readable_path_within_1e_12_float64(rng, T, B, D, H, L, bidirectional, lengths):
    params, (xs, h0, c0, d_out, d_h_n, d_c_n) = _problem(rng, T, B, D, H, L, bidirectional)
    out, (h_n, c_n), cache = numpy_impl.lstm_forward(xs, params, h0, c0, lengths)
    fout, (fh_n, fc_n), fcache = numpy_impl.lstm_fast_forward(xs, params, h0, c0, lengths)
    readable = numpy_impl.lstm_backward(d_out, d_h_n, d_c_n, cache)
    fast = numpy_impl.lstm_fast_backward(d_out, d_h_n, d_c_n, fcache)
    assert _worst([out, h_n, c_n], [fout, fh_n, fc_n]) <= EXACT, "forward: readable vs fast"
    assert _worst(readable[:3], fast[:3]) <= EXACT, "d_xs, d_h0, d_c0: readable vs fast"
    mine = dict(tree_items(fast[3]))
    for path, leaf in tree_items(readable[3]):
        assert _worst([leaf], [mine[path]]) <= EXACT, f"grad {path}: readable vs fast"


@pytest.mark.parametrize("device", DEVICES)
@SHAPES
def test_torch_fast_path_equals_readable_twin_within_1e_12_float64(rng, device, T, B, D, H, L, bidirectional,
                                                                   lengths):
    params, arrays = _problem(rng, T, B, D, H, L, bidirectional)
    results = []
    for forward in (torch_impl.lstm_forward, torch_impl.lstm_fast_forward):
        p = convert.to_tensors(params, device=device, requires_grad=True)
        xs, h0, c0, d_out, d_h_n, d_c_n = [torch.tensor(a, device=device, requires_grad=k < 3)
                                           for k, a in enumerate(arrays)]
        out, (h_n, c_n) = forward(xs, p, h0, c0, lengths)
        ((out * d_out).sum() + (h_n * d_h_n).sum() + (c_n * d_c_n).sum()).backward()
        tensors = [out, h_n, c_n, xs.grad, h0.grad, c0.grad] + [leaf.grad for _, leaf in tree_items(p)]
        results.append([t.detach().cpu().numpy() for t in tensors])
    assert _worst(*results) <= EXACT, "outputs and gradients: readable twin vs fast twin"


@pytest.mark.parametrize("device", DEVICES)
def test_both_fast_paths_match_torch_nn_lstm_float32_within_stated_tolerance(rng, device):
    T, B, D, H, L = 20, 4, 6, 8, 2
    params, (xs, h0, c0, d_out, _, _) = _problem(rng, T, B, D, H, L, True, np.float32)
    out, (h_n, _), cache = numpy_impl.lstm_fast_forward(xs, params, h0, c0)
    d_xs = numpy_impl.lstm_fast_backward(d_out, None, None, cache)[0]
    module = convert.load_into(torch.nn.LSTM(D, H, L, bidirectional=True), params).to(device)
    p = convert.to_tensors(params, device=device, requires_grad=True)
    for name, run in {"torch.nn.LSTM": lambda x: module(x, (torch.tensor(h0, device=device),
                                                            torch.tensor(c0, device=device))),
                      "our fast twin": lambda x: torch_impl.lstm_fast_forward(
                          x, p, torch.tensor(h0, device=device), torch.tensor(c0, device=device))}.items():
        x = torch.tensor(xs, device=device, requires_grad=True)
        o, (hn, _) = run(x)
        (o * torch.tensor(d_out, device=device)).sum().backward()
        for what, mine, theirs in [("out", out, o), ("h_n", h_n, hn), ("d_xs", d_xs, x.grad)]:
            err = _worst([mine], [theirs.detach().cpu().numpy()])
            assert err <= FLOAT32, f"{what}: numpy fast vs {name} differ by {err:.2e} (float32)"


@pytest.mark.parametrize("bidirectional, lengths", [(False, None), (True, [3, 1])])
def test_torch_fast_backward_passes_autograd_gradcheck(rng, bidirectional, lengths):
    params, (xs, h0, c0, *_) = _problem(rng, 3, 2, 2, 2, 1, bidirectional)
    p = convert.to_tensors(params, requires_grad=True)
    leaves = [leaf for _, leaf in tree_items(p)]
    inputs = [torch.tensor(a, requires_grad=True) for a in (xs, h0, c0)]

    def f(xs, h0, c0, *_leaves):
        out, (h_n, c_n) = torch_impl.lstm_fast_forward(xs, p, h0, c0, lengths)
        return out, h_n, c_n

    assert torch.autograd.gradcheck(f, inputs + leaves, eps=1e-6, atol=1e-7, rtol=1e-6)


def test_fuse_gates_stacks_sigmoid_gates_first_and_split_gates_inverts_it(rng):
    p = init_lstm_params(3, 2, rng=rng)[0]["forward"]
    W_x, W_h, b = fuse_gates(p)
    assert FUSED_ORDER == ("f", "i", "o", "c")
    assert np.array_equal(W_x[4:6], p["W_o"][:, :3]) and np.array_equal(W_h[6:8], p["W_c"][:, 3:])
    back = split_gates(W_x, W_h, b)
    assert all(np.array_equal(back[key], p[key]) for key in p), "split_gates(fuse_gates(p)) == p"


def test_fast_backward_memory_grows_linearly_in_T(rng):
    """The tape of one direction holds (T, B, 4H) gates and three (T, B, H) arrays: 7 T B H numbers."""
    D, H, B = 8, 16, 4
    params = init_lstm_params(D, H, rng=rng)
    sizes = {}
    for T in (100, 200, 400):
        _, _, cache = numpy_impl.lstm_fast_forward(rng.normal(size=(T, B, D)), params)
        tape = cache.tapes[0][0]
        sizes[T] = sum(a.nbytes for a in (tape.gates, tape.h_prev, tape.c_prev, tape.tanh_c))
    assert sizes[100] == 7 * 100 * B * H * 8
    assert sizes[200] == 2 * sizes[100] and sizes[400] == 4 * sizes[100], f"not linear in T: {sizes}"


# --- the workspace: buffers reused from call to call, and a stale cache refused -------------------------------

def _fast_call(params, arrays, lengths, workspace):
    xs, h0, c0, d_out, d_h_n, d_c_n = arrays
    out, (h_n, c_n), cache = numpy_impl.lstm_fast_forward(xs, params, h0, c0, lengths, workspace=workspace)
    d_xs, d_h0, d_c0, grads = numpy_impl.lstm_fast_backward(d_out, d_h_n, d_c_n, cache)
    return [out, h_n, c_n, d_xs, d_h0, d_c0] + [leaf for _, leaf in tree_items(grads)]


@pytest.mark.parametrize("L, bidirectional, lengths", [(1, False, None), (2, True, [6, 2, 4])])
def test_fast_path_with_a_workspace_gives_the_same_numbers_call_after_call(rng, L, bidirectional, lengths):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    for _ in range(3):  # new data every call: a reused buffer must not leak the previous call's values
        params, arrays = _problem(rng, 6, 3, 4, 5, L, bidirectional)
        with_ws, without = _fast_call(params, arrays, lengths, workspace), _fast_call(params, arrays, lengths, None)
        assert _worst(with_ws, without) == 0.0, "a workspace changes no number"
    held = workspace.nbytes
    _fast_call(params, arrays, lengths, workspace)
    assert workspace.nbytes == held, "the same shapes take no new buffers"


def test_results_of_a_workspace_call_are_the_callers_and_survive_the_next_call(rng):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    params, arrays = _problem(rng, 6, 3, 4, 5, 2, True)
    first = [a.copy() for a in _fast_call(params, arrays, None, workspace)]
    kept = _fast_call(params, arrays, None, workspace)
    _fast_call(params, [a * 2 for a in arrays], None, workspace)
    assert _worst(first, kept) == 0.0, "outputs, states and gradients never live in the workspace"


def test_a_cache_whose_workspace_was_reused_is_refused_with_one_line(rng):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    params, (xs, h0, c0, d_out, _, _) = _problem(rng, 6, 3, 4, 5, 1, False)
    stale = numpy_impl.lstm_fast_forward(xs, params, workspace=workspace)[2]
    numpy_impl.lstm_fast_forward(xs, params, workspace=workspace)
    with pytest.raises(ValueError, match="reused by a later lstm_fast_forward") as error:
        numpy_impl.lstm_fast_backward(d_out, None, None, stale)
    assert "\n" not in str(error.value)


def _twin_call(params, arrays, lengths, workspace, device="cpu"):
    p = convert.to_tensors(params, device=device, requires_grad=True)
    xs, h0, c0, d_out, d_h_n, d_c_n = [torch.tensor(a, device=device, requires_grad=k < 3)
                                       for k, a in enumerate(arrays)]
    out, (h_n, c_n) = torch_impl.lstm_fast_forward(xs, p, h0, c0, lengths, workspace=workspace)
    ((out * d_out).sum() + (h_n * d_h_n).sum() + (c_n * d_c_n).sum()).backward()
    tensors = [out, h_n, c_n, xs.grad, h0.grad, c0.grad] + [leaf.grad for _, leaf in tree_items(p)]
    return tensors


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("L, bidirectional, lengths", [(1, False, None), (2, True, [6, 2, 4]), (1, True, None)])
def test_twin_fast_path_with_a_workspace_gives_the_same_numbers_call_after_call(rng, device, L, bidirectional,
                                                                               lengths):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    for _ in range(3):  # new data every call: a reused buffer must not leak the previous call's values
        params, arrays = _problem(rng, 6, 3, 4, 5, L, bidirectional)
        with_ws = [t.detach().cpu().numpy() for t in _twin_call(params, arrays, lengths, workspace, device)]
        without = [t.detach().cpu().numpy() for t in _twin_call(params, arrays, lengths, None, device)]
        assert _worst(with_ws, without) == 0.0, "a workspace changes no number"
    held = workspace.nbytes
    _twin_call(params, arrays, lengths, workspace, device)
    assert workspace.nbytes == held, "the same shapes take no new buffers"


def test_twin_results_of_a_workspace_call_are_the_callers_and_survive_the_next_call(rng):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    params, arrays = _problem(rng, 6, 3, 4, 5, 1, False)
    kept = _twin_call(params, arrays, None, workspace)
    first = [t.detach().clone() for t in kept]
    _twin_call(params, [a * 2 for a in arrays], None, workspace)
    assert all(torch.equal(a, b) for a, b in zip(first, kept)), "outputs, states and gradients are the caller's"


def test_twin_graph_whose_workspace_was_reused_is_refused_with_one_line(rng):
    from lstm_course.workspace import Workspace

    workspace = Workspace()
    params, (xs, *_) = _problem(rng, 6, 3, 4, 5, 1, False)
    p = convert.to_tensors(params, requires_grad=True)
    stale, _ = torch_impl.lstm_fast_forward(torch.tensor(xs), p, workspace=workspace)
    torch_impl.lstm_fast_forward(torch.tensor(xs), p, workspace=workspace)
    with pytest.raises(ValueError, match="reused by a later lstm_fast_forward") as error:
        stale.sum().backward()
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("cache_bytes", [1, 4 * 5 * 8 * 3, 10 ** 9])  # one step, three steps, all steps per chunk
def test_the_backward_gives_the_same_numbers_whatever_its_chunk_of_steps(rng, monkeypatch, cache_bytes):
    from lstm_course.numpy_impl import lstm_fast

    params, arrays = _problem(rng, 7, 3, 4, 5, 1, True)
    reference = _fast_call(params, arrays, [7, 3, 5], None)
    monkeypatch.setattr(lstm_fast, "CACHE_BYTES", cache_bytes)
    assert _worst(_fast_call(params, arrays, [7, 3, 5], None), reference) == 0.0


def test_fast_path_activations_are_exact_and_silent_at_plus_minus_1e4(rng):
    params, (xs, h0, c0, _, _, _) = _problem(rng, 3, 2, 4, 5, 1, False)
    p = params[0]["forward"]
    p["b_f"][:] = 1e4  # forget gate pinned open: sigma = 1 exactly
    p["b_i"][:] = -1e4  # input gate shut: sigma = 0 exactly (exp overflows to inf, on purpose)
    out, (h_n, c_n), cache = numpy_impl.lstm_fast_forward(xs, params, h0, c0)  # RuntimeWarnings are errors here
    f, i = cache.tapes[0][0].gates[..., :5], cache.tapes[0][0].gates[..., 5:10]
    assert np.all(f == 1.0) and np.all(i == 0.0)
    np.testing.assert_array_equal(c_n[0], c0[0], err_msg="f = 1 and i = 0 keep the cell as it was")
