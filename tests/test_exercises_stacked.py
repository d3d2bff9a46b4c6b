"""The stacking and reverse-pass checkers accept the reference and name each known mistake."""

import pytest

from lstm_course.exercises import check_reverse_direction, check_stacked_forward
from lstm_course.exercises.stacked import (REVERSE_MISTAKES, STACK_MISTAKES, reference_reverse_direction,
                                           reference_stacked_forward)

from conftest import run_checker as _run


def test_checkers_accept_the_references():
    assert _run(check_stacked_forward, reference_stacked_forward)[0]
    assert _run(check_reverse_direction, reference_reverse_direction)[0]


@pytest.mark.parametrize("mistake", STACK_MISTAKES, ids=lambda m: m.name)
def test_stack_checker_names_each_mistake(mistake):
    ok, text = _run(check_stacked_forward, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("mistake", REVERSE_MISTAKES, ids=lambda m: m.name)
def test_reverse_checker_names_each_mistake(mistake):
    ok, text = _run(check_reverse_direction, mistake.fn)
    assert not ok and mistake.name in text, text


def test_reference_reverse_direction_matches_the_package():
    import numpy as np

    from lstm_course import numpy_impl

    xs, p, h0, lengths = np.random.default_rng(0).normal(size=(5, 3, 2)), None, None, [5, 3, 1]
    rng = np.random.default_rng(1)
    p = {"W_xh": rng.normal(size=(4, 2)), "W_hh": rng.normal(size=(4, 4)), "b_h": rng.normal(size=4)}
    h0 = rng.normal(size=(3, 4))
    params = [{"forward": {k: 0 * v for k, v in p.items()}, "reverse": p}]
    out, h_n, _ = numpy_impl.rnn_forward(xs, params, np.stack([0 * h0, h0]), lengths=lengths)
    ref_out, ref_h_n = reference_reverse_direction(xs, p, h0, lengths)
    assert np.allclose(out[..., 4:], ref_out, atol=1e-12) and np.allclose(h_n[1], ref_h_n, atol=1e-12)
