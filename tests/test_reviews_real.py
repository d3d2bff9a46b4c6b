"""Sentiment of real review snippets: the baseline is a correct logistic regression, the LSTM reads each
snippet within its own length, and the splits never share a snippet."""

import numpy as np
import pytest
import scipy.sparse

torch = pytest.importorskip("torch")

from lstm_course.experiments.reviews import _features, fit_logistic, split, subsets  # noqa: E402
from lstm_course.models.classifier import SentenceClassifier, WordIds, tokens  # noqa: E402
from lstm_course.realdata import cache, reviews  # noqa: E402

TEXTS = ["A fine film.", "Not a fine film, but it isn't bad", "bad bad bad", "Fine"]


def test_tokens_keep_contractions_and_punctuation():
    assert tokens("It isn't bad, but FINE.") == ["it", "isn't", "bad", ",", "but", "fine", "."]


def test_the_three_splits_cover_every_snippet_once():
    train, val, test = split(1000)
    assert len(train) == 800 and len(val) == 100 and len(test) == 100
    assert len(set(train) | set(val) | set(test)) == 1000


def test_negation_and_contrast_masks():
    masks = subsets(TEXTS)
    assert masks["negation"].tolist() == [False, True, False, False]
    assert masks["contrast"].tolist() == [False, True, False, False]


def test_tf_idf_rows_have_unit_length_and_unseen_grams_are_dropped():
    X, vocabulary = _features(TEXTS, min_count=1)
    assert np.allclose(np.sqrt(X.multiply(X).sum(axis=1)).A.ravel(), 1.0)
    Y, _ = _features(["fine zebra"], vocabulary)
    assert Y.nnz == 1 and "zebra" not in vocabulary["index"] and "a fine" in vocabulary["index"]


def test_the_logistic_regression_gradient_is_right_at_its_optimum():
    rng = np.random.default_rng(0)
    X = scipy.sparse.csr_matrix(rng.normal(size=(40, 5)))
    y = (X @ np.array([1.0, -2.0, 0.0, 0.5, 0.0]) + 0.3 * rng.normal(size=40) > 0).astype(int)
    w, b = fit_logistic(X, y, penalty=1.0)
    p = 1 / (1 + np.exp(-(X @ w + b)))
    grad_w = X.T @ (p - y) / 40 + 1.0 / 40 * w  # the mean log-loss + penalty / 2N |w|^2, differentiated
    assert np.abs(grad_w).max() < 1e-4 and abs((p - y).mean()) < 1e-4


@pytest.mark.parametrize("bidirectional", [False, True])
def test_a_snippet_gets_the_same_logits_alone_as_in_a_padded_batch(bidirectional):
    words = WordIds(TEXTS, min_count=1)
    model = SentenceClassifier(len(words), 2, np.random.default_rng(0), E=6, H=4, bidirectional=bidirectional).double()
    ids, lengths = words.encode(TEXTS)
    together = model(torch.from_numpy(ids), torch.from_numpy(lengths))
    for b, text in enumerate(TEXTS):
        one, n = words.encode([text])
        assert torch.allclose(model(torch.from_numpy(one), torch.from_numpy(n))[0], together[b], atol=1e-12)


def test_the_twin_and_torch_nn_classify_alike():
    words = WordIds(TEXTS, min_count=1)
    ids, lengths = (torch.from_numpy(a) for a in words.encode(TEXTS))
    twin, nn = (SentenceClassifier(len(words), 2, np.random.default_rng(3), E=6, H=4, bidirectional=True,
                                   backend=b).double() for b in ("twin", "nn"))
    assert torch.allclose(twin(ids, lengths), nn(ids, lengths), atol=1e-10)


def test_the_quick_run_on_real_snippets_reports_the_baselines_and_both_readers():
    if not cache.is_fetched(reviews.SOURCE):
        pytest.skip("movie-reviews is not fetched (make data)")
    from lstm_course.experiments import run_experiment

    metrics = run_experiment("reviews", quick=True, progress=lambda line: None)
    assert metrics["test_snippets"] == 1057 and 0.45 < metrics["majority_test_accuracy"] < 0.55
    assert metrics["bow_test_accuracy"] > 0.6 and len(metrics["bow_test_right"]) == 1057
    for name in ("unidirectional", "bidirectional"):
        assert 0 <= metrics[f"{name}_test_accuracy_negation"] <= 1
