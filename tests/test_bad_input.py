"""Bad input gets a clear error naming what was expected and what came; nothing overflows."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.numpy_impl import sigmoid
from lstm_course.params import init_lstm_params, init_rnn_params


def test_sigmoid_is_exact_and_silent_at_plus_minus_1e4():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float32, np.float64):
            s = sigmoid(np.array([-1e4, -30.0, 0.0, 30.0, 1e4], dtype=dtype))
            assert s.dtype == dtype
            assert s[0] == 0.0 and s[2] == 0.5 and s[4] == 1.0
            assert np.all(np.diff(s) >= 0)


@pytest.fixture
def setup(rng):
    return init_rnn_params(3, 4, 2, True, rng), rng.normal(size=(5, 2, 3))


def test_wrong_feature_size_names_both_shapes(setup):
    params, xs = setup
    with pytest.raises(ValueError, match=r"W_xh'\] must have shape \(4, 2\); got \(4, 3\)"):
        numpy_impl.rnn_forward(xs[..., :2], params)


def test_batch_first_input_is_caught_by_the_state_shape(setup, rng):
    params, xs = setup
    h0 = rng.normal(size=(4, 2, 4))
    with pytest.raises(ValueError, match=r"must have shape \(4, 5, 4\); got \(4, 2, 4\)"):
        numpy_impl.rnn_forward(xs.transpose(1, 0, 2), params, h0=h0)


def test_two_dimensional_input_names_the_time_major_layout(setup):
    params, xs = setup
    with pytest.raises(ValueError, match=r"\(T, B, D\).*got 2-D shape \(5, 3\)"):
        numpy_impl.rnn_forward(xs[:, 0], params)


def test_integer_input_is_a_type_error(setup):
    params, xs = setup
    with pytest.raises(TypeError, match="float32 or float64; got dtype int64"):
        numpy_impl.rnn_forward(xs.astype(np.int64), params)


def test_mixed_precision_is_not_promoted_silently(setup):
    params, xs = setup
    with pytest.raises(TypeError, match="dtype of xs \\(float32\\); got float64"):
        numpy_impl.rnn_forward(xs.astype(np.float32), params)


def test_wrong_h0_shape_names_the_layer_major_layout(setup):
    params, xs = setup
    with pytest.raises(ValueError, match=r"h0 \(L \* num_directions, B, H\) must have shape \(4, 2, 4\); got \(2, 2, 4\)"):
        numpy_impl.rnn_forward(xs, params, h0=np.zeros((2, 2, 4)))


def test_missing_parameter_is_named(setup):
    params, xs = setup
    del params[1]["reverse"]["b_h"]
    with pytest.raises(ValueError, match=r"params\[1\]\['reverse'\] must have keys \['W_hh', 'W_xh', 'b_h'\]"):
        numpy_impl.rnn_forward(xs, params)


def test_unknown_nonlinearity(setup):
    params, xs = setup
    with pytest.raises(ValueError, match="'tanh' or 'relu'.*'sigmoid'"):
        numpy_impl.rnn_forward(xs, params, nonlinearity="sigmoid")


@pytest.mark.parametrize("lengths, message", [([5], "one length per sequence"), ([0, 5], r"\[1, T = 5\]"),
                                              ([6, 5], r"\[1, T = 5\]; got \[6\]"), ([2.5, 3], "integers")])
def test_bad_lengths(setup, lengths, message):
    params, xs = setup
    with pytest.raises((ValueError, TypeError), match=message):
        numpy_impl.rnn_forward(xs, params, lengths=lengths)


@pytest.mark.parametrize("lengths", [np.array([[5, 4]]), np.array([[5], [4]]), np.array(5), [[5], [4]]],
                         ids=["(1, B)", "(B, 1)", "0-D", "nested list"])
def test_lengths_of_the_wrong_rank_are_named(setup, lengths):
    params, xs = setup
    with pytest.raises(ValueError, match="lengths must be 1-D"):
        numpy_impl.rnn_forward(xs, params, lengths=lengths)
    with pytest.raises(ValueError, match="lengths must be 1-D"):
        numpy_impl.lstm_forward(xs, init_lstm_params(3, 4), lengths=lengths)


@pytest.mark.parametrize("nonlinearity", [["tanh"], None, 1])
def test_a_nonlinearity_that_is_not_a_string_is_named(setup, nonlinearity):
    params, xs = setup
    with pytest.raises(TypeError, match="nonlinearity must be the string 'tanh' or 'relu'"):
        numpy_impl.rnn_forward(xs, params, nonlinearity=nonlinearity)


def test_an_lstm_cache_passed_to_the_rnn_backward_is_named(rng):
    xs = rng.normal(size=(5, 2, 3))
    out, _, lstm_cache = numpy_impl.lstm_forward(xs, init_lstm_params(3, 4))
    with pytest.raises(TypeError, match="rnn_backward needs the RNNCache returned by rnn_forward; got LSTMCache"):
        numpy_impl.rnn_backward(out, None, lstm_cache)
    out, _, rnn_cache = numpy_impl.rnn_forward(xs, init_rnn_params(3, 4))
    with pytest.raises(TypeError, match="lstm_backward needs the LSTMCache returned by lstm_forward; got RNNCache"):
        numpy_impl.lstm_backward(out, None, None, rnn_cache)


def test_numpy_reference_given_a_tensor_says_it_takes_numpy_arrays(setup):
    torch = pytest.importorskip("torch")
    params, xs = setup
    with pytest.raises(TypeError, match="xs is a torch.Tensor, but the NumPy reference takes NumPy arrays"):
        numpy_impl.rnn_forward(torch.as_tensor(xs), params)


def test_wrong_upstream_gradient_shape(setup):
    params, xs = setup
    out, h_n, cache = numpy_impl.rnn_forward(xs, params)
    with pytest.raises(ValueError, match=r"d_out must have shape \(5, 2, 8\); got \(5, 2, 4\)"):
        numpy_impl.rnn_backward(out[..., :4], h_n, cache)


def test_numpy_half_imports_and_runs_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "import numpy as np\n"
        "import lstm_course, lstm_course.numpy_impl as npi, lstm_course.params as P, lstm_course.exercises\n"
        "out, h, c = npi.rnn_forward(np.zeros((2, 1, 3)), P.init_rnn_params(3, 4))\n"
        "print(out.shape)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 1, 4)"
