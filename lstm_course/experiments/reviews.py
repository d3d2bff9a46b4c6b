"""Sentiment of real movie-review snippets (``python -m lstm_course run reviews``): the seed's first task.

Data: the ``movie-reviews`` real data set (``python -m lstm_course data fetch movie-reviews``): 10,605
Rotten Tomatoes snippets, each with the mean rating of at least 20 people; the label is the sign of that
mean (the 37 rated exactly 0 are dropped). One fixed shuffle (seed 0) splits them 80 / 10 / 10 into
training, validation and test. Models, all chosen on validation and scored once on test:

- the majority class;
- a bag-of-words baseline: tf-idf of unigrams and bigrams, L2-regularised logistic regression (SciPy's
  L-BFGS), the penalty chosen on validation from a grid;
- LSTM classifiers read left to right and in both directions, from scratch (word embeddings learned on
  8,454 snippets only), over seeds; each seed's model is the best of its validation checks.

Besides accuracy on all test snippets, accuracy on the snippets where word order should matter most:
those with a negation (``NEGATION``: not, no, never, nothing, none, nobody, neither, nor, n't) and those
with a contrast (``CONTRAST``: but, yet, although, though, however).
"""

import collections
import re

import numpy as np
import scipy.optimize
import scipy.sparse
import scipy.special

from ..realdata import reviews
from .running import one_thread, over_seeds

NEGATION = re.compile(r"\b(?:not|no|never|nothing|none|nobody|neither|nor)\b|n't\b")
CONTRAST = re.compile(r"\b(?:but|yet|although|though|however)\b")
PENALTIES = (0.1, 0.3, 1.0, 3.0, 10.0)  # L2 strength per training example (lambda * N)
MODELS = {"unidirectional": False, "bidirectional": True}


def split(n, seed=0):
    """Indices of a fixed 80 / 10 / 10 shuffle of ``n`` items: ``(train, validation, test)``."""
    order = np.random.default_rng(seed).permutation(n)
    a, b = int(0.8 * n), int(0.9 * n)
    return order[:a], order[a:b], order[b:]


def _features(texts, vocabulary=None, min_count=2):
    """tf-idf rows (L2-normalised) of unigrams and bigrams; builds the vocabulary and idf from ``texts``."""
    from ..models.classifier import tokens

    grams = [[*ts, *(f"{a} {b}" for a, b in zip(ts, ts[1:]))] for ts in (tokens(t) for t in texts)]
    if vocabulary is None:
        df = collections.Counter(g for row in grams for g in set(row))
        names = sorted(g for g, n in df.items() if n >= min_count)
        vocabulary = {"index": {g: k for k, g in enumerate(names)},
                      "idf": np.log((1 + len(texts)) / (1 + np.array([df[g] for g in names]))) + 1}
    rows, cols, vals = [], [], []
    for r, row in enumerate(grams):
        counts = collections.Counter(vocabulary["index"][g] for g in row if g in vocabulary["index"])
        for c, n in counts.items():
            rows.append(r)
            cols.append(c)
            vals.append(n * vocabulary["idf"][c])
    X = scipy.sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), len(vocabulary["index"])))
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1))).ravel()
    return scipy.sparse.diags(1 / np.maximum(norms, 1e-12)) @ X, vocabulary


def fit_logistic(X, y, penalty):
    """L2-regularised logistic regression by L-BFGS: ``(w (F,), b)``.

    It minimises the mean log-loss plus ``penalty / (2 N) * w @ w``.
    """
    N, F = X.shape
    sign = 2.0 * np.asarray(y) - 1.0

    def objective(theta):
        w, b = theta[:-1], theta[-1]
        margin = sign * (X @ w + b)
        loss = np.logaddexp(0, -margin).mean() + penalty / (2 * N) * (w @ w)
        d_margin = -sign * scipy.special.expit(-margin) / N
        return loss, np.concatenate([X.T @ d_margin + penalty / N * w, [d_margin.sum()]])

    theta = scipy.optimize.minimize(objective, np.zeros(F + 1), jac=True, method="L-BFGS-B",
                                    options={"maxiter": 500}).x
    return theta[:-1], theta[-1]


