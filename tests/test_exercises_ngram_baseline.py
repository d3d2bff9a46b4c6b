"""The generative chapter's n-gram baseline checker: accepts the add-k bigram, names each classic mistake."""

import copy
import math

import numpy as np
import pytest

from lstm_course.exercises import check_bigram_bpc
from lstm_course.exercises import ngram_baseline as ex

from conftest import run_checker as _run


def test_reference_by_hand_and_against_the_corpus_bigram():
    # train "abab": pairs ab, ba, ab; V = 2, k = 1: p(b|a) = 3/4, p(a|b) = 2/3; test "ab" scores p(b|a)
    assert ex.reference_bigram_bpc(np.array([0, 1, 0, 1]), np.array([0, 1]), 2, 1.0) == pytest.approx(
        -math.log2(3 / 4))
    from lstm_course.data.corpus import Corpus, Vocabulary, ngram_bits_per_char

    rng = np.random.default_rng(0)
    vocab = Vocabulary("abcde")
    train, val = rng.integers(0, 5, 300), rng.integers(0, 5, 80)
    corpus = Corpus(train, val, vocab, "toy")
    assert ex.reference_bigram_bpc(train, val, 5, 1.0) == pytest.approx(ngram_bits_per_char(corpus)["bigram_bpc"])


def test_checker_accepts_the_reference():
    ok, text = _run(check_bigram_bpc, ex.reference_bigram_bpc)
    assert ok, text


@pytest.mark.parametrize("mistake", ex.MISTAKES, ids=lambda m: m.name)
def test_checker_names_each_mistake(mistake):
    ok, text = _run(check_bigram_bpc, mistake.fn)
    assert not ok and f"Likely cause ({mistake.name})" in text, text


@pytest.mark.parametrize("mistake", ex.MISTAKES, ids=lambda m: m.name)
def test_every_mistake_differs_from_the_reference_on_some_case(mistake):
    assert any(mistake.fn(*copy.deepcopy(c.args)) != ex.reference_bigram_bpc(*copy.deepcopy(c.args))
               for c in ex.CASES)


def test_not_attempted_shows_the_nudge_not_the_formula():
    def not_yet(train, test, V, k):
        raise NotImplementedError

    ok, text = _run(check_bigram_bpc, not_yet)
    assert not ok and ex.HINTS.nudge in text and ex.HINTS.formula not in text
