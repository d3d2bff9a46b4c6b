"""Staged hints: before an attempt a checker nudges (what to compare, which shape, which equation); the formula
comes only after a wrong attempt; and each wrong output gets its own diagnosis.

Every checker that takes a function (its seed is ``raise NotImplementedError``) and carries ``.hints`` (a
:class:`~lstm_course.exercises._harness.Hints`) is covered as soon as it is exported.
"""

import inspect

import numpy as np
import pytest
from conftest import run_checker

import lstm_course.exercises as exercises
from lstm_course.exercises import _harness
from lstm_course.exercises._harness import Hints

FUNCTION_CHECKERS = {name: getattr(exercises, name) for name in exercises.__all__ if name.startswith("check_")
                     and next(iter(inspect.signature(getattr(exercises, name)).parameters), None) == "fn"}
STAGED = {name: checker for name, checker in FUNCTION_CHECKERS.items() if isinstance(getattr(checker, "hints", None),
                                                                                      Hints)}
# the checkers that existed when staged hints came in: each must keep them
EXISTING = {"check_rnn_step", "check_rnn_step_backward", "check_rnn_bptt", "check_shared_weight_gradient",
            "check_readout_backward", "check_numerical_gradient", "check_stacked_forward", "check_reverse_direction",
            "check_lstm_step", "check_lstm_step_backward", "check_gru_step", "check_sample_with_temperature",
            "check_tbptt_step", "check_sampling_loop", "check_initial_state", "check_mu_law_encode",
            "check_mu_law_decode", "check_attention_step", "check_beam_step", "check_fused_lstm_step",
            "check_lstm_flops", "check_supporting_fact"}


def _not_attempted(*args):
    raise NotImplementedError  # the seed of every coding exercise


def _returns_none(*args):
    return None


def test_every_existing_function_checker_has_staged_hints():
    assert EXISTING <= set(STAGED), sorted(EXISTING - set(STAGED))


@pytest.mark.parametrize("name", sorted(STAGED))
def test_nudge_and_formula_are_distinct_sentences(name):
    hints = STAGED[name].hints
    assert hints.nudge.strip() and hints.formula.strip() and hints.nudge != hints.formula
    assert hints.formula not in hints.nudge


@pytest.mark.parametrize("name", sorted(STAGED))
def test_before_an_attempt_the_report_has_the_nudge_and_not_the_formula(name):
    if name == "check_tbptt_step":
        pytest.importorskip("torch")
    checker = STAGED[name]
    ok, text = run_checker(checker, _not_attempted)
    assert ok is False
    assert "not attempted yet" in text, text
    assert checker.hints.nudge in text, text
    assert checker.hints.formula not in text, text


@pytest.mark.parametrize("name", sorted(STAGED))
def test_after_a_wrong_attempt_the_report_has_the_formula_once(name):
    if name == "check_tbptt_step":
        pytest.importorskip("torch")
    checker = STAGED[name]
    ok, text = run_checker(checker, _returns_none)
    assert ok is False
    assert text.count(checker.hints.formula) == 1, text
    assert checker.hints.nudge not in text, text


@pytest.mark.parametrize("name", sorted(STAGED))
def test_a_named_mistake_also_gets_the_formula(name):
    module = inspect.getmodule(inspect.unwrap(STAGED[name]))
    zoo = [value for value in vars(module).values() if isinstance(value, list) and value
           and all(isinstance(m, _harness.Mistake) for m in value)]
    if not zoo or name in ("check_gru_step",):
        pytest.skip("no module-level zoo")
    messages = []
    STAGED[name](zoo[0][0].fn, report=messages.append)
    text = "\n".join(messages)
    if "Likely cause" in text:
        assert text.count(STAGED[name].hints.formula) == 1, text


def test_no_checker_message_prints_a_doubled_full_stop():
    from lstm_course.exercises.choices import QUESTIONS
    from lstm_course.exercises.conditioned import QUESTIONS as CONDITIONED

    for question, q in QUESTIONS.items():
        for answer in q["hints"]:
            _, text = run_checker(lambda a, report: exercises.check_answer(question, a, report=report), answer)
            assert ".." not in text.replace("...", ""), text
    for question, q in CONDITIONED.items():
        for answer in q["hints"]:
            messages = []
            exercises.check_conditioned_answer(question, answer, report=messages.append)
            assert ".." not in "".join(messages).replace("...", ""), messages


def test_the_clause_helper_strips_one_full_stop_and_keeps_an_ellipsis():
    assert _harness.clause("over a long stream.") == "over a long stream"
    assert _harness.clause("and so on...") == "and so on..."
    assert _harness.clause(None) == "None"


def test_a_plain_string_hint_still_works():
    messages = []
    ok = _harness.check_function(_not_attempted, title="T", arg_names=("x",), cases=[_harness.Case("c", (1.0,))],
                                 reference=lambda x: np.float64(x), mistakes=[], hints="a nudge only",
                                 report=messages.append)
    assert ok is False and "a nudge only" in messages[0]
