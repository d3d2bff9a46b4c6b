"""The LSTM checkers accept the reference, name each known mistake, and agree with the package."""

import numpy as np
import pytest

from lstm_course import numpy_impl
from lstm_course.exercises import check_forget_faster, check_lstm_step, check_lstm_step_backward
from lstm_course.exercises.lstm import (LSTM_STEP_BACKWARD_MISTAKES, LSTM_STEP_MISTAKES, reference_lstm_step,
                                        reference_lstm_step_backward)

from conftest import run_checker as _run


def test_lstm_checkers_accept_the_references():
    assert _run(check_lstm_step, reference_lstm_step)[0]
    assert _run(check_lstm_step_backward, reference_lstm_step_backward)[0]


@pytest.mark.parametrize("mistake", LSTM_STEP_MISTAKES, ids=lambda m: m.name)
def test_lstm_step_checker_names_each_mistake(mistake):
    ok, text = _run(check_lstm_step, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("mistake", LSTM_STEP_BACKWARD_MISTAKES, ids=lambda m: m.name)
def test_lstm_step_backward_checker_names_each_mistake(mistake):
    ok, text = _run(check_lstm_step_backward, mistake.fn)
    assert not ok and mistake.name in text, text


def test_lstm_step_checker_names_inputs_mutated_in_place():
    def mutating(x_t, h_prev, c_prev, p):
        h_t, c_t = reference_lstm_step(x_t, h_prev, c_prev, p)
        c_prev[...] = c_t  # "update the state in place"
        return h_t, c_t

    ok, text = _run(check_lstm_step, mutating)
    assert not ok and "modified its input c_prev in place" in text


def test_reference_lstm_step_is_the_package_step():
    rng = np.random.default_rng(0)
    x_t, h_prev, c_prev = rng.normal(size=(2, 3)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    p = {f"W_{g}": rng.normal(size=(4, 7)) for g in "fico"} | {f"b_{g}": rng.normal(size=4) for g in "fico"}
    h_t, c_t, cache = numpy_impl.lstm_step_forward(x_t, h_prev, c_prev, p)
    assert np.allclose(reference_lstm_step(x_t, h_prev, c_prev, p), (h_t, c_t), atol=1e-14)
    dh, dc = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    ours = numpy_impl.lstm_step_backward(dh, dc, cache)
    ref = reference_lstm_step_backward(dh, dc, x_t, h_prev, c_prev, p)
    assert all(np.allclose(a, b, atol=1e-12) for a, b in zip(ours[:3], ref[:3]))
    assert all(np.allclose(ours[3][k], ref[3][k], atol=1e-12) for k in p)


def test_forget_faster_question():
    assert _run(lambda a, report: check_forget_faster(*a, report=report), ("forget", "decrease bias"))[0]
    ok, text = _run(lambda a, report: check_forget_faster(*a, report=report), ("forget", "increase bias"))
    assert not ok and "forgets more slowly" in text
    assert not _run(lambda a, report: check_forget_faster(*a, report=report), (None, None))[0]


def test_choice_questions_accept_the_answer_and_explain_the_usual_mistakes():
    from lstm_course.exercises import check_answer

    assert _run(lambda a, report: check_answer("bound-steps", a, report=report), 132)[0]
    ok, text = _run(lambda a, report: check_answer("bound-steps", a, report=report), 131)
    assert not ok and "round up" in text
    ok, text = _run(lambda a, report: check_answer("which-lstm-adds", a, report=report), "a")
    assert not ok and "0.73^100" in text
    assert not _run(lambda a, report: check_answer("nonsense", a, report=report), 1)[0]
