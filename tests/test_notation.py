"""One notation for both twins: names, gate order, directions and shapes come from lstm_course.notation."""

import numpy as np
import pytest

from lstm_course import notation
from lstm_course.numpy_impl.activations import ACTIVATIONS
from lstm_course.params import init_lstm_params, init_rnn_params


@pytest.mark.parametrize("bidirectional", [False, True])
def test_initial_parameters_have_the_shapes_of_the_notation(bidirectional):
    D, H = 3, 4
    for init, shapes_of in ((init_rnn_params, notation.rnn_shapes), (init_lstm_params, notation.lstm_shapes)):
        params = init(D, H, num_layers=2, bidirectional=bidirectional, rng=np.random.default_rng(0))
        for k, layer in enumerate(params):
            assert notation.layer_directions(layer) == list(notation.DIRECTIONS[:1 + bidirectional])
            D_in = D if k == 0 else (1 + bidirectional) * H
            for p in layer.values():
                assert {key: value.shape for key, value in p.items()} == shapes_of(D_in, H)


def test_lstm_gates_are_in_the_order_of_the_equations():
    assert notation.LSTM_GATES == ("f", "i", "c", "o")
    assert list(notation.lstm_shapes(2, 3)) == ["W_f", "W_i", "W_c", "W_o", "b_f", "b_i", "b_c", "b_o"]


def test_both_twins_implement_exactly_the_named_nonlinearities():
    assert tuple(ACTIVATIONS) == notation.NONLINEARITIES
    torch = pytest.importorskip("torch")
    from lstm_course import convert
    from lstm_course.torch_impl import rnn

    assert tuple(rnn._ACTIVATIONS) == notation.NONLINEARITIES
    assert sorted(convert.TORCH_LSTM_GATE_ORDER) == sorted(notation.LSTM_GATES)
    assert torch is not None


@pytest.mark.parametrize("bad, error", [("sigmoid", ValueError), (["tanh"], TypeError), (None, TypeError)])
def test_check_nonlinearity_names_what_came(bad, error):
    for good in notation.NONLINEARITIES:
        notation.check_nonlinearity(good)
    with pytest.raises(error, match="'tanh' or 'relu'"):
        notation.check_nonlinearity(bad)
