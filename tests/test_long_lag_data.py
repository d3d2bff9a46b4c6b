"""The 1997 tasks are generated as the paper describes them (book: the reproduction chapter)."""

import numpy as np

from lstm_course import numpy_impl
from lstm_course.data.long_lag import adding_problem, temporal_order
from lstm_course.data.reber import SYMBOLS, embedded_reber_sets, embedded_reber_string, outer_positions, reber_stream
from lstm_course.params import init_lstm_params
from lstm_course.models.recurrent_net import FORGET_GATE_OPEN


def test_adding_problem_marks_two_values_and_uses_the_papers_target(rng):
    batch = adding_problem(200, 100, rng)
    assert np.all((batch.lengths >= 100) & (batch.lengths <= 110))
    for b, n in enumerate(batch.lengths):
        values, markers = batch.xs[:n, b, 0], batch.xs[:n, b, 1]
        marked = np.flatnonzero(markers == 1.0)
        assert len(marked) == 2 and marked[0] < 10 and marked[1] < 49
        assert markers[n - 1] == -1.0 and np.all(batch.xs[n:, b] == 0)
        assert np.isclose(batch.targets[b], 0.5 + values[marked].sum() / 4)


def test_temporal_order_hides_the_class_in_two_positions(rng):
    batch = temporal_order(100, rng)
    for b, n in enumerate(batch.lengths):
        symbols = batch.xs[:n, b].argmax(-1)
        assert symbols[0] == 6 and symbols[n - 1] == 7  # E ... B
        relevant = np.flatnonzero(symbols >= 4)[1:-1]
        assert 10 <= relevant[0] <= 20 and 50 <= relevant[1] <= 60
        assert 2 * (symbols[relevant[0]] - 4) + (symbols[relevant[1]] - 4) == batch.targets[b]


def test_embedded_reber_repeats_the_second_symbol_before_the_end(rng):
    for _ in range(50):
        text, legal = embedded_reber_string(rng)
        assert text[1] == text[-2] and text[:1] == "B" and text.endswith("E")
        assert all(nxt in allowed for nxt, allowed in zip(text[1:], legal))


def test_reber_sets_are_disjoint_and_streams_know_their_outer_positions(rng):
    train, test = embedded_reber_sets(rng, 64, 64)
    assert not set(train.texts) & set(test.texts)
    stream = reber_stream(2, 5, rng)
    T = stream.xs.shape[0]
    outer = outer_positions(stream.texts, T)
    for b, text in enumerate(stream.texts):
        assert all(text[t] == "E" and text[t + 1] in "TP" for t in np.flatnonzero(outer[:, b]) if t + 1 < T)
    assert stream.xs.shape[-1] == len(SYMBOLS)


def test_a_forget_gate_pinned_open_is_exactly_the_1997_cell(rng):
    params = init_lstm_params(2, 3, rng=rng)
    p = params[0]["forward"]
    p["W_f"][:] = 0.0
    p["b_f"][:] = FORGET_GATE_OPEN
    x_t, h_prev, c_prev = rng.normal(size=(4, 2)), rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, c_t, cache = numpy_impl.lstm_step_forward(x_t, h_prev, c_prev, p)
    assert np.all(cache.f_t == 1.0)
    assert np.array_equal(c_t, c_prev + cache.i_t * cache.c_tilde)
    _, _, _, grads = numpy_impl.lstm_step_backward(np.ones((4, 3)), np.ones((4, 3)), cache)
    assert np.all(grads["W_f"] == 0) and np.all(grads["b_f"] == 0), "no gradient ever moves the pinned gate"
