"""Claims of chapter 3 (``03_basic_rnn``): sentiment of real movie-review snippets (``reviews.json``).

The LSTM classifiers are trained from scratch on seeds 0-4 and scored on the same 1,057 test snippets;
the baselines (majority class, tf-idf logistic regression) are deterministic. An LSTM against a
baseline is a one-sample t interval over seeds of the difference in test accuracy: it covers the spread
between training runs on these fixed test snippets, not the sampling of the snippets. The two LSTMs
are compared seed by seed with the paired t-test. The baseline against the majority class is a
difference of two rates over the test snippets (Newcombe's interval, Fisher's test).
"""

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import paired_comparison, rate_difference, seed_summary

CHAPTER = "03_basic_rnn"


def _m(records):
    return records["reviews"]["metrics"]


SUBSET_COMPARISONS = 4  # {unidirectional, bidirectional} x {negation, contrast}, against the bag of words


def _against(records, model, baseline, subset=""):
    """``model`` minus ``baseline`` over seeds; on a subset, at the Bonferroni level for the four subset claims."""
    from scipy import stats

    m = _m(records)
    suffix = f"_{subset}" if subset else ""
    fixed = m[f"{baseline}_test_accuracy{suffix}"]
    differences = [v - fixed for v in m[f"{model}_test_accuracy{suffix}_per_seed"]]
    confidence = 1 - 0.05 / SUBSET_COMPARISONS if subset else 0.95
    s = seed_summary(differences, confidence)
    where = f" on the {subset} snippets" if subset else ""
    test = "one-sample t interval over seeds (baseline and test snippets fixed)"
    p = float(stats.ttest_1samp(differences, 0.0).pvalue)
    if subset:
        test += (f", {100 * confidence:g} % and p adjusted by Bonferroni for {SUBSET_COMPARISONS} subset "
                 "comparisons")
        p = min(1.0, SUBSET_COMPARISONS * p)
    return Evidence(side(s["low"], s["high"], favours="above"), s["mean"], s["low"], s["high"],
                    f"test accuracy{where}, {model} LSTM minus {baseline}", test, s["n"], "seeds", p)


@claim("ch03-reviews-bag-of-words-beats-majority", CHAPTER,
       "On real review snippets the tf-idf logistic regression is far more accurate than the majority class.",
       "supported", "reviews")
def _bow_beats_majority(records):
    m = _m(records)
    n = m["test_snippets"]
    r = rate_difference(round(m["bow_test_accuracy"] * n), n, round(m["majority_test_accuracy"] * n), n)
    return Evidence(side(r["low"], r["high"], favours="above"), r["effect"], r["low"], r["high"],
                    "test accuracy, bag of words minus majority class", "Newcombe interval, Fisher's exact test",
                    n, "items", r["p_value"])


@claim("ch03-reviews-lstm-beats-bag-of-words", CHAPTER,
       "Trained from scratch on 8,454 snippets, the LSTM is more accurate than the bag-of-words baseline.",
       "inconclusive", "reviews")
def _lstm_beats_bow(records):
    return _against(records, "unidirectional", "bow")


@claim("ch03-reviews-bilstm-beats-bag-of-words", CHAPTER,
       "Trained from scratch, the bidirectional LSTM is more accurate than the bag-of-words baseline.",
       "inconclusive", "reviews")
def _bilstm_beats_bow(records):
    return _against(records, "bidirectional", "bow")


def _subset_claim(model, subset):
    words = {"negation": "a negation (not, no, never, nothing, none, nobody, neither, nor, n't)",
             "contrast": "a contrast word (but, yet, although, though, however)"}

    @claim(f"ch03-reviews-{'bilstm' if model == 'bidirectional' else 'lstm'}-beats-bag-of-words-on-{subset}",
           CHAPTER, f"On the snippets with {words[subset]} the {model} LSTM beats the bag of words.",
           "inconclusive", "reviews")
    def decide(records):
        return _against(records, model, "bow", subset)

    return decide


for _model in ("unidirectional", "bidirectional"):
    for _subset in ("negation", "contrast"):
        _subset_claim(_model, _subset)


@claim("ch03-reviews-bidirectional-beats-unidirectional", CHAPTER,
       "On real review snippets the bidirectional LSTM is more accurate than the unidirectional one.",
       "inconclusive", "reviews")
def _bi_beats_uni(records):
    m = _m(records)
    r = paired_comparison(m["bidirectional_test_accuracy_per_seed"], m["unidirectional_test_accuracy_per_seed"])
    return Evidence(side(r["low"], r["high"], favours="above"), r["effect"], r["low"], r["high"],
                    "test accuracy, bidirectional minus unidirectional", "paired t-test over seeds", r["n"], "seeds",
                    r["p_value"])
