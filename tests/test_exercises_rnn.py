"""The RNN exercise checkers accept the reference, reject each known mistake by name, and never crash."""

import numpy as np
import pytest
from conftest import run_checker

from lstm_course.exercises import check_rnn_shapes, check_rnn_step, check_rnn_step_backward
from lstm_course.exercises.rnn import (RNN_STEP_BACKWARD_MISTAKES, RNN_STEP_MISTAKES, reference_rnn_step,
                                       reference_rnn_step_backward)
from lstm_course.exercises.shapes import EXPECTED_SHAPES


_check = run_checker


def test_rnn_step_checker_accepts_the_reference():
    ok, text = _check(check_rnn_step, reference_rnn_step)
    assert ok and "correct" in text


@pytest.mark.parametrize("mistake", RNN_STEP_MISTAKES, ids=lambda m: m.name)
def test_rnn_step_checker_names_each_known_mistake(mistake):
    ok, text = _check(check_rnn_step, mistake.fn)
    assert not ok
    assert mistake.name in text, text


def test_rnn_step_checker_names_an_in_place_write():
    def mutates(x_t, h_prev, p):
        h_prev *= 1.0  # leaves values equal: the checker must compare contents, so change them
        h_prev += x_t @ p["W_xh"].T
        return np.tanh(h_prev @ p["W_hh"].T + p["b_h"])

    ok, text = _check(check_rnn_step, mutates)
    assert not ok and "modified its input h_prev in place" in text


@pytest.mark.parametrize("fn, expected", [
    (lambda x, h, p: (_ for _ in ()).throw(NotImplementedError), "not attempted yet"),
    (lambda x, h, p: None, "did you forget a `return`"),
    (lambda x, h, p: 1 / 0, "raised ZeroDivisionError"),
    (lambda x, h, p: np.tanh(x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"]).T, "has shape"),
    (lambda x, h, p: reference_rnn_step(x, h, p) * 1.5, "matches none of the common mistakes"),
    ("not a function", "expected a function"),
])
def test_rnn_step_checker_explains_without_raising(fn, expected):
    ok, text = _check(check_rnn_step, fn)
    assert not ok and expected in text, text


def test_rnn_step_backward_checker_accepts_the_reference():
    assert _check(check_rnn_step_backward, reference_rnn_step_backward)[0]


@pytest.mark.parametrize("mistake", RNN_STEP_BACKWARD_MISTAKES, ids=lambda m: m.name)
def test_rnn_step_backward_checker_names_each_known_mistake(mistake):
    ok, text = _check(check_rnn_step_backward, mistake.fn)
    assert not ok and mistake.name in text, text


def test_rnn_step_backward_checker_names_in_place_upstream_gradient():
    def mutates(dh_t, x_t, h_prev, h_t, p):
        dh_t *= 1 - h_t ** 2  # the CS231n-2017 #7 bug
        return dh_t @ p["W_xh"], dh_t @ p["W_hh"], {"W_xh": dh_t.T @ x_t, "W_hh": dh_t.T @ h_prev, "b_h": dh_t.sum(0)}

    ok, text = _check(check_rnn_step_backward, mutates)
    assert not ok and "modified its input dh_t in place" in text


def test_rnn_step_backward_checker_names_unsummed_bias_gradient():
    def unsummed(dh_t, x_t, h_prev, h_t, p):
        dx, dh, g = reference_rnn_step_backward(dh_t, x_t, h_prev, h_t, p)
        return dx, dh, {**g, "b_h": dh_t * (1 - h_t ** 2)}

    ok, text = _check(check_rnn_step_backward, unsummed)
    assert not ok and "grads['b_h'] has shape" in text


def test_shape_checker_accepts_the_right_shapes_and_names_batch_first():
    assert _check(check_rnn_shapes, EXPECTED_SHAPES)[0]
    ok, text = _check(check_rnn_shapes, {**EXPECTED_SHAPES, "out": (4, 7, 10)})
    assert not ok and "batch_first" in text
    ok, text = _check(check_rnn_shapes, {key: None for key in EXPECTED_SHAPES})
    assert not ok and "not answered yet" in text


def test_task_shape_checker_accepts_the_answer_and_explains_translation():
    from lstm_course.exercises.tasks import TASKS, check_task_shapes

    right = {task: sorted(accepted)[0] for task, (accepted, _) in TASKS.items()}
    assert _check(check_task_shapes, right)[0]
    ok, text = _check(check_task_shapes, {**right, "machine translation": "aligned many-to-many"})
    assert not ok and "word order changes" in text
    assert not _check(check_task_shapes, {})[0]
