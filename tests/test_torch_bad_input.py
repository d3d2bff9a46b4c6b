"""The Torch twin rejects bad input with the same clear messages as the NumPy reference."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course import convert, torch_impl
from lstm_course.params import init_rnn_params


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
    with pytest.raises(TypeError, match="expected torch.nn.RNN or torch.nn.LSTM; got GRU"):
        convert.from_torch(torch.nn.GRU(3, 4))


def test_from_torch_and_to_torch_round_trip_with_summed_bias():
    module = torch.nn.RNN(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)
    tree = convert.from_torch(module)
    back = convert.to_torch(tree)
    named = {k: v.detach().numpy() for k, v in module.named_parameters()}
    assert sorted(back) == sorted(named)
    assert np.allclose(back["bias_ih_l1_reverse"], named["bias_ih_l1_reverse"] + named["bias_hh_l1_reverse"])
    assert np.all(back["bias_hh_l0"] == 0) and np.array_equal(back["weight_hh_l1"], named["weight_hh_l1"])
