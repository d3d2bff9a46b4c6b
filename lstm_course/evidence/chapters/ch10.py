"""Claims of chapter 10 (``10_generative_models``): the character LSTM against the count baselines.

The LSTM is the saved full run (``charlm.json``, seed 0) and the seed study (``charlm-seeds.json``,
seeds 1-4), all at the same step budget; the baselines are deterministic counts (``ngram.json``:
interpolated Kneser-Ney, discount and best order chosen on held-out training text). Each claim is a
one-sample t interval over the 5 seeds of LSTM minus baseline, in validation bits per character.
"""

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import seed_summary

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
    from scipy import stats

    differences = [v - baseline for v in _lstm_val_bpc(records)]
    s = seed_summary(differences)
    p = float(stats.ttest_1samp(differences, 0.0).pvalue)
    return Evidence(side(s["low"], s["high"], favours="below"), s["mean"], s["low"], s["high"],
                    f"val bits/char, LSTM minus {name}", "one-sample t interval over seeds (baseline fixed)",
                    s["n"], "seeds", p)


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
