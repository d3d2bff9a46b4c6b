"""Inputs are checked at the public edge, in both twins: one line names the argument, what was expected and what came.

Five rules (issue 20, section 4): lengths are integers in [1, T]; the array arguments share one dtype;
token ids lie in [0, V); states have their exact documented shape; masked attention positions
contribute exactly zero, even when their keys hold NaN or inf.
"""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.numpy_impl.charlm import charlm_loss, init_charlm, one_hot
from lstm_course.numpy_impl.readout import softmax_cross_entropy
from lstm_course.params import init_gru_params, init_lstm_params, init_lstm_variant_params, init_rnn_params

torch = pytest.importorskip("torch")

from lstm_course import convert, torch_impl  # noqa: E402
from lstm_course.torch_impl import charlm as torch_charlm  # noqa: E402

T, B, D, H = 5, 2, 3, 4
BAD_LENGTHS = {"NaN": [float("nan"), 3], "inf": [float("inf"), 3], "None": [None, 3], "bool": [True, 3],
               "fraction": [2.5, 3], "zero": [0, 3], "beyond T": [T + 1, 3], "-inf": [float("-inf"), 3]}
BAD_IDS = [(-1, r"got -1 \(a negative id is refused"), (7, r"got 7$")]  # with V = 7


def _raises_one_line(error, match, call, *args, **kwargs):
    with pytest.raises(error, match=match) as info:
        call(*args, **kwargs)
    assert "\n" not in str(info.value), str(info.value)
    return str(info.value)


@pytest.fixture
def np_case(rng):
    return rng.normal(size=(T, B, D)), init_lstm_params(D, H, rng=rng)


@pytest.fixture
def torch_case(np_case):
    xs, params = np_case
    return torch.as_tensor(xs), convert.to_tensors(params)


def _attention_case(rng, S=4, B_=3, H_q=2, H_k=5, A=3):
    query, keys = rng.normal(size=(B_, H_q)), rng.normal(size=(S, B_, H_k))
    params = {"W_q": rng.normal(size=(A, H_q)), "W_k": rng.normal(size=(A, H_k)), "v": rng.normal(size=A)}
    mask = np.arange(S)[:, None] < np.array([S, 2, 1])[None, :]
    return query, keys, params, mask


# Rule 1: lengths are integers in [1, T], as a list, an array or a tensor on any device

@pytest.mark.parametrize("lengths", list(BAD_LENGTHS.values()), ids=list(BAD_LENGTHS))
def test_numpy_bad_lengths_get_one_line_naming_lengths(np_case, lengths):
    xs, params = np_case
    message = _raises_one_line((ValueError, TypeError), "lengths", numpy_impl.lstm_forward, xs, params,
                               lengths=lengths)
    assert "[1, T = 5]" in message


@pytest.mark.parametrize("lengths", list(BAD_LENGTHS.values()), ids=list(BAD_LENGTHS))
def test_torch_bad_lengths_get_one_line_naming_lengths(torch_case, lengths):
    xs, params = torch_case
    as_tensor = torch.tensor([float("nan") if v is None else float(v) for v in lengths])  # True reads as 1.0
    for given in (lengths,) if any(isinstance(v, bool) for v in lengths) else (lengths, as_tensor):
        message = _raises_one_line((ValueError, TypeError), "lengths", torch_impl.lstm_forward, xs, params,
                                   lengths=given)
        assert "[1, T = 5]" in message or "dtype bool" in message


def test_numpy_lengths_are_read_alike_from_a_list_an_array_and_a_tensor(np_case):
    xs, params = np_case
    expected = numpy_impl.lstm_forward(xs, params, lengths=[5, 3])[0]
    for given in (np.array([5, 3]), np.array([5.0, 3.0]), torch.tensor([5, 3]), [np.int32(5), torch.tensor(3)]):
        np.testing.assert_array_equal(numpy_impl.lstm_forward(xs, params, lengths=given)[0], expected)


