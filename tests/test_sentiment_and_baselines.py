"""The sentiment toy's labels follow its rules; the classifier, readout and bag-of-words gradients are right."""

import numpy as np
import pytest

from lstm_course.data.sentiment import MAX_LEN, NEGATIONS, POSITIVE, VOCAB, make_reviews, word_counts
from lstm_course.gradcheck import check_gradients
from lstm_course.numpy_impl.bag_of_words import bag_of_words_loss, init_bag_of_words
from lstm_course.numpy_impl.classifier import classifier_loss, init_classifier, train_classifier
from lstm_course.numpy_impl.readout import masked_softmax_cross_entropy, softmax_cross_entropy


def _meaning(words):
    positive = any(w in POSITIVE for w in words)
    return positive != any(w in NEGATIONS for w in words)


def test_review_label_is_the_decisive_clause_with_negation_in_scope(rng):
    reviews = make_reviews(500, rng)
    for text, label, connective in zip(reviews.texts, reviews.labels, reviews.connective):
        words = text.split()
        if not connective:
            assert label == _meaning(words)
        else:
            first, second = words[:words.index(connective)], words[words.index(connective) + 1:]
            assert label == _meaning(second if connective == "but" else first), text
    assert reviews.xs.shape == (MAX_LEN, 500, len(VOCAB))
    assert np.array_equal(word_counts(reviews).sum(axis=1), reviews.lengths)


def test_make_reviews_rejects_a_bad_batch_size(rng):
    with pytest.raises(ValueError, match="positive integer B"):
        make_reviews(0, rng)


def test_masked_cross_entropy_gradient_is_y_hat_minus_y_on_real_steps_only(rng):
    T, B, C = 4, 3, 5
    logits, targets = rng.normal(size=(T, B, C)), rng.integers(C, size=(T, B))
    mask = (np.arange(T)[:, None] < np.array([4, 2, 1])).astype(float)
    loss, d_logits = masked_softmax_cross_entropy(logits, targets, mask)
    errors = check_gradients(lambda: masked_softmax_cross_entropy(logits, targets, mask)[0],
                             {"logits": logits}, {"logits": d_logits})
    assert errors["logits"] < 1e-6
    assert np.all(d_logits[mask == 0] == 0)
    y_hat = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    assert np.allclose(d_logits, (y_hat - np.eye(C)[targets]) * mask[..., None] / mask.sum(), atol=1e-12)
    full, d_full = softmax_cross_entropy(logits, targets)
    assert np.isclose(masked_softmax_cross_entropy(logits, targets, np.ones((T, B)))[0], full, atol=1e-12)


@pytest.mark.parametrize("hidden", [0, 3])
def test_bag_of_words_backward_matches_central_differences(rng, hidden):
    counts, labels = rng.poisson(1.0, size=(4, 6)).astype(float), rng.integers(2, size=4)
    model = init_bag_of_words(6, 2, rng, hidden)
    model = {k: v + rng.normal(size=v.shape) * 0.1 for k, v in model.items()}
    _, grads, _ = bag_of_words_loss(model, counts, labels)
    errors = check_gradients(lambda: bag_of_words_loss(model, counts, labels)[0], model, grads)
    assert max(errors.values()) < 1e-6, errors


def test_classifier_backward_matches_central_differences(rng):
    reviews = make_reviews(3, rng)
    model = init_classifier(len(VOCAB), 4, 2, rng)
    model["b_y"] = rng.normal(size=2)
    _, grads, _ = classifier_loss(model, reviews.xs, reviews.labels, reviews.lengths)
    errors = check_gradients(lambda: classifier_loss(model, reviews.xs, reviews.labels, reviews.lengths)[0],
                             model, grads)
    assert max(errors.values()) < 1e-6, errors


def test_train_classifier_calls_on_step_before_every_update(rng):
    reviews = make_reviews(8, rng)
    seen = []
    model = init_classifier(len(VOCAB), 3, 2, rng)
    train_classifier(model, lambda s: (reviews.xs, reviews.labels, reviews.lengths), steps=3,
                     on_step=lambda step, m: seen.append(step))
    assert seen == [0, 1, 2]
