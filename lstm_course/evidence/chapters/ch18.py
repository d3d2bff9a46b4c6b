"""Claims of chapter 18 (``18_variants``): the ablation of the LSTM's parts, and the keep-bias on the adding problem.

Two records decide them. ``variants`` is the ablation: every cell on 3 seeds, on the character model
(validation bits/char after 300 steps) and the adding problem (fraction of test sequences within
0.04 after 500 steps). ``forget-bias`` is the keep-bias study on the same adding problem: the LSTM at
``b_f`` in {0, 1, 2, 3, 5} and the GRU at ``b_z`` in {0, 1}, 5 seeds each.

Arms of different cells are compared with Welch's t-test (``scipy.stats.ttest_ind(equal_var=False)``)
and its 95 % interval for the difference of means, over seeds; a count of runs (diverged, solved)
against another with Fisher's exact test and Newcombe's interval for the difference of two rates
(from the two Wilson intervals). Every char-model result is one learning rate at 300 steps: a
comparison of learning speed at that budget, not of converged models.
"""

import math

import numpy as np

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import CONFIDENCE, rate_interval, seed_summary

CHAPTER = "18_variants"
SOLVED = 0.5  # a seed solves the adding problem when more than half its test sequences are within 0.04
INTERMEDIATE = (0.25, 0.75)  # a run that neither stays at the mean predictor's level (~0.15) nor solves


def _variants(records):
    return records["variants"]["metrics"]


def _sweep(records):
    return records["forget-bias"]["metrics"]


def _welch(a, b):
    """Mean of ``a`` minus mean of ``b`` (independent seeds), Welch's 95 % interval and p-value."""
    from scipy import stats

    a, b = np.asarray(a, float), np.asarray(b, float)
    effect = float(a.mean() - b.mean())
    if a.std(ddof=1) == 0 and b.std(ddof=1) == 0:
        return effect, effect, effect, 1.0 if effect == 0 else 0.0
    result = stats.ttest_ind(a, b, equal_var=False)
    interval = result.confidence_interval(CONFIDENCE)
    return effect, float(interval.low), float(interval.high), float(result.pvalue)


def _welch_evidence(a, b, effect_name, favours):
    effect, low, high, p = _welch(a, b)
    return Evidence(side(low, high, favours=favours), effect, low, high, effect_name,
                    "Welch t-test over seeds", len(a) + len(b), "seeds", p)


def _rate_difference(k1, n1, k2, n2):
    """``k1/n1 - k2/n2`` with Newcombe's hybrid score interval and Fisher's exact two-sided p-value."""
    from scipy import stats

    r1, r2 = rate_interval(k1, n1), rate_interval(k2, n2)
    effect = r1["rate"] - r2["rate"]
    low = effect - math.hypot(r1["rate"] - r1["low"], r2["high"] - r2["rate"])
    high = effect + math.hypot(r1["high"] - r1["rate"], r2["rate"] - r2["low"])
    p = float(stats.fisher_exact([[k1, n1 - k1], [k2, n2 - k2]]).pvalue)
    return effect, low, high, p


def _bpc(records, name):
    return _variants(records)["val_bpc_per_seed"][name]


def _char_claim(name, cell, other, statement, stated, favours="above"):
    """A claim on the char model: ``cell``'s bits/char minus ``other``'s, over the ablation's seeds."""
    @claim(name, CHAPTER, statement, stated, "variants")
    def decide(records):
        return _welch_evidence(_bpc(records, cell), _bpc(records, other),
                               f"val bits/char, {cell} minus {other}", favours)

    return decide


_char_claim("ch18-no-forget-gate-slower-than-lstm", "no_forget_gate", "lstm",
            "On the character model at 300 steps, the cell without a forget gate has higher validation "
            "bits/char than the LSTM (3 seeds each).", "supported")
_char_claim("ch18-no-output-gate-slower-than-lstm", "no_output_gate", "lstm",
            "On the character model at 300 steps, the cell without an output gate has higher validation "
            "bits/char than the LSTM.", "supported")
_char_claim("ch18-peephole-slower-than-lstm", "peephole", "lstm",
            "On the character model at 300 steps, adding peepholes raises the validation bits/char.", "supported")
_char_claim("ch18-no-forget-gate-worse-than-no-output-gate", "no_forget_gate", "no_output_gate",
            "Among the cells that trained, removing the forget gate is worse than removing the output gate "
            "(the 'worst of the cells that trained').", "inconclusive")
