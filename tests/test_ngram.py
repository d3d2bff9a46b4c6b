"""The n-gram baselines of the generative chapter: proper distributions, the unigram, bits by hand, the run."""

import math

import numpy as np
import pytest

from lstm_course.data.ngram import METHODS, NGramModel, choose_discount


@pytest.fixture
def text(rng):
    return rng.integers(0, 5, size=400)  # V = 6: id 5 is never seen in training


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_every_context_gives_a_distribution_over_the_whole_vocabulary(text, rng, method, order):
    model = NGramModel(text, 6, order, 0.75, method)
    contexts = [[], [5], [5, 5, 5]] + [rng.integers(0, 6, size=rng.integers(0, 5)) for _ in range(30)]
    for context in contexts:
        p = model.distribution(context)
        assert p.shape == (6,) and abs(p.sum() - 1) < 1e-12, context
        assert p.min() > 0, f"an unseen character gets no probability after {context}"


def test_order_1_is_the_discounted_unigram(text):
    counts = np.bincount(text.astype(np.intp), minlength=6).astype(float)
    N, seen, D = len(text), np.count_nonzero(counts), 0.5
    expected = np.maximum(counts - D, 0) / N + D * seen / N / 6
    model = NGramModel(text, 6, 1, D)
    assert np.allclose(model.distribution([3, 1]), expected)
    every = np.arange(6).repeat(3)  # every character seen: the unigram is the relative frequency, any D
    assert np.allclose(NGramModel(every, 6, 1, 0.9).distribution([]), np.full(6, 1 / 6))


def test_bits_per_char_on_a_tiny_corpus_by_hand():
    train = np.array([0, 1, 0, 1, 0, 0])  # "abab aa": bigrams ab ab ba ba aa; V = 3, "c" never seen
    model = NGramModel(train, 3, 2, 0.5, "absolute")
    # unigram: a 4, b 2 of 6, both seen: p1 = (c - 0.5) / 6 + 0.5 * 2 / 6 / 3
    p1 = {0: 3.5 / 6 + 1 / 18, 1: 1.5 / 6 + 1 / 18, 2: 1 / 18}
    # after a: ab 2, aa 1 (3 in all, 2 types); after b: ba 2 (2 in all, 1 type)
    p_a = lambda w: max({0: 1, 1: 2}.get(w, 0) - 0.5, 0) / 3 + 0.5 * 2 / 3 * p1[w]
    p_b = lambda w: max({0: 2}.get(w, 0) - 0.5, 0) / 2 + 0.5 * 1 / 2 * p1[w]
    val = np.array([0, 1, 2, 0])  # scored: b after a, c after b, a after c (c unseen as a context: p1)
    expected = -np.array([math.log2(p_a(1)), math.log2(p_b(2)), math.log2(p1[0])])
    assert np.allclose(model.bits(val), expected)
    assert model.bits_per_char(val) == pytest.approx(expected.mean())


def test_kneser_ney_lower_order_uses_continuation_counts():
    train = np.array([0, 1, 0, 1, 0, 1, 2])  # b follows only a; c follows only b: one context each
    model = NGramModel(train, 3, 2, 1.0, "kneser-ney")
    # continuation counts: a after {b}, b after {a}, c after {b}: all 1 of 3; D = 1 leaves only the lower order
    after_c = model.distribution([2])  # c never a context: the lower order, (1 - 1) / 3 + 1 * 3 / 3 / 3 each
    assert np.allclose(after_c, np.full(3, 1 / 3))


def test_the_start_of_a_text_reads_only_the_characters_there_are(text):
    model = NGramModel(text, 6, 3, 0.75)
    bits = model.bits(text[:10])
    assert bits[0] == pytest.approx(-math.log2(model.distribution(text[:1])[text[1]]))
    assert bits[5] == pytest.approx(-math.log2(model.distribution(text[:6])[text[6]]))


def test_choose_discount_reads_only_the_training_text(text):
    D, scores = choose_discount(text, 6, 2, discounts=(0.5, 0.9))
    assert D in (0.5, 0.9) and set(scores) == {0.5, 0.9} and scores[D] == min(scores.values())


@pytest.mark.parametrize("call, message", [
    (lambda t: NGramModel(t, 6, 0), "order an integer from 1 to 6"),
    (lambda t: NGramModel(t, 6, 2, 1.5), r"discount a number in \(0, 1\]"),
    (lambda t: NGramModel(t, 6, 2, method="laplace"), "method one of"),
    (lambda t: NGramModel(t, 3, 2), r"ids in 0..2 \(V = 3\)"),
    (lambda t: NGramModel(t.astype(float), 6, 2), "1-D array of integer character ids"),
    (lambda t: NGramModel(t, 6, 2).bits(t[:1]), "at least 2 characters"),
    (lambda t: choose_discount(t, 6, 2, held_out=1.0), r"held_out a fraction in \(0, 1\)"),
])
def test_bad_input_is_refused_in_one_line(text, call, message):
    with pytest.raises(ValueError, match=message):
        call(text)


def test_the_quick_run_records_every_order_and_method():
    pytest.importorskip("torch", reason="lstm_course.experiments needs torch")
    from lstm_course.experiments import run_experiment

    metrics = run_experiment("ngram", quick=True)
    for method in METHODS:
        assert [int(n) for n in metrics[method] if n.isdigit()] == metrics["orders"] == [1, 2, 3]
        assert metrics[method]["best_order"] == 3, "on 200,000 characters the trigram is best on held-out text"
        val = [metrics[method][str(n)]["val_bpc"] for n in metrics["orders"]]
        assert val[0] > val[1] > val[2] and val[0] == pytest.approx(metrics["unigram_bpc"], abs=0.01)
    assert metrics["prefix_bigram_bpc"] < metrics["bigram_bpc"], "the curve's prefix is easier text"
