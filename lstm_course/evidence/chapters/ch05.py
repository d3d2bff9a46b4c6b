"""Claims of chapter 5 (``05_bidirectional_rnn``): part-of-speech tagging of real English (``pos.json``).

Every tagger is trained on the same 18,000 OANC sentences (silver tags) for 1,000 steps on seeds 0-4.
Two taggers are compared seed by seed with the paired t-test over the 5 seeds (each seed's accuracy is
over the same 38,125 test tokens); a tagger against the most-frequent-tag baseline, which has no seed,
with a one-sample t interval of the difference over seeds. Every claim is at this budget.
"""

from lstm_course.evidence.claims import Evidence, against_fixed_baseline, claim, side
from lstm_course.evidence.protocol import paired_comparison

CHAPTER = "05_bidirectional_rnn"


def _m(records):
    return records["pos"]["metrics"]


def _paired(records, a, b, metric, favours):
    m = _m(records)
    r = paired_comparison(m[f"{a}_{metric}_per_seed"], m[f"{b}_{metric}_per_seed"])
    return Evidence(side(r["low"], r["high"], favours=favours), r["effect"], r["low"], r["high"],
                    f"{metric.replace('_', ' ')}, {a} minus {b}", "paired t-test over seeds", r["n"], "seeds",
                    r["p_value"])


def _against_baseline(records, model, split):
    m = _m(records)
    return against_fixed_baseline(m[f"{model}_{split}_accuracy_per_seed"], m[f"most_frequent_{split}_accuracy"],
                                  f"{split} accuracy, {model} minus the most-frequent tag")


@claim("ch05-pos-lstm-beats-most-frequent-tag", CHAPTER,
       "On real English the unidirectional LSTM tagger is more accurate than the most-frequent-tag baseline.",
       "supported", "pos")
def _uni_beats_baseline(records):
    return _against_baseline(records, "unidirectional", "test")


@claim("ch05-pos-bidirectional-beats-unidirectional", CHAPTER,
       "On real English the bidirectional tagger is more accurate than the unidirectional one, at this budget.",
       "supported", "pos")
def _bi_beats_uni(records):
    return _paired(records, "bidirectional", "unidirectional", "test_accuracy", "above")


@claim("ch05-pos-bidirectional-beats-unidirectional-on-gold", CHAPTER,
       "On the gold-tagged WSJ lines, too, the bidirectional tagger beats the unidirectional one.",
       "supported", "pos")
def _bi_beats_uni_gold(records):
    return _paired(records, "bidirectional", "unidirectional", "wsj_accuracy", "above")


@claim("ch05-pos-bidirectional-unknown-words", CHAPTER,
       "On unknown words the bidirectional tagger is more accurate than the unidirectional one.",
       "inconclusive", "pos")
def _bi_unknown(records):
    return _paired(records, "bidirectional", "unidirectional", "test_accuracy_unknown", "above")


@claim("ch05-pos-stacking-helps", CHAPTER,
       "A second stacked bidirectional layer makes the tagger more accurate, at this budget.",
       "inconclusive", "pos")
def _stacked(records):
    return _paired(records, "stacked_bidirectional", "bidirectional", "test_accuracy", "above")
