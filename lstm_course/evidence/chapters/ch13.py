"""Claims of chapter 13 (``13_question_answering``): readers at a budget, chance levels, story length."""

import math

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import rate_interval


def _count(rate, n):
    """The count behind a saved rate over ``n`` items (rates are saved as floats)."""
    return int(round(rate * n))


def _difference(k1, n1, k2, n2):
    """``k1/n1 - k2/n2`` with Newcombe's hybrid score interval (from the two Wilson intervals) and Fisher's p."""
    from scipy import stats

    a, b = rate_interval(k1, n1), rate_interval(k2, n2)
    d = a["rate"] - b["rate"]
    low = d - math.sqrt((a["rate"] - a["low"]) ** 2 + (b["high"] - b["rate"]) ** 2)
    high = d + math.sqrt((a["high"] - a["rate"]) ** 2 + (b["rate"] - b["low"]) ** 2)
    p = float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)
    return d, low, high, p


def _compare(k1, n1, k2, n2, name):
    d, low, high, p = _difference(k1, n1, k2, n2)
    return Evidence(side(low, high, favours="above"), d, low, high, name,
                    "Newcombe interval (Wilson), Fisher exact test", min(n1, n2), "stories", p)


def _final(curve):
    return curve[-1]


@claim("ch13-attention-beats-lstm-reader-at-700-steps", "13_question_answering",
       "At 700 steps of 64 stories, the attention reader answers more single-fact test questions than the "
       "unidirectional LSTM reader (one seed; a comparison at this budget, not at convergence).",
       "supported", "qa")
def _attention_beats_lstm_at_budget(records):
    m = records["qa"]["metrics"]
    n = m["n_test"]
    return _compare(_count(m["accuracy_attention"], n), n, _count(m["accuracy_unidirectional"], n), n,
                    "single-fact accuracy, attention minus unidirectional")


@claim("ch13-two-facts-attention-ties-lstm-at-700-steps", "13_question_answering",
       "At 700 steps, on two supporting facts, the attention reader answers more test questions than the "
       "unidirectional LSTM reader.",
       "inconclusive", "qa")
def _two_facts_tie(records):
    m = records["qa"]["metrics"]
    n = m["n_test"]
    return _compare(_count(m["accuracy_attention_two_facts"], n), n,
                    _count(m["accuracy_unidirectional_two_facts"], n), n,
                    "two-fact accuracy, attention minus unidirectional")


@claim("ch13-lstm-reader-under-trained-at-700-steps", "13_question_answering",
       "The unidirectional reader trained for 4x the steps (2,800) answers more single-fact test questions "
       "than the same reader stopped at 700: its 700-step figure measures the budget.",
       "supported", ("qa", "qa-curve"))
def _lstm_under_trained(records):
    m, c = records["qa"]["metrics"], records["qa-curve"]["metrics"]
    last = _final(c["curve_unidirectional"])
    return _compare(last["correct"], c["n_test"], _count(m["accuracy_unidirectional"], m["n_test"]), m["n_test"],
                    "single-fact accuracy, 2,800 steps minus 700")


@claim("ch13-two-fact-attention-improves-with-steps", "13_question_answering",
       "The attention reader on two supporting facts, trained for 4x the steps (2,800), answers more test "
       "questions than at 700: its 700-step figure is a point on a learning curve.",
       "supported", ("qa", "qa-curve"))
def _two_fact_attention_improves(records):
    m, c = records["qa"]["metrics"], records["qa-curve"]["metrics"]
    last = _final(c["curve_attention_two_facts"])
    return _compare(last["correct"], c["n_test"], _count(m["accuracy_attention_two_facts"], m["n_test"]),
                    m["n_test"], "two-fact accuracy, 2,800 steps minus 700")


@claim("ch13-two-fact-hit-rate-above-uniform-pick", "13_question_answering",
       "On two supporting facts, the sentence the attention weights most is a supporting fact more often "
       "than a sentence picked uniformly at random from the story.",
       "supported", ("qa", "qa-curve"))
def _hit_rate_above_uniform(records):
    m, c = records["qa"]["metrics"], records["qa-curve"]["metrics"]
    null = c["baselines_two_facts"]["uniform_pick_hit_rate"]
    n = m["n_test"]
    r = rate_interval(_count(m["supporting_fact_hit_rate_two_facts"], n), n)
    return Evidence(side(r["low"] - null, r["high"] - null, favours="above"), r["rate"] - null, r["low"] - null,
                    r["high"] - null, "hit rate minus the uniform pick's", "Wilson interval", n, "stories")


@claim("ch13-majority-answer-below-uniform-guess", "13_question_answering",
       "The majority-answer baseline on single facts scores below the 1/6 of a uniform guess over the rooms "
       "(the training majority room is rare among these test answers).",
       "supported", ("qa", "qa-curve"))
def _majority_below_uniform(records):
    m, c = records["qa"]["metrics"], records["qa-curve"]["metrics"]
    chance = c["baselines"]["uniform_answer"]
    n = m["n_test"]
    r = rate_interval(_count(m["accuracy_majority"], n), n)
    return Evidence(side(r["low"] - chance, r["high"] - chance), r["rate"] - chance, r["low"] - chance,
                    r["high"] - chance, "majority-answer accuracy minus 1/6", "Wilson interval", n, "stories")


def _by_length(records, mode, longer, shorter):
    m, c = records["qa"]["metrics"], records["qa-curve"]["metrics"]
    sizes, rates = c["baselines"]["band_sizes"], m[f"accuracy_by_length_{mode}"]
    return _compare(_count(rates[shorter], sizes[shorter]), sizes[shorter],
                    _count(rates[longer], sizes[longer]), sizes[longer],
                    f"single-fact accuracy of the {mode} reader, {shorter} minus {longer} sentences")


@claim("ch13-lstm-reader-worse-on-long-stories", "13_question_answering",
       "At 700 steps the unidirectional reader answers fewer single-fact questions about stories of 9-12 "
       "sentences than about stories of 2-4.",
       "supported", ("qa", "qa-curve"))
def _worse_on_long(records):
    return _by_length(records, "unidirectional", "9-12", "2-4")


@claim("ch13-lstm-reader-middle-and-long-stories-differ", "13_question_answering",
       "At 700 steps the unidirectional reader answers fewer single-fact questions about stories of 9-12 "
       "sentences than about stories of 5-8.",
       "inconclusive", ("qa", "qa-curve"))
def _middle_against_long(records):
    return _by_length(records, "unidirectional", "9-12", "5-8")
