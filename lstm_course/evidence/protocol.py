"""The statistical protocol of the book: intervals for rates, clustered items and seeds, and paired comparisons.

Written once and used by every experiment's summary (and, later, by the book's claims):

- :func:`rate_interval`: a success rate ``k / n`` with its Wilson score interval;
- :func:`cluster_rate_interval`: a rate over items that cluster (notes of one pitch, stories of
  one template), with a bootstrap over whole clusters;
- :func:`seed_summary`: one metric over independent seeds: mean, sd, min, max and a t interval;
- :func:`paired_comparison`: arm A against arm B over the same seeds: the mean paired difference,
  its t interval, and the paired t-test's (or Wilcoxon's) p-value;
- :func:`rate_difference`: two success rates ``k_a / n_a - k_b / n_b`` (two models on a test set, or
  two bands of one), with Newcombe's interval from the two Wilson intervals and Fisher's exact p;
- :func:`cluster_paired_difference`: two rates on the same clustered items (a network and its
  untrained null on the same words), with a bootstrap over whole clusters.

Each returns a plain dict of floats (JSON-ready). SciPy is imported inside the functions, so that
``import lstm_course`` stays light.
"""

import numpy as np

CONFIDENCE = 0.95  # every interval of the book, unless a call says otherwise


def _values(values, name, minimum=1):
    """``values`` as a finite 1-D float array of at least ``minimum`` entries, or one clear ValueError."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"expected {name} to be a sequence of numbers; got {values!r}") from None
    if array.ndim != 1 or len(array) < minimum or not np.all(np.isfinite(array)):
        raise ValueError(f"expected {name} to be a 1-D sequence of at least {minimum} finite numbers; "
                         f"got {np.asarray(values, dtype=object).tolist()!r}")
    return array


def _confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"expected a confidence in (0, 1); got {confidence!r}")
    return float(confidence)


def rate_interval(successes, n, confidence=CONFIDENCE):
    """A success rate with its Wilson score interval (``scipy.stats.binomtest``).

    Parameters
    ----------
    successes, n : int
        Successes among ``n`` independent trials, ``0 <= successes <= n``, ``n >= 1``.
    confidence : float, optional
        The interval's level (0.95).

    Returns
    -------
    dict
        ``rate``, ``low``, ``high``, ``successes``, ``n``, ``confidence``, ``method`` (``"wilson"``).
        It covers the sampling of the ``n`` trials only, not the variation between training runs.
    """
    from scipy import stats

    integral = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (successes, n))
    if not integral or n < 1 or not 0 <= successes <= n:
        raise ValueError(f"expected integers 0 <= successes <= n, n >= 1; got successes = {successes!r}, n = {n!r}")
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(_confidence(confidence), method="wilson")
    return {"rate": successes / n, "low": float(ci.low), "high": float(ci.high), "successes": int(successes),
            "n": int(n), "confidence": confidence, "method": "wilson"}


def _per_cluster(values, labels):
    """``(sums, sizes)``, each (clusters,): ``values`` (N,) summed per cluster label, and the items per cluster."""
    names = sorted(set(labels), key=str)
    if len(names) < 2:
        raise ValueError(f"expected items from at least 2 clusters; got {len(names)}")
    index = {name: k for k, name in enumerate(names)}
    which = np.array([index[label] for label in labels])
    return (np.bincount(which, weights=values, minlength=len(names)),
            np.bincount(which, minlength=len(names)).astype(float))


def _cluster_bootstrap(sums, sizes, confidence, resamples, seed):
    """The percentile interval ``(low, high)`` of the pooled ratio sum(sums) / sum(sizes), resampling clusters."""
    from scipy import stats

    pooled = lambda s, m, axis=-1: np.sum(s, axis=axis) / np.sum(m, axis=axis)
    result = stats.bootstrap((sums, sizes), pooled, paired=True, vectorized=True, n_resamples=resamples,
                             confidence_level=_confidence(confidence), method="percentile",
                             random_state=np.random.default_rng(seed))
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def cluster_rate_interval(hits, clusters, confidence=CONFIDENCE, resamples=10_000, seed=0):
    """A rate over items that cluster, with a percentile bootstrap that resamples whole clusters.

    Notes of one pitch (or stories of one template) share their difficulty, so they are not
    independent trials: the interval resamples the clusters with replacement and pools their
    items (``scipy.stats.bootstrap`` over clusters, percentile method).

    Parameters
    ----------
    hits : sequence of bool or 0/1
        (N,) whether each item succeeded.
    clusters : sequence
        (N,) the cluster of each item (any hashable labels); at least two clusters.
    confidence : float, optional
        The interval's level (0.95).
    resamples : int, optional
        Bootstrap resamples.
    seed : int, optional
        Seed of the bootstrap's generator: the same call gives the same interval.

    Returns
    -------
    dict
        ``rate`` (pooled over all items), ``low``, ``high``, ``n`` (items), ``clusters``,
        ``confidence``, ``method`` (``"cluster bootstrap (percentile)"``).
    """
    hits = _values(hits, "hits")
    if not np.all((hits == 0) | (hits == 1)):
        raise ValueError(f"expected hits to be booleans or 0/1; got {sorted(set(hits.tolist()))!r}")
    labels = list(clusters)
    if len(labels) != len(hits):
        raise ValueError(f"expected one cluster label per item ({len(hits)}); got {len(labels)}")
    successes, sizes = _per_cluster(hits, labels)  # (clusters,) each
    rate = float(successes.sum() / sizes.sum())
    if np.all(successes == sizes) or np.all(successes == 0):
        low = high = rate  # every resample gives the same rate
    else:
        low, high = _cluster_bootstrap(successes, sizes, confidence, resamples, seed)
    return {"rate": rate, "low": low, "high": high, "n": int(len(hits)), "clusters": len(sizes),
            "confidence": confidence, "method": "cluster bootstrap (percentile)"}


def seed_summary(values, confidence=CONFIDENCE):
    """One metric over independent seeds: mean, sd, min, max and a t interval for the mean.

    Parameters
    ----------
    values : sequence of float
        (S,) the metric of each seed, S >= 2.
    confidence : float, optional
        The interval's level (0.95).

    Returns
    -------
    dict
        ``mean``, ``sd`` (sample, ``ddof=1``), ``min``, ``max``, ``low`` and ``high`` (the t
        interval of the mean, ``scipy.stats.t``), ``n`` (seeds), ``confidence``, ``method``.
        The interval is for the mean over seeds; one new seed's value scatters by about ``sd``.
    """
    from scipy import stats

    x = _values(values, "values", minimum=2)
    mean, sd = float(np.mean(x)), float(np.std(x, ddof=1))
    if sd == 0:
        low = high = mean
    else:
        low, high = (float(v) for v in stats.t.interval(_confidence(confidence), len(x) - 1, loc=mean,
                                                         scale=sd / np.sqrt(len(x))))
    return {"mean": mean, "sd": sd, "min": float(np.min(x)), "max": float(np.max(x)), "low": low, "high": high,
            "n": int(len(x)), "confidence": confidence, "method": "t interval over seeds"}


def paired_comparison(a, b, test="t", confidence=CONFIDENCE):
    """Arm ``a`` against arm ``b``, run on the same seeds: the mean paired difference ``a - b``.

    Parameters
    ----------
    a, b : sequence of float
        (S,) the metric of each arm, seed by seed (entry ``s`` of both from seed ``s``), S >= 2.
    test : {"t", "wilcoxon"}, optional
        The paired t-test (``scipy.stats.ttest_rel``) or the Wilcoxon signed-rank test
        (``scipy.stats.wilcoxon``, exact for small S). The interval is the t interval of the
        mean difference either way.
    confidence : float, optional
        The interval's level (0.95).

    Returns
    -------
    dict
        ``effect`` (mean of ``a - b``), ``low``, ``high``, ``p_value`` (two-sided), ``n`` (pairs),
        ``test``, ``confidence``. With all differences equal the p-value is 0 for a nonzero
        difference and 1 for none.
    """
    from scipy import stats

    a, b = _values(a, "a", minimum=2), _values(b, "b", minimum=2)
    if len(a) != len(b):
        raise ValueError(f"expected a and b from the same seeds (equal lengths); got {len(a)} and {len(b)}")
    if test not in ("t", "wilcoxon"):
        raise ValueError(f"expected test 't' or 'wilcoxon'; got {test!r}")
    d = a - b
    summary = seed_summary(d, confidence)
    if summary["sd"] == 0:
        p = 1.0 if summary["mean"] == 0 else 0.0
    elif test == "t":
        p = float(stats.ttest_rel(a, b).pvalue)
    else:
        p = float(stats.wilcoxon(a, b).pvalue) if np.any(d != 0) else 1.0
    return {"effect": summary["mean"], "low": summary["low"], "high": summary["high"], "p_value": p,
            "n": int(len(d)), "test": "paired t-test" if test == "t" else "Wilcoxon signed-rank",
            "confidence": confidence}


def rate_difference(successes_a, n_a, successes_b, n_b, confidence=CONFIDENCE):
    """Two success rates, ``a - b``, with Newcombe's hybrid score interval and Fisher's exact test.

    For the rates of two models (or two bands) when only the counts were saved. Newcombe's interval
    (method 10 of Newcombe 1998) combines the two Wilson intervals of :func:`rate_interval`; it treats
    the two samples as independent. Two models scored on the *same* items are positively correlated,
    which makes this interval wider than a paired (McNemar) one: it errs on the cautious side.

    Parameters
    ----------
    successes_a, n_a, successes_b, n_b : int
        Successes among ``n_a`` and among ``n_b`` trials (as for :func:`rate_interval`).
    confidence : float, optional
        The interval's level (0.95).

    Returns
    -------
    dict
        ``effect`` (``rate_a - rate_b``), ``low``, ``high``, ``p_value`` (two-sided,
        ``scipy.stats.fisher_exact`` on the 2 x 2 table), ``rate_a``, ``rate_b``, ``n_a``, ``n_b``,
        ``confidence``, ``method``. Like a Wilson interval it covers the sampling of the trials only,
        not the variation between training runs.
    """
    from scipy import stats

    a = rate_interval(successes_a, n_a, confidence)
    b = rate_interval(successes_b, n_b, confidence)
    effect = a["rate"] - b["rate"]
    low = effect - float(np.hypot(a["rate"] - a["low"], b["high"] - b["rate"]))
    high = effect + float(np.hypot(a["high"] - a["rate"], b["rate"] - b["low"]))
    table = [[a["successes"], a["n"] - a["successes"]], [b["successes"], b["n"] - b["successes"]]]
    p = float(stats.fisher_exact(table).pvalue)
    return {"effect": effect, "low": max(low, -1.0), "high": min(high, 1.0), "p_value": p,
            "rate_a": a["rate"], "rate_b": b["rate"], "n_a": a["n"], "n_b": b["n"], "confidence": confidence,
            "method": "Newcombe hybrid score interval; Fisher exact test"}


def cluster_paired_difference(hits_a, hits_b, clusters, confidence=CONFIDENCE, resamples=10_000, seed=0):
    """Two rates on the *same* clustered items, ``a - b``, with a bootstrap that resamples whole clusters.

    For two models (a trained network and its untrained null) judged on the same words of the same
    scenes: each item's two outcomes are paired, and the items of one cluster share their difficulty.
    The interval resamples the clusters with replacement, keeping each cluster's items and pairs
    (``scipy.stats.bootstrap``, percentile method), so it respects both.

    Parameters
    ----------
    hits_a, hits_b : sequence of bool or 0/1
        (N,) whether each item succeeded under A, and under B.
    clusters : sequence
        (N,) the cluster of each item; at least two clusters.
    confidence, resamples, seed
        As for :func:`cluster_rate_interval`.

    Returns
    -------
    dict
        ``effect`` (``rate_a - rate_b``, pooled over the items), ``low``, ``high``, ``rate_a``,
        ``rate_b``, ``n`` (items), ``clusters``, ``confidence``, ``method``.
    """
    a, b = _values(hits_a, "hits_a"), _values(hits_b, "hits_b")
    for name, hits in (("hits_a", a), ("hits_b", b)):
        if not np.all((hits == 0) | (hits == 1)):
            raise ValueError(f"expected {name} to be booleans or 0/1; got {sorted(set(hits.tolist()))!r}")
    labels = list(clusters)
    if not len(a) == len(b) == len(labels):
        raise ValueError(f"expected hits_a, hits_b and clusters of one length; got {len(a)}, {len(b)} and "
                         f"{len(labels)}")
    differences, sizes = _per_cluster(a - b, labels)  # (clusters,) each
    effect = float(differences.sum() / sizes.sum())
    if np.allclose(differences, differences[0] * sizes / sizes[0]):
        low = high = effect  # every cluster the same rate difference: every resample gives it
    else:
        low, high = _cluster_bootstrap(differences, sizes, confidence, resamples, seed)
    return {"effect": effect, "low": low, "high": high, "rate_a": float(a.mean()), "rate_b": float(b.mean()),
            "n": int(len(a)), "clusters": len(sizes), "confidence": confidence,
            "method": "paired cluster bootstrap (percentile)"}
