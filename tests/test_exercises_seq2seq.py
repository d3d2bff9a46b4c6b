"""The encoder–decoder checkers accept the reference and name each typical mistake."""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.exercises import check_attention_step, check_beam_step, check_exposure_answer
from lstm_course.exercises import seq2seq as ex


def test_attention_checker_accepts_the_reference():
    ok, text = run_checker(check_attention_step, ex._attention_reference)
    assert ok, text


@pytest.mark.parametrize("mistake", ex.ATTENTION_MISTAKES, ids=lambda m: m.name)
def test_attention_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_attention_step, mistake.fn)
    assert not ok and mistake.name in text, text


def test_beam_checker_accepts_the_reference():
    ok, text = run_checker(check_beam_step, ex._beam_reference)
    assert ok, text


@pytest.mark.parametrize("mistake", ex.BEAM_MISTAKES, ids=lambda m: m.name)
def test_beam_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_beam_step, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("checker", [check_attention_step, check_beam_step])
def test_seq2seq_checkers_survive_unattempted_and_crashing_answers(checker):
    def todo(*args):
        raise NotImplementedError

    def crash(*args):
        return 1 / 0

    assert run_checker(checker, todo)[0] is False
    assert not run_checker(checker, crash)[0]
    assert not run_checker(checker, "not a function")[0]


def test_exposure_checker_reads_the_measurement():
    messages = []
    assert check_exposure_answer("a", 0.99, 0.9, report=messages.append)
    assert not check_exposure_answer("b", 0.99, 0.9, report=messages.append)
    assert not check_exposure_answer(None, 0.99, 0.9, report=messages.append)
    assert not check_exposure_answer(3, 0.99, 0.9, report=messages.append)


def test_supporting_fact_checker_accepts_the_last_move_and_names_mistakes():
    from lstm_course.exercises import check_supporting_fact
    from lstm_course.exercises import qa

    assert run_checker(check_supporting_fact, qa._reference)[0]
    for name, wrong in qa.MISTAKES.items():
        ok, text = run_checker(check_supporting_fact, wrong)
        assert not ok and name in text, text
    assert not run_checker(check_supporting_fact, None)[0]


def test_beam_step_checker_names_the_raw_length_power():
    """Review T-XX-03: a length penalty written |y|^alpha instead of ((5 + |y|) / 6)^alpha."""
    ok, text = run_checker(check_beam_step, ex._raw_length_power)
    assert not ok and "Likely cause (|y|^alpha as the length penalty)" in text, text
