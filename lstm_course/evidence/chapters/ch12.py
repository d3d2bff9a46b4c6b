"""Claims of chapter 12 (``12_decoding``): beam search against greedy decoding, and how errors spread."""

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import paired_comparison, rate_interval


def _mcnemar(fixes, breaks, n, name):
    """Exact McNemar test on the discordant pairs: ``(fixes - breaks) / n``, the exact-match difference.

    Its interval is the Wilson interval of the share of fixes among the discordant pairs, mapped to the
    difference (conditional on their number); the p-value is the two-sided binomial test of that share
    against 1/2 (``scipy.stats.binomtest``).
    """
    from scipy import stats

    discordant = fixes + breaks
    if discordant == 0:
        return Evidence("inconclusive", 0.0, 0.0, 0.0, name, "exact McNemar (no discordant pairs)", n, "items", 1.0)
    q = rate_interval(fixes, discordant)
    scale = discordant / n
    low, high = scale * (2 * q["low"] - 1), scale * (2 * q["high"] - 1)
    p = float(stats.binomtest(fixes, discordant).pvalue)
    return Evidence(side(low, high, favours="above"), (fixes - breaks) / n, low, high, name,
                    f"exact McNemar on {discordant} discordant pairs, Wilson interval", n, "items", p)


def _arm(records, alpha, k):
    return records["translate-beams"]["metrics"]["beams"][alpha][k]


@claim("ch12-beam5-first-100-differs-from-greedy", "12_decoding",
       "On the first 100 test numbers of the saved run, beam 5 without length penalty gets more numbers "
       "exactly right than greedy decoding (model without attention).",
       "inconclusive", "translate")
def _first_100(records):
    m = records["translate"]["metrics"]
    n = m["beam_numbers"]
    right = {k: round(n * v) for k, v in m["beam_exact_match_no_attention"].items()}
    fixes = len(m["beam_fixes_no_attention"])
    breaks = fixes - (right["5"] - right["1"])
    return _mcnemar(fixes, breaks, n, "exact match, beam 5 (alpha 0) minus greedy")


@claim("ch12-raw-beam5-beats-greedy", "12_decoding",
       "Ranked by the raw sum of log-probabilities (alpha = 0), beam 5 gets more test numbers exactly right "
       "than greedy decoding (model without attention, all 1,000 test numbers).",
       "inconclusive", "translate-beams")
def _raw_beam(records):
    a = _arm(records, "0", "5")
    n = records["translate-beams"]["metrics"]["n_beam"]
    return _mcnemar(a["fixes"], a["breaks"], n, "exact match, beam 5 (alpha 0) minus greedy")


@claim("ch12-normalised-beam5-beats-greedy", "12_decoding",
       "With the length penalty alpha = 1 (eq. length-penalty), beam 5 gets more test numbers exactly right "
       "than greedy decoding (model without attention, all 1,000 test numbers).",
       "supported", "translate-beams")
def _normalised_beam(records):
    a = _arm(records, "1", "5")
    n = records["translate-beams"]["metrics"]["n_beam"]
    return _mcnemar(a["fixes"], a["breaks"], n, "exact match, beam 5 (alpha 1) minus greedy")


@claim("ch12-raw-beam5-errors-are-mostly-too-short", "12_decoding",
       "Most of the wrong outputs of beam 5 without length penalty are shorter than the reference.",
       "supported", "translate-beams")
def _raw_beam_short(records):
    a = _arm(records, "0", "5")
    r = rate_interval(a["too_short"], a["errors"])
    return Evidence(side(r["low"], r["high"], line=0.5, favours="above"), r["rate"], r["low"], r["high"],
                    "share of beam-5 (alpha 0) errors shorter than the reference", "Wilson interval",
                    a["errors"], "items")


@claim("ch12-errors-compound-after-the-first", "12_decoding",
       "After greedy decoding's first error, the model makes more errors feeding back its own output than "
       "it makes at the same positions when fed the true prefix (model without attention, its wrong outputs).",
       "supported", "translate-beams")
def _errors_compound(records):
    m = records["translate-beams"]["metrics"]
    c = paired_comparison(m["spread_own_per_item"], m["spread_true_per_item"], test="wilcoxon")
    return Evidence(side(c["low"], c["high"], favours="above"), c["effect"], c["low"], c["high"],
                    "errors after the first per wrong output, own prefix minus true prefix",
                    "t interval over outputs, Wilcoxon signed-rank", c["n"], "items", c["p_value"])