_char_claim("ch18-cifg-differs-from-lstm", "cifg", "lstm",
            "Coupling the gates changes the char model's bits/char at this budget.",
            "inconclusive")
_char_claim("ch18-no-input-gate-differs-from-lstm", "no_input_gate", "lstm",
            "Removing the input gate changes the char model's bits/char at this budget.",
            "inconclusive")
_char_claim("ch18-rnn-differs-from-lstm", "rnn", "lstm",
            "The tanh RNN's char-model bits/char differs from the LSTM's at this budget.",
            "inconclusive")
_char_claim("ch18-forget-bias-changes-char-model", "lstm_forget_bias_0", "lstm",
            "On the character model b_f = 0 and b_f = 1 differ at this budget.",
            "inconclusive")


@claim("ch18-gru-fastest-on-char-model", CHAPTER,
       "At 300 steps the GRU has lower validation bits/char than the best other cell that trained on every seed "
       "(the cell with the lowest mean, chosen on these same runs; the cell without the output activation, "
       "which diverged on 2 of 3 seeds, is left out).", "supported", "variants")
def _gru_fastest_on_char_model(records):
    runs = _variants(records)["val_bpc_per_seed"]
    others = {k: np.mean(v) for k, v in runs.items() if k not in ("gru", "no_output_activation")}
    best = min(others, key=others.get)
    return _welch_evidence(runs["gru"], runs[best], f"val bits/char, gru minus {best}", "below")


@claim("ch18-no-output-activation-diverges-more-often", CHAPTER,
       "On the character model the cell without the output activation diverges (ends worse than the bigram "
       "baseline) more often than the other cells, none of whose 30 runs diverged.", "supported", "variants")
def _no_output_activation_diverges(records):
    m = _variants(records)
    diverged = {k: sum(v > m["bigram_bpc"] for v in runs) for k, runs in m["val_bpc_per_seed"].items()}
    n = {k: len(runs) for k, runs in m["val_bpc_per_seed"].items()}
    k_rest = sum(v for k, v in diverged.items() if k != "no_output_activation")
    n_rest = sum(v for k, v in n.items() if k != "no_output_activation")
    effect, low, high, p = _rate_difference(diverged["no_output_activation"], n["no_output_activation"],
                                            k_rest, n_rest)
    return Evidence(side(low, high, favours="above"), effect, low, high,
                    "divergence rate, no_output_activation minus the other cells",
                    "Fisher exact; Newcombe interval", n["no_output_activation"] + n_rest, "runs", p)


@claim("ch18-adding-all-or-nothing", CHAPTER,
       "On the adding problem every run either solves the task or stays at the mean predictor's level "
       "(no run between 0.25 and 0.75 correct).", "contradicted", "variants")
def _adding_all_or_nothing(records):
    runs = [v for values in _variants(records)["long_lag_success_per_seed"].values() for v in values]
    between = float(sum(INTERMEDIATE[0] < v < INTERMEDIATE[1] for v in runs))
    return Evidence(side(between, between, line=0.5, favours="below"), between, between, between,
                    "runs between 0.25 and 0.75 correct", "exact count", len(runs), "runs")


def _adding_claim(name, cell, statement, stated, favours):
    """A threshold claim: ``cell``'s mean fraction correct over the ablation's seeds against ``SOLVED``."""
    @claim(name, CHAPTER, statement, stated, "variants")
    def decide(records):
        s = seed_summary(_variants(records)["long_lag_success_per_seed"][cell])
        return Evidence(side(s["low"], s["high"], line=SOLVED, favours=favours), s["mean"], s["low"], s["high"],
                        f"adding: mean fraction correct of {cell}", "t interval over seeds", s["n"], "seeds")

    return decide


_SOLVES = "On the adding problem (T = 30, 500 steps) the mean fraction correct over 3 seeds of {} lies above 0.5."
_FAILS = "On the adding problem (T = 30, 500 steps) the mean fraction correct over 3 seeds of {} lies below 0.5."
_adding_claim("ch18-adding-lstm-solves", "lstm", _SOLVES.format("the LSTM (b_f = 1)"),
              "inconclusive", "above")
_adding_claim("ch18-adding-cifg-solves", "cifg", _SOLVES.format("the coupled cell"), "supported", "above")
_adding_claim("ch18-adding-no-forget-gate-solves", "no_forget_gate", _SOLVES.format("the 1997 cell"),
              "supported", "above")
