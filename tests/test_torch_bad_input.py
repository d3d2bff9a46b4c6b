"""The Torch twin rejects bad input with the same clear messages as the NumPy reference."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course import convert, torch_impl
from lstm_course.params import init_lstm_params, init_rnn_params


def test_torch_rnn_rejects_mixed_precision():
    params = convert.to_tensors(init_rnn_params(3, 4))
    with pytest.raises(TypeError, match="dtype of xs \\(float32\\); got float64"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 3, dtype=torch.float32), params)


def test_torch_rnn_rejects_wrong_feature_size():
    params = convert.to_tensors(init_rnn_params(3, 4))
    with pytest.raises(ValueError, match=r"must have shape \(4, 2\); got \(4, 3\)"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 2, dtype=torch.float64), params)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_torch_rnn_names_a_device_mismatch():
    params = convert.to_tensors(init_rnn_params(3, 4), device="cuda")
    with pytest.raises(ValueError, match="is on cuda:0 but xs is on cpu"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 3, dtype=torch.float64), params)


def test_from_torch_rejects_other_modules():
    with pytest.raises(TypeError, match="expected torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU; got Linear"):
        convert.from_torch(torch.nn.Linear(3, 4))  # the GRU is supported since the variants chapter


def test_from_torch_and_to_torch_round_trip_with_summed_bias():
    module = torch.nn.RNN(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)
    tree = convert.from_torch(module)
    back = convert.to_torch(tree)
    named = {k: v.detach().numpy() for k, v in module.named_parameters()}
    assert sorted(back) == sorted(named)
    assert np.allclose(back["bias_ih_l1_reverse"], named["bias_ih_l1_reverse"] + named["bias_hh_l1_reverse"])
    assert np.all(back["bias_hh_l0"] == 0) and np.array_equal(back["weight_hh_l1"], named["weight_hh_l1"])


def test_torch_twin_given_a_numpy_array_says_it_takes_tensors():
    params = convert.to_tensors(init_rnn_params(3, 4))
    with pytest.raises(TypeError, match="xs is a numpy.ndarray, but the Torch twin takes torch tensors"):
        torch_impl.rnn_forward(np.zeros((5, 2, 3)), params)
    lstm_params = convert.to_tensors(init_lstm_params(3, 4))
    with pytest.raises(TypeError, match="xs is a numpy.ndarray, but the Torch twin takes torch tensors"):
        torch_impl.lstm_forward(np.zeros((5, 2, 3)), lstm_params)


def test_torch_twin_given_numpy_parameters_names_the_first_one():
    with pytest.raises(TypeError, match=r"params\[0\]\['forward'\]\['W_xh'\] is a numpy.ndarray, but xs is a torch.Tensor"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 3, dtype=torch.float64), init_rnn_params(3, 4))


# "meta" tensors have shapes and dtypes but no data: a device other than the CPU on any machine
@pytest.mark.parametrize("device", ["meta", pytest.param("cuda", marks=pytest.mark.skipif(
    not torch.cuda.is_available(), reason="no CUDA device on this machine"))])
def test_torch_twin_checks_the_device_of_the_initial_states(device):
    xs = torch.zeros(5, 2, 3, dtype=torch.float64)
    on_device = torch.zeros(1, 2, 4, dtype=torch.float64, device=device)
    rnn_params = convert.to_tensors(init_rnn_params(3, 4))
    lstm_params = convert.to_tensors(init_lstm_params(3, 4))
    with pytest.raises(ValueError, match=rf"h0 \(L \* num_directions, B, H\) is on {device}.* but xs is on cpu"):
        torch_impl.rnn_forward(xs, rnn_params, on_device)
    with pytest.raises(ValueError, match=rf"h0 \(L \* num_directions, B, H\) is on {device}.* but xs is on cpu"):
        torch_impl.lstm_forward(xs, lstm_params, on_device, None)
    with pytest.raises(ValueError, match=rf"c0 \(L \* num_directions, B, H\) is on {device}.* but xs is on cpu"):
        torch_impl.lstm_forward(xs, lstm_params, None, on_device)


def test_torch_twin_checks_the_device_of_every_parameter():
    params = convert.to_tensors(init_lstm_params(3, 4), device="meta")
    with pytest.raises(ValueError, match=r"params\[0\]\['forward'\]\['W_f'\] is on meta but xs is on cpu"):
        torch_impl.lstm_forward(torch.zeros(5, 2, 3, dtype=torch.float64), params)


@pytest.mark.parametrize("lengths", [torch.tensor([[5], [4]]), torch.tensor(5), [[5], [4]]], ids=["(B, 1)", "0-D", "nested"])
def test_torch_twin_rejects_lengths_of_the_wrong_rank(lengths):
    params = convert.to_tensors(init_rnn_params(3, 4))
    with pytest.raises(ValueError, match="lengths must be 1-D"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 3, dtype=torch.float64), params, lengths=lengths)


@pytest.mark.parametrize("nonlinearity", [["tanh"], None, 1])
def test_torch_twin_says_the_nonlinearity_must_be_a_string(nonlinearity):
    params = convert.to_tensors(init_rnn_params(3, 4))
    with pytest.raises(TypeError, match="nonlinearity must be the string 'tanh' or 'relu'"):
        torch_impl.rnn_forward(torch.zeros(5, 2, 3, dtype=torch.float64), params, nonlinearity=nonlinearity)
