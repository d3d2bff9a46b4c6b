"""Claims of chapter 10 (``10_generative_models``): the character LSTM against the count baselines.

The LSTM is the saved full run (``charlm.json``, seed 0) and the seed study (``charlm-seeds.json``,
seeds 1-4), all at the same step budget; the baselines are deterministic counts (``ngram.json``:
interpolated Kneser-Ney, discount and best order chosen on held-out training text). Each claim is a
one-sample t interval over the 5 seeds of LSTM minus baseline, in validation bits per character.
"""

import numpy as np

from lstm_course.evidence.claims import Evidence, against_fixed_baseline, claim, side

SOURCES = ("charlm", "charlm-seeds", "ngram")
METHOD = "kneser-ney"


def _lstm_val_bpc(records):
    """Validation bits/char of every seed at the saved run's step budget (seed 0 first)."""
    runs = {int(records["charlm"]["metrics"]["seed"]): records["charlm"]["metrics"]}
    runs.update({int(s): m for s, m in records["charlm-seeds"]["per_seed"].items()})
    budgets = {m["steps"] for m in runs.values()}
    if len(budgets) != 1:
        raise ValueError(f"expected every seed at one step budget; got steps {sorted(budgets)}")
    return [runs[s]["val_bpc"] for s in sorted(runs)]


def _against(records, baseline, name):
    """LSTM minus ``baseline`` (bits/char), over seeds: the evidence that the LSTM is lower."""
    return against_fixed_baseline(_lstm_val_bpc(records), baseline, f"val bits/char, LSTM minus {name}",
                                  favours="below")


def _kneser_ney(records, order):
    return records["ngram"]["metrics"][METHOD][str(order)]["val_bpc"]


@claim("ch10-lstm-beats-bigram", "10_generative_models",
       "At the saved run's step budget the LSTM's validation bits/char are below the add-one bigram's.",
       "supported", SOURCES)
def _lstm_beats_bigram(records):
    return _against(records, records["ngram"]["metrics"]["bigram_bpc"], "add-one bigram")


@claim("ch10-lstm-beats-4gram", "10_generative_models",
       "At the saved run's step budget the LSTM beats the interpolated Kneser-Ney 4-gram.",
       "supported", SOURCES)
def _lstm_beats_4gram(records):
    return _against(records, _kneser_ney(records, 4), "Kneser-Ney 4-gram")


@claim("ch10-lstm-beats-5gram", "10_generative_models",
       "At the saved run's step budget the LSTM beats the interpolated Kneser-Ney 5-gram.",
       "inconclusive", SOURCES)
def _lstm_beats_5gram(records):
    return _against(records, _kneser_ney(records, 5), "Kneser-Ney 5-gram")


@claim("ch10-lstm-beats-best-ngram", "10_generative_models",
       "At the saved run's step budget the LSTM beats the best n-gram (Kneser-Ney, order 1 to 6 chosen on "
       "held-out training text).",
       "contradicted", SOURCES)
def _lstm_beats_best_ngram(records):
    best = records["ngram"]["metrics"][METHOD]["best_order"]
    return _against(records, _kneser_ney(records, best), f"best Kneser-Ney n-gram (order {best})")


def _against_null(records, signal):
    """The held-out r of the unit picked on the selection text, against the same pick in untrained nets.

    The interval is the trained r minus the null's 2.5 to 97.5 percentiles (the null's 95 % range); the
    p-value is the rank of the trained r among the untrained networks' (one-sided, ``(1 + k) / (n + 1)``).
    """
    s = records["inside"]["metrics"]["signals"][signal]
    null = np.asarray(s["null_r_held"], dtype=float)
    r = float(s["r_held"])
    low, high = r - float(np.quantile(null, 0.975)), r - float(np.quantile(null, 0.025))
    p = float((1 + np.sum(null >= r)) / (len(null) + 1))
    return Evidence(side(low, high, favours="above"), r - float(null.mean()), low, high,
                    f"held-out r ({signal}), trained minus untrained networks",
                    "rank among untrained networks of the same shape (one-sided), 95 % null range",
                    int(len(null)), "runs", p, runs=1)


@claim("ch10-string-unit-beats-null", "10_generative_models",
       "In one run, the unit picked for 'inside a string' on one validation file tracks strings on another file better "
       "than the unit the same rule picks in untrained networks of the same shape.",
       "supported", ("inside",))
def _string_unit(records):
    return _against_null(records, "inside a string")


@claim("ch10-indent-unit-beats-null", "10_generative_models",
       "In one run, the unit picked for indentation depth on one validation file tracks indentation on another file "
       "better than the unit the same rule picks in untrained networks of the same shape.",
       "supported", ("inside",))
def _indent_unit(records):
    return _against_null(records, "indentation")
