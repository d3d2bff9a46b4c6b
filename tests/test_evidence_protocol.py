"""The statistical protocol: each interval and test against SciPy's own or a case worked by hand."""

import subprocess
import sys

import numpy as np
import pytest

from lstm_course.evidence.protocol import (cluster_rate_interval, paired_comparison, rate_difference, rate_interval,
                                           seed_summary)


def test_rate_interval_is_wilsons_score_interval():
    r = rate_interval(33, 36)
    p, n, z = 33 / 36, 36, 1.959963984540054  # the closed form, 95%
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    assert r["rate"] == p and r["n"] == 36 and r["method"] == "wilson"
    assert r["low"] == pytest.approx(centre - half, abs=1e-12) and r["high"] == pytest.approx(centre + half, abs=1e-12)


def test_rate_interval_at_the_edges_stays_in_0_1():
    assert rate_interval(0, 10)["low"] == 0.0 and rate_interval(10, 10)["high"] == pytest.approx(1.0)


@pytest.mark.parametrize("successes, n", [(5, 4), (-1, 4), (1, 0), (1.5, 4), (True, 4), (np.nan, 4)])
def test_rate_interval_refuses_a_count_that_is_not_one(successes, n):
    with pytest.raises(ValueError, match="expected integers 0 <= successes <= n"):
        rate_interval(successes, n)


def test_cluster_interval_is_wider_than_wilson_when_the_clusters_differ():
    hits = [1] * 8 + [0] * 8 + [1] * 7 + [0]  # two perfect clusters, two failing, one mixed... in clusters of 4
    clusters = np.repeat(np.arange(6), 4)
    clustered, independent = cluster_rate_interval(hits, clusters), rate_interval(int(sum(hits)), len(hits))
    assert clustered["rate"] == independent["rate"] and clustered["clusters"] == 6 and clustered["n"] == 24
    assert clustered["high"] - clustered["low"] > independent["high"] - independent["low"]
    assert cluster_rate_interval(hits, clusters) == clustered  # seeded: the same call, the same interval


def test_cluster_interval_of_all_hits_is_a_point():
    r = cluster_rate_interval([True] * 6, ["a", "a", "b", "b", "c", "c"])
    assert r["rate"] == r["low"] == r["high"] == 1.0


@pytest.mark.parametrize("hits, clusters, message", [([1, 0.5], [0, 1], "booleans or 0/1"),
                                                     ([1, 0], [0], "one cluster label per item"),
                                                     ([1, 0], [0, 0], "at least 2 clusters"),
                                                     ([1, np.nan], [0, 1], "finite numbers")])
def test_cluster_interval_refuses_bad_items(hits, clusters, message):
    with pytest.raises(ValueError, match=message):
        cluster_rate_interval(hits, clusters)


def test_seed_summary_is_the_t_interval_of_the_mean():
    values = [2.0, 2.2, 2.1, 1.9, 2.3]
    s = seed_summary(values)
    mean, sd = np.mean(values), np.std(values, ddof=1)
    half = 2.7764451051977987 * sd / np.sqrt(5)  # t_{0.975, 4}
    assert s["mean"] == pytest.approx(mean) and s["sd"] == pytest.approx(sd) and (s["min"], s["max"]) == (1.9, 2.3)
    assert s["low"] == pytest.approx(mean - half) and s["high"] == pytest.approx(mean + half) and s["n"] == 5


def test_seed_summary_of_identical_seeds_has_no_width():
    s = seed_summary([0.5, 0.5, 0.5])
    assert s["sd"] == 0 and s["low"] == s["high"] == 0.5


@pytest.mark.parametrize("values", [[1.0], [], [1.0, np.inf], [[1.0, 2.0]], ["a", "b"]])
def test_seed_summary_refuses_fewer_than_two_finite_seeds(values):
    with pytest.raises(ValueError, match="expected values to be"):
        seed_summary(values)


