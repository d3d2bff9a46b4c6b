"""The conditioned-generation checkers accept the right answer, name each typical mistake, and never raise."""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.exercises import (check_conditioned_answer, check_initial_state, check_mu_law_decode,
                                   check_mu_law_encode)
from lstm_course.exercises.conditioned import _DECODE_MISTAKES, _ENCODE_MISTAKES, _STATE_MISTAKES, QUESTIONS


def test_initial_state_checker_accepts_the_reference():
    ok, text = run_checker(check_initial_state, lambda f, W, b: np.tanh(f @ W.T + b))
    assert ok, text


@pytest.mark.parametrize("mistake", _STATE_MISTAKES, ids=lambda m: m.name)
def test_initial_state_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_initial_state, mistake.fn)
    assert not ok and mistake.name in text


def test_mu_law_checkers_accept_the_reference():
    def encode(x, mu):
        return np.floor((np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu) + 1) / 2 * mu + 0.5).astype(int)

    def decode(codes, mu):
        y = 2 * np.asarray(codes) / mu - 1
        return np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu

    assert run_checker(check_mu_law_encode, encode)[0]
    assert run_checker(check_mu_law_decode, decode)[0]


@pytest.mark.parametrize("mistake", _ENCODE_MISTAKES, ids=lambda m: m.name)
def test_mu_law_encode_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_mu_law_encode, mistake.fn)
    assert not ok and mistake.name in text


def test_mu_law_encode_checker_names_the_common_256_level_scheme_an_off_by_one():
    def encode(x, mu):  # mu + 1 equal bins over [-1, 1], the top one closed
        companded = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
        return np.minimum(np.floor((companded + 1) / 2 * (mu + 1)), mu).astype(int)

    ok, text = run_checker(check_mu_law_encode, encode)
    assert not ok and "off-by-one quantisation (256 levels)" in text


@pytest.mark.parametrize("mistake", _DECODE_MISTAKES, ids=lambda m: m.name)
def test_mu_law_decode_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_mu_law_decode, mistake.fn)
    assert not ok and mistake.name in text


@pytest.mark.parametrize("checker", [check_initial_state, check_mu_law_encode, check_mu_law_decode])
def test_checkers_survive_unattempted_and_crashing_answers(checker):
    def unattempted(*args):
        raise NotImplementedError

    assert "not attempted" in run_checker(checker, unattempted)[1]
    assert "raised ZeroDivisionError" in run_checker(checker, lambda *args: 1 / 0)[1]
    assert not run_checker(checker, "not a function")[0]


@pytest.mark.parametrize("question", sorted(QUESTIONS))
def test_conditioned_questions_accept_the_answer_and_explain_wrong_ones(question):
    q = QUESTIONS[question]
    assert run_checker(lambda a, report: check_conditioned_answer(question, a, report), q["answer"])[0]
    for wrong, hint in q["hints"].items():
        ok, text = run_checker(lambda a, report: check_conditioned_answer(question, a, report), wrong)
        assert not ok and hint in text
    assert not check_conditioned_answer("no-such-question", "a", report=lambda m: None)


def test_lookup_question_accepts_b_and_explains_a_and_c():
    ok, text = run_checker(lambda a, report: check_conditioned_answer("lookup", a, report), "b")
    assert ok and text == "Correct."
    for wrong in ("a", "c"):
        ok, text = run_checker(lambda a, report: check_conditioned_answer("lookup", a, report), wrong)
        assert not ok and QUESTIONS["lookup"]["hints"][wrong] in text


class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


@pytest.mark.parametrize("question", ["lookup", "attribute-table", ["lookup"], None, 3, _BadRepr()])
@pytest.mark.parametrize("answer", [None, "", " B ", "z", 2, ["b"], {"b": 1}, b"b", 1.5, _BadRepr()])
def test_conditioned_answer_checker_never_raises_on_junk(question, answer):
    messages = []
    ok = check_conditioned_answer(question, answer, report=messages.append)
    assert ok in (True, False) and messages
    assert ok == (question in ("lookup", "attribute-table") and answer == " B ")  # both answers are b


def test_mu_law_encode_checker_refuses_float_codes_even_when_their_values_are_right():
    """Review T-XX-03: float codes were accepted; a code is a class index, so they must be integers."""
    from lstm_course.data.audio import mu_law_encode

    ok, text = run_checker(check_mu_law_encode, lambda x, mu: mu_law_encode(x, mu).astype(np.float64))
    assert not ok and "non-integer codes" in text and "dtype float64" in text, text
    ok, text = run_checker(check_mu_law_encode, lambda x, mu: mu_law_encode(x, mu).astype(np.int32))
    assert ok, text