def subsets(texts):
    """Boolean masks ``{"negation": (N,), "contrast": (N,)}`` of the snippets with such a word."""
    lower = [t.lower() for t in texts]
    return {"negation": np.array([bool(NEGATION.search(t)) for t in lower]),
            "contrast": np.array([bool(CONTRAST.search(t)) for t in lower])}


def _accuracies(prefix, right, masks):
    out = {f"{prefix}_accuracy": float(right.mean())}
    out.update({f"{prefix}_accuracy_{name}": float(right[mask].mean()) for name, mask in masks.items()})
    return out


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """Majority class, tf-idf logistic regression and LSTM classifiers on real review snippets.

    ``quick``: 1,000 training snippets, 40 steps, one seed.
    """
    from ..models.classifier import SentenceClassifier, WordIds, predict, train_classifier

    texts, labels = reviews.labelled()
    train, val, test = split(len(texts))
    steps, seeds, checks = 2000, 5, 8
    if quick:
        train, steps, seeds, checks = train[:1000], 40, 1, 2
    pick = lambda idx: [texts[k] for k in idx]  # noqa: E731
    masks = subsets(pick(test))
    metrics = {"train_snippets": len(train), "validation_snippets": len(val), "test_snippets": len(test),
               "test_negation_snippets": int(masks["negation"].sum()),
               "test_contrast_snippets": int(masks["contrast"].sum()), "steps": steps, "seeds": seeds,
               "backend": backend, "positive_fraction_train": float(labels[train].mean())}
    majority = int(labels[train].mean() >= 0.5)
    metrics.update(_accuracies("majority_test", labels[test] == majority, masks))
    progress(f"data: {len(train)} training, {len(val)} validation, {len(test)} test snippets")

    X_train, vocabulary = _features(pick(train))
    X_val, _ = _features(pick(val), vocabulary)
    X_test, _ = _features(pick(test), vocabulary)
    scores = {}
    for penalty in PENALTIES:
        w, b = fit_logistic(X_train, labels[train], penalty)
        scores[penalty] = float(((X_val @ w + b > 0) == labels[val]).mean())
    best = max(scores, key=scores.get)
    w, b = fit_logistic(X_train, labels[train], best)
    test_right = (X_test @ w + b > 0) == labels[test]
    metrics.update({"bow_features": X_train.shape[1], "bow_penalty": best,
                    "bow_validation_accuracy_by_penalty": {f"{p:g}": s for p, s in scores.items()},
                    "bow_test_right": test_right.astype(int).tolist()})
    metrics.update(_accuracies("bow_test", test_right, masks))
    progress(f"bag of words: validation {scores[best]:.3f} at penalty {best:g}, test {test_right.mean():.3f}")

    words = WordIds(pick(train))
    for name, bidirectional in MODELS.items():
        def run_one(s, rng):
            model = SentenceClassifier(len(words), 2, rng, bidirectional=bidirectional, backend=backend)
            best_val, best_state, curve = -1.0, None, []
            for check in range(checks):
                train_classifier(model, words, pick(train), labels[train], steps // checks, 32, rng)
                accuracy = float((predict(model, words, pick(val)) == labels[val]).mean())
                curve.append(accuracy)
                if accuracy > best_val:
                    best_val, best_state = accuracy, {k: v.clone() for k, v in model.state_dict().items()}
            model.load_state_dict(best_state)
            right = predict(model, words, pick(test)) == labels[test]
            return {"validation_curve": curve, "right": right, "validation_accuracy": best_val,
                    **_accuracies("test", right, masks)}

        runs = over_seeds(run_one, seed, seeds, progress, name)
        for key in ("test_accuracy", "test_accuracy_negation", "test_accuracy_contrast", "validation_accuracy"):
            metrics[f"{name}_{key}_per_seed"] = [r[key] for r in runs]
            metrics[f"{name}_{key}"] = float(np.mean([r[key] for r in runs]))
        metrics[f"{name}_validation_curve_per_seed"] = [r["validation_curve"] for r in runs]
        metrics[f"{name}_test_right_seed0"] = runs[0]["right"].astype(int).tolist()
    metrics["validation_checks_every"] = steps // checks
    return metrics
