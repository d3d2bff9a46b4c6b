"""Claims of chapter 9 (``09_reproducing_1997``): what the forget gate and its biases do on the adding problem.

Every claim reads ``adding-factorial`` (:func:`lstm_course.experiments.long_lag.run_adding_factorial`)
and the two arms of ``adding`` that complete its design (the record's ``in_adding``: the 1997 cell
with b_i = -3, the forget gate with b_f = 1 and b_i = 0). All arms share the seeds, and a seed fixes both the
training batches and the test set, so two arms are compared seed by seed (paired t-test). "Learns" means a mean fraction correct over the seeds
above ``LEARNS`` (predicting the mean scores about 0.154); the paper's own criterion, 2,559 of 2,560
test sequences correct, is a separate, stricter line.
"""

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import paired_comparison, rate_interval, seed_summary

LEARNS = 0.9  # mean fraction correct over seeds above which an arm "learns" the task
SOURCE = "adding-factorial"
SOURCES = ("adding", SOURCE)


def _per_seed(records, arm):
    in_adding = records[SOURCE]["metrics"]["in_adding"]
    if arm in in_adding:
        return records["adding"]["metrics"][f"{in_adding[arm]}_success_per_seed"]
    return records[SOURCE]["metrics"][f"{arm}_success_per_seed"]


def _learns(records, arm, favours="above"):
    s = seed_summary(_per_seed(records, arm))
    return Evidence(side(s["low"], s["high"], LEARNS, favours), s["mean"], s["low"], s["high"],
                    f"mean fraction correct of {arm} (line {LEARNS})", "t interval over seeds", s["n"], "seeds")


def _paired(records, a, b):
    c = paired_comparison(_per_seed(records, a), _per_seed(records, b))
    return Evidence(side(c["low"], c["high"], favours="above"), c["effect"], c["low"], c["high"],
                    f"fraction correct, {a} minus {b}", c["test"], c["n"], "seeds", c["p_value"])


def _paper_rate(records, arm):
    m, per_seed = records[SOURCE]["metrics"], _per_seed(records, arm)
    n = m["test_sequences"]
    r = rate_interval(sum(int(round(rate * n)) for rate in per_seed), n * len(per_seed))
    return Evidence(side(r["low"], r["high"], m["paper_criterion"], "above"), r["rate"], r["low"], r["high"],
                    f"fraction correct of {arm}'s networks pooled (line 2559/2560)", "Wilson interval", r["n"],
                    "items")


@claim("ch09-forget-gate-bf5-bi3-learns-adding", "09_reproducing_1997",
       "A trainable forget-gate LSTM started with b_f = 5 and b_i = -3 learns the adding problem (T = 100) "
       "in the chapter's 600 steps: its mean fraction correct over the seeds is above 0.9.",
       "supported", SOURCES)
def _bf5_learns(records):
    return _learns(records, "forget_gate_bf5_bi-3")


@claim("ch09-forget-gate-bf3-bi3-learns-adding", "09_reproducing_1997",
       "So does the forget-gate LSTM started with b_f = 3 and b_i = -3: mean fraction correct above 0.9.",
       "supported", SOURCES)
def _bf3_learns(records):
    return _learns(records, "forget_gate_bf3_bi-3")


@claim("ch09-input-bias-decides-forget-gate-arm", "09_reproducing_1997",
       "With b_f = 5, starting the input gate at b_i = -3 rather than 0 raises the forget-gate LSTM's "
       "fraction correct (same seeds, batches and test sets).",
       "supported", SOURCES)
def _input_bias_gated(records):
    return _paired(records, "forget_gate_bf5_bi-3", "forget_gate_bf5_bi0")


@claim("ch09-input-bias-decides-1997-cell", "09_reproducing_1997",
       "The 1997 cell (forget gate pinned at 1) gets more test sequences right with b_i = -3 than with b_i = 0.",
       "supported", SOURCES)
def _input_bias_pinned(records):
    return _paired(records, "pinned_bi-3", "pinned_bi0")


@claim("ch09-forget-bias-decides-at-bi3", "09_reproducing_1997",
       "With b_i = -3, a forget gate started at b_f = 5 beats one started at b_f = 1.",
       "supported", SOURCES)
def _forget_bias(records):
    return _paired(records, "forget_gate_bf5_bi-3", "forget_gate_bf1_bi-3")


@claim("ch09-pinned-gate-beats-forget-gate-at-bi3", "09_reproducing_1997",
       "With b_i = -3 in both, the pinned gate (the 1997 cell) beats a trainable forget gate started at "
       "b_f = 5: the forget gate itself is what costs the modern cell the adding problem.",
       "inconclusive", SOURCES)
def _pinned_vs_gate(records):
    return _paired(records, "pinned_bi-3", "forget_gate_bf5_bi-3")


@claim("ch09-1997-cell-reaches-paper-criterion", "09_reproducing_1997",
       "In 600 steps the five 1997 cells (b_i = -3) reach the paper's rate of 2,559 correct in 2,560.",
       "contradicted", SOURCES)
def _pinned_paper(records):
    return _paper_rate(records, "pinned_bi-3")


@claim("ch09-forget-gate-reaches-paper-criterion", "09_reproducing_1997",
       "In 600 steps the five forget-gate LSTMs with b_f = 5, b_i = -3 reach the paper's rate of 2,559 in 2,560.",
       "contradicted", SOURCES)
def _gate_paper(records):
    return _paper_rate(records, "forget_gate_bf5_bi-3")


@claim("ch09-irnn-does-not-learn-adding", "09_reproducing_1997",
       "The identity-initialised ReLU RNN (Le et al. 2015; Adam at 1e-3) does not learn the adding problem "
       "in 600 steps: its mean fraction correct over the seeds is below 0.9.",
       "supported", SOURCES)
def _irnn(records):
    return _learns(records, "irnn", favours="below")