@pytest.mark.parametrize("device", ["meta", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device on this machine"))])
def test_lengths_on_any_device_are_read_or_refused_in_one_line(np_case, torch_case, device):
    lengths = torch.tensor([5, 3], device=device)
    for impl, (xs, params) in ((numpy_impl, np_case), (torch_impl, torch_case)):
        if device == "meta":  # a meta tensor has no values to read
            _raises_one_line(ValueError, "lengths is a tensor on the meta device, which holds no values",
                             impl.lstm_forward, xs, params, lengths=lengths)
            _raises_one_line(ValueError, r"lengths\[1\] is a tensor on the meta device", impl.lstm_forward,
                             xs, params, lengths=[5, lengths[1]])
        else:
            out = impl.lstm_forward(xs, params, lengths=lengths)[0]
            expected = impl.lstm_forward(xs, params, lengths=[5, 3])[0]
            assert (out == expected).all()


def test_a_boolean_lengths_array_is_refused_not_read_as_ones(np_case, torch_case):
    _raises_one_line(TypeError, "lengths must hold integers.*dtype bool", numpy_impl.lstm_forward, *np_case,
                     lengths=np.array([True, True]))
    _raises_one_line(TypeError, "lengths must hold integers.*dtype bool", torch_impl.lstm_forward, *torch_case,
                     lengths=torch.tensor([True, True]))


# Rule 2: the dtypes of every array argument agree, or one line names both

def test_numpy_attention_names_float32_keys_against_float64_queries(rng):
    query, keys, params, mask = _attention_case(rng)
    _raises_one_line(TypeError, "keys has dtype float32 but query has dtype float64",
                     numpy_impl.attention_forward, query, keys.astype(np.float32), params, mask)
    _raises_one_line(TypeError, r"params\['v'\] has dtype float32 but query has dtype float64",
                     numpy_impl.attention_forward, query, keys, dict(params, v=params["v"].astype(np.float32)))


def test_torch_attention_names_float32_keys_against_float64_queries(rng):
    query, keys, params, mask = _attention_case(rng)
    tq, tk, tp = torch.as_tensor(query), torch.as_tensor(keys), convert.to_tensors(params)
    _raises_one_line(TypeError, "keys has dtype float32 but query has dtype float64",
                     torch_impl.attention_forward, tq, tk.float(), tp, torch.as_tensor(mask))


@pytest.mark.parametrize("impl", [numpy_impl, torch_impl], ids=["numpy", "torch"])
def test_a_step_names_a_float32_state_against_float64_input(rng, impl):
    p = init_gru_params(D, H, rng=rng)[0]["forward"]
    x_t, h_prev = rng.normal(size=(B, D)), rng.normal(size=(B, H)).astype(np.float32)
    if impl is torch_impl:
        x_t, h_prev, p = torch.as_tensor(x_t), torch.as_tensor(h_prev), convert.to_tensors(p)
    _raises_one_line(TypeError, r"h_prev \(B, H\) must have the dtype of xs \(float64\); got float32",
                     impl.gru_step_forward, x_t, h_prev, p)


# Rule 3: token ids are integers in [0, V); a negative id is refused, never wrapped round to the last row

@pytest.mark.parametrize("bad, shown", BAD_IDS, ids=["negative", "equal to V"])
def test_numpy_token_ids_outside_the_vocabulary_are_refused(rng, bad, shown):
    V = 7
    model = init_charlm(V, H, rng)
    ids = rng.integers(0, V, size=(6, B))
    ids[2, 1] = bad
    _raises_one_line(ValueError, rf"ids must hold token ids in \[0, V = 7\); {shown}", charlm_loss, model, ids)
    _raises_one_line(ValueError, rf"ids must hold token ids in \[0, V = 7\); {shown}", one_hot, ids, V)
    _raises_one_line(ValueError, rf"targets must hold token ids in \[0, V = 7\); {shown}", softmax_cross_entropy,
                     rng.normal(size=(6, B, V)), ids)
    params = numpy_impl.init_seq2seq_params(V, V, 3, H, A=2)
    _raises_one_line(ValueError, rf"src must hold token ids in \[0, V = 7\); {shown}", numpy_impl.seq2seq_forward,
                     ids, [6, 6], ids[:3] * 0, params)
    _raises_one_line(ValueError, rf"tgt_in must hold token ids in \[0, V = 7\); {shown}",
                     numpy_impl.seq2seq_forward, ids * 0, [6, 6], ids, params)


@pytest.mark.parametrize("bad, shown", BAD_IDS, ids=["negative", "equal to V"])
def test_torch_token_ids_outside_the_vocabulary_are_refused(rng, bad, shown):
    V = 7
    model = convert.to_tensors(init_charlm(V, H, rng))
    ids = torch.as_tensor(rng.integers(0, V, size=(6, B)))
    ids[2, 1] = bad
    _raises_one_line(ValueError, rf"ids must hold token ids in \[0, V = 7\); {shown}", torch_charlm.charlm_loss,
                     model, ids)
    params = convert.to_tensors(numpy_impl.init_seq2seq_params(V, V, 3, H, A=2))
    _raises_one_line(ValueError, rf"src must hold token ids in \[0, V = 7\); {shown}", torch_impl.seq2seq_forward,
                     ids, [6, 6], ids[:3] * 0, params)
    conditioned = convert.to_tensors(numpy_impl.init_conditioned_decoder(2, V, H, V, rng))
    _raises_one_line(ValueError, rf"ids must hold token ids in \[0, V = 7\); {shown}", torch_impl.conditioned_loss,
                     torch.zeros(B, 2, dtype=torch.float64), ids, conditioned)


def test_token_ids_must_be_integers_and_hold_values(rng):
    model = init_charlm(7, H, rng)
    _raises_one_line(TypeError, "ids must be an integer array.*got dtype float64", charlm_loss, model,
                     np.zeros((6, B)))
    t_model = convert.to_tensors(model)
    _raises_one_line(ValueError, "ids is a tensor on the meta device", torch_charlm.charlm_loss, t_model,
                     torch.zeros(6, B, dtype=torch.long, device="meta"))


# Rule 4: states must have their exact documented shape; an (H,) state is never broadcast

def _step_cases(rng):
    return [("rnn_step_forward", init_rnn_params(D, H, rng=rng), 1),
            ("gru_step_forward", init_gru_params(D, H, rng=rng), 1),
            ("lstm_step_forward", init_lstm_params(D, H, rng=rng), 2),
            ("lstm_variant_step_forward", init_lstm_variant_params(D, H, "peephole", rng=rng), 2)]


@pytest.mark.parametrize("impl", [numpy_impl, torch_impl], ids=["numpy", "torch"])
def test_every_step_refuses_an_h_shaped_state_instead_of_broadcasting_it(rng, impl):
    for name, params, n_states in _step_cases(rng):
        p = params[0]["forward"]
        x_t, good, flat = rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=H)
        kwargs = {"variant": "peephole"} if "variant" in name else {}
        if impl is torch_impl:
            x_t, good, flat = (torch.as_tensor(a) for a in (x_t, good, flat))
            p = convert.to_tensors(p)
        step = getattr(impl, name)
        for k in range(n_states):
            states = [good] * n_states
            states[k] = flat
            which = ("h_prev", "c_prev")[k]
            _raises_one_line(ValueError, rf"{which} \(B, H\) must have shape \(2, 4\); got \(4,\)", step, x_t,
                             *states, p, **kwargs)
        _raises_one_line(ValueError, r"x_t must have shape \(B, D\); got 1-D shape \(3,\)", step, x_t[0],
                         *[good] * n_states, p, **kwargs)


@pytest.mark.parametrize("impl", [numpy_impl, torch_impl], ids=["numpy", "torch"])
def test_recurrent_forwards_refuse_an_h_shaped_initial_state(rng, impl):
    xs = rng.normal(size=(T, B, D))
    for forward, params, names in ((impl.rnn_forward, init_rnn_params(D, H, rng=rng), ("h0",)),
                                   (impl.gru_forward, init_gru_params(D, H, rng=rng), ("h0",)),
                                   (impl.lstm_forward, init_lstm_params(D, H, rng=rng), ("h0", "c0"))):
        x, state = xs, np.zeros(H)
        if impl is torch_impl:
            x, state, params = torch.as_tensor(x), torch.as_tensor(state), convert.to_tensors(params)
        for name in names:
            _raises_one_line(ValueError, rf"{name} \(L \* num_directions, B, H\) must have shape \(1, 2, 4\); "
                             r"got \(4,\)", forward, x, params, **{name: state})


@pytest.mark.parametrize("impl", [numpy_impl, torch_impl], ids=["numpy", "torch"])
def test_attention_and_the_conditioned_decoder_refuse_flat_states(rng, impl):
    query, keys, params, mask = _attention_case(rng)
    model = numpy_impl.init_conditioned_decoder(2, D, H, 6, rng)
    features, xs = rng.normal(size=(B, 2)), rng.normal(size=(T, B, D))
    if impl is torch_impl:
        query, keys, params, mask = (torch.as_tensor(query), torch.as_tensor(keys), convert.to_tensors(params),
                                     torch.as_tensor(mask))
        model, features, xs = convert.to_tensors(model), torch.as_tensor(features), torch.as_tensor(xs)
    _raises_one_line(ValueError, r"query must have shape \(B, H_q\); got \(2,\)", impl.attention_forward,
                     query[0], keys, params, mask)
    _raises_one_line(ValueError, r"features must have shape \(B, F\); got 1-D shape \(2,\)",
                     impl.conditioned_forward, features[0], xs, model)
    _raises_one_line(ValueError, r"features must have shape \(B, F\) with B = 2, the batch of xs; got \(1, 2\)",
                     impl.conditioned_forward, features[:1], xs, model)
    _raises_one_line(ValueError, r"features must have shape \(B, F\); got 1-D shape \(2,\)",
                     impl.init_state_forward, features[0], model["W_img"], model["b_img"])


# Rule 5: masked attention positions contribute exactly zero, even when their keys are NaN or inf

@pytest.mark.parametrize("poison", [np.nan, np.inf, -np.inf], ids=["NaN", "inf", "-inf"])
def test_numpy_masked_keys_contribute_exactly_zero_forward_and_backward(rng, poison):
    query, keys, params, mask = _attention_case(rng)
    poisoned = np.where(mask[:, :, None], keys, poison)
    clean = numpy_impl.attention_forward(query, np.where(mask[:, :, None], keys, 0.0), params, mask)
    context, weights, cache = numpy_impl.attention_forward(query, poisoned, params, mask)
    np.testing.assert_array_equal(context, clean[0])
    np.testing.assert_array_equal(weights, clean[1])
    assert np.all(weights[~mask] == 0)
    d_context, d_weights = rng.normal(size=context.shape), rng.normal(size=weights.shape)
    d_query, d_keys, grads = numpy_impl.attention_backward(d_context, d_weights, cache)
    expected = numpy_impl.attention_backward(d_context, d_weights, clean[2])
    for got in (d_query, d_keys, *grads.values()):
        assert np.all(np.isfinite(got))
    assert np.all(d_keys[~mask] == 0)
    np.testing.assert_array_equal(d_query, expected[0])
    np.testing.assert_array_equal(d_keys, expected[1])
    for key in grads:
        np.testing.assert_array_equal(grads[key], expected[2][key])


@pytest.mark.parametrize("poison", [float("nan"), float("inf"), float("-inf")], ids=["NaN", "inf", "-inf"])
def test_torch_masked_keys_contribute_exactly_zero_forward_and_backward(rng, poison):
    query, keys, params, mask = _attention_case(rng)
    tq, tp, tm = torch.as_tensor(query), convert.to_tensors(params, requires_grad=True), torch.as_tensor(mask)
    tk = torch.as_tensor(keys).masked_fill(~tm[:, :, None], poison).requires_grad_()
    context, weights = torch_impl.attention_forward(tq, tk, tp, tm)
    clean_context, clean_weights = torch_impl.attention_forward(tq, torch.as_tensor(keys), tp, tm)
    assert torch.all(torch.isfinite(context)) and torch.all(weights[~tm] == 0)
    torch.testing.assert_close(context, clean_context, rtol=0, atol=0)
    (context.sum() + (weights * torch.as_tensor(rng.normal(size=weights.shape))).sum()).backward()
    assert torch.all(tk.grad[~tm] == 0) and torch.all(torch.isfinite(tk.grad))
    assert all(torch.all(torch.isfinite(v.grad)) for v in tp.values())
