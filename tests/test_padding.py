"""Padded batches (book: the bidirectional chapter): the same as running each sequence alone."""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.params import init_rnn_params

LENGTHS = [6, 1, 4, 6, 2]


@pytest.mark.parametrize("L", [1, 2, 3])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
def test_numpy_padded_batch_equals_each_sequence_alone(rng, L, bidirectional):
    num_directions = 2 if bidirectional else 1
    params = init_rnn_params(3, 4, L, bidirectional, rng)
    xs = rng.normal(size=(6, len(LENGTHS), 3))
    h0 = rng.normal(size=(L * num_directions, len(LENGTHS), 4))
    out, h_n, _ = numpy_impl.rnn_forward(xs, params, h0, lengths=LENGTHS)
    for b, n in enumerate(LENGTHS):
        alone, h_alone, _ = numpy_impl.rnn_forward(xs[:n, b:b + 1], params, h0[:, b:b + 1])
        assert np.allclose(out[:n, b], alone[:, 0], rtol=0, atol=1e-12)
        assert np.all(out[n:, b] == 0.0), "outputs at padded steps are zero"
        assert np.allclose(h_n[:, b], h_alone[:, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
def test_torch_padded_batch_equals_each_sequence_alone(rng, bidirectional):
    torch = pytest.importorskip("torch")
    from lstm_course import convert, torch_impl

    params = convert.to_tensors(init_rnn_params(3, 4, 2, bidirectional, rng))
    xs = torch.tensor(rng.normal(size=(6, len(LENGTHS), 3)))
    out, h_n = torch_impl.rnn_forward(xs, params, lengths=LENGTHS)
    for b, n in enumerate(LENGTHS):
        alone, h_alone = torch_impl.rnn_forward(xs[:n, b:b + 1], params)
        assert torch.allclose(out[:n, b], alone[:, 0], rtol=0, atol=1e-12)
        assert torch.all(out[n:, b] == 0)
        assert torch.allclose(h_n[:, b], h_alone[:, 0], rtol=0, atol=1e-12)


def test_a_bidirectional_output_depends_on_the_future_and_a_unidirectional_one_does_not(rng):
    """Why a bidirectional RNN cannot generate: out[t] changes when x[t+1] changes."""
    xs = rng.normal(size=(5, 1, 3))
    later = xs.copy()
    later[3] += 1.0  # change the input at t = 3 only
    for bidirectional, depends in [(False, False), (True, True)]:
        params = init_rnn_params(3, 4, 1, bidirectional, rng)
        out, _, _ = numpy_impl.rnn_forward(xs, params)
        out_later, _, _ = numpy_impl.rnn_forward(later, params)
        assert np.any(out[:3] != out_later[:3]) == depends