_adding_claim("ch18-adding-peephole-solves", "peephole", _SOLVES.format("the peephole cell"), "supported", "above")
_adding_claim("ch18-adding-no-input-gate-fails", "no_input_gate", _FAILS.format("the cell without an input gate"),
              "supported", "below")
_adding_claim("ch18-adding-no-output-gate-fails", "no_output_gate", _FAILS.format("the cell without an output gate"),
              "supported", "below")
_adding_claim("ch18-adding-gru-fails", "gru", _FAILS.format("the GRU (b_z = 0)"), "supported", "below")
_adding_claim("ch18-adding-rnn-fails", "rnn", _FAILS.format("the tanh RNN"), "supported", "below")
_adding_claim("ch18-adding-no-input-activation-fails", "no_input_activation",
              _FAILS.format("the cell without the input activation"),
              "inconclusive", "below")
_adding_claim("ch18-adding-no-output-activation-fails", "no_output_activation",
              _FAILS.format("the cell without the output activation"),
              "inconclusive", "below")


@claim("ch18-forget-bias-adding-three-seeds", CHAPTER,
       "In the ablation's 3 seeds per arm, b_f = 1 gives a higher adding-problem fraction correct than b_f = 0.",
       "inconclusive", "variants")
def _forget_bias_adding_three_seeds(records):
    runs = _variants(records)["long_lag_success_per_seed"]
    return _welch_evidence(runs["lstm"], runs["lstm_forget_bias_0"],
                           "adding: fraction correct, b_f = 1 minus b_f = 0", "above")


def _lstm_arm(records, bias):
    return _sweep(records)["lstm_by_forget_bias"][bias]["per_seed"]


def _gru_arm(records, bias):
    return _sweep(records)["gru_by_update_bias"][bias]["per_seed"]


def _bias_claim(name, statement, stated, a, b, effect_name):
    """A claim of the keep-bias study: arm ``a`` minus arm ``b`` (each ``(cell, bias)``), over 5 seeds each."""
    arm = {"lstm": _lstm_arm, "gru": _gru_arm}

    @claim(name, CHAPTER, statement, stated, "forget-bias")
    def decide(records):
        return _welch_evidence(arm[a[0]](records, a[1]), arm[b[0]](records, b[1]), effect_name, "above")

    return decide


_bias_claim("ch18-forget-bias-1-beats-0",
            "On the adding problem (T = 30, 500 steps) the LSTM with b_f = 1 gets a higher fraction of the test "
            "sequences right than with b_f = 0 (5 seeds each, the same weights and batches otherwise).",
            "supported", ("lstm", "1"), ("lstm", "0"), "adding: fraction correct, b_f = 1 minus b_f = 0")
_bias_claim("ch18-forget-bias-2-beats-1",
            "On the adding problem b_f = 2 gets a higher fraction correct than b_f = 1 (5 seeds each).",
            "inconclusive", ("lstm", "2"), ("lstm", "1"), "adding: fraction correct, b_f = 2 minus b_f = 1")
_bias_claim("ch18-forget-bias-3-beats-1",
            "On the adding problem b_f = 3 gets a higher fraction correct than b_f = 1 (5 seeds each).",
            "inconclusive", ("lstm", "3"), ("lstm", "1"), "adding: fraction correct, b_f = 3 minus b_f = 1")
_bias_claim("ch18-forget-bias-5-beats-1",
            "On the adding problem b_f = 5 gets a higher fraction correct than b_f = 1 (5 seeds each).",
            "inconclusive", ("lstm", "5"), ("lstm", "1"), "adding: fraction correct, b_f = 5 minus b_f = 1")
_bias_claim("ch18-gru-update-bias-rescues-adding",
            "The GRU with its update-gate bias b_z shifted by 1 gets a higher adding-problem fraction correct than "
            "the GRU as initialised in the ablation (b_z shifted by 0; 5 seeds each, the same weights otherwise).",
            "supported", ("gru", "1"), ("gru", "0"), "adding: fraction correct, GRU b_z + 1 minus GRU b_z + 0")
_bias_claim("ch18-biased-gru-beats-lstm",
            "At matched keep-bias (GRU b_z + 1, LSTM b_f = 1) the GRU gets a higher adding-problem fraction correct "
            "than the LSTM (5 seeds each).",
            "inconclusive", ("gru", "1"), ("lstm", "1"), "adding: fraction correct, GRU b_z + 1 minus LSTM b_f = 1")