def test_paired_comparison_matches_scipys_paired_tests():
    from scipy import stats

    a, b = [0.9, 0.8, 0.95, 0.85, 0.9], [0.7, 0.75, 0.8, 0.6, 0.82]
    t = paired_comparison(a, b)
    assert t["effect"] == pytest.approx(np.mean(np.subtract(a, b))) and t["n"] == 5 and t["low"] > 0
    assert t["p_value"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    w = paired_comparison(a, b, test="wilcoxon")
    assert w["p_value"] == pytest.approx(0.0625) and w["test"] == "Wilcoxon signed-rank"  # 5 of 5 signs: 2/32


def test_paired_comparison_of_equal_arms_finds_nothing():
    r = paired_comparison([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert r["effect"] == 0 and r["p_value"] == 1.0


@pytest.mark.parametrize("a, b, test, message", [([1, 2, 3], [1, 2], "t", "equal lengths"),
                                                 ([1, 2], [1, 3], "sign", "test 't' or 'wilcoxon'")])
def test_paired_comparison_refuses_bad_arms(a, b, test, message):
    with pytest.raises(ValueError, match=message):
        paired_comparison(a, b, test=test)


def test_rate_difference_is_newcombes_worked_example():
    """Newcombe (1998), Table II, example (a): 56/70 against 48/80, method 10 gives 0.0524 to 0.3339."""
    r = rate_difference(56, 70, 48, 80)
    assert r["effect"] == pytest.approx(0.2) and r["rate_a"] == 0.8 and r["n_b"] == 80
    assert r["low"] == pytest.approx(0.0524, abs=1e-4) and r["high"] == pytest.approx(0.3339, abs=1e-4)
    assert 0 < r["p_value"] < 0.05


def test_rate_difference_of_equal_rates_straddles_zero_and_stays_in_range():
    r = rate_difference(3, 10, 3, 10)
    assert r["effect"] == 0 and r["low"] < 0 < r["high"] and r["p_value"] == pytest.approx(1.0)
    assert rate_difference(10, 10, 0, 10)["high"] <= 1.0


def test_rate_difference_refuses_a_count_that_is_not_one():
    with pytest.raises(ValueError, match="expected integers 0 <= successes <= n"):
        rate_difference(11, 10, 3, 10)


def test_importing_the_package_does_not_import_scipy():
    code = "import sys, lstm_course.evidence.protocol; assert 'scipy' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_paired_difference_over_clusters_is_centred_on_the_pooled_difference():
    from lstm_course.evidence.protocol import cluster_paired_difference

    rng = np.random.default_rng(0)
    clusters = np.repeat(np.arange(40), 3)
    a = rng.random(120) < 0.8
    b = rng.random(120) < 0.4
    d = cluster_paired_difference(a, b, clusters)
    assert d["effect"] == pytest.approx(a.mean() - b.mean())
    assert d["low"] < d["effect"] < d["high"] and d["low"] > 0
    assert d["n"] == 120 and d["clusters"] == 40
    assert cluster_paired_difference(a, b, clusters) == d  # seeded


def test_a_paired_difference_with_every_cluster_alike_has_no_width():
    from lstm_course.evidence.protocol import cluster_paired_difference

    d = cluster_paired_difference([1, 1, 1, 1], [0, 0, 0, 0], ["a", "a", "b", "b"])
    assert d["low"] == d["high"] == d["effect"] == 1.0


@pytest.mark.parametrize("a, b, clusters, message", [
    ([1, 0], [1], ["a", "b"], "of one length"),
    ([1, 2], [1, 0], ["a", "b"], "hits_a to be booleans"),
    ([1, 0], [1, 0], ["a", "a"], "at least 2 clusters"),
])
def test_a_paired_difference_refuses_what_it_cannot_pair(a, b, clusters, message):
    from lstm_course.evidence.protocol import cluster_paired_difference

    with pytest.raises(ValueError, match=message):
        cluster_paired_difference(a, b, clusters)
