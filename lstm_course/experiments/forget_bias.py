"""The keep-bias on the adding problem, over seeds: the LSTM at b_f in {0, 1, 2, 3, 5}, the GRU at b_z in {0, 1}.

The variants chapter's ablation (:mod:`lstm_course.experiments.variants`) compares ``b_f = 1``
with ``b_f = 0`` on 3 seeds each. This experiment decides the question with more seeds and more
arms, on the same adding problem, budget, batches and seeds (``FULL`` is the ablation's adding
configuration):

- the LSTM with its forget-gate bias ``b_f`` shifted by each of ``FORGET_BIASES``;
- the GRU with its update-gate bias ``b_z`` shifted by each of ``UPDATE_BIASES``. In our GRU
  (``h_t = (1 - z_t) n_t + z_t h_{t-1}``) ``z_t`` is the share of ``h_{t-1}`` kept, so ``b_z = 1``
  starts it at ``sigma(1) = 0.73``, like the LSTM's forget gate at ``b_f = 1``.

Within one seed every arm of a cell draws the same weights and batches and differs only in the
bias. A seed *solves* the task when more than ``SOLVED`` of its test sequences have
``|error| < 0.04`` (the mean predictor gets about 0.15).
"""

import numpy as np

from .running import one_thread, over_seeds
from .variants import _adding_cell_run

FORGET_BIASES = (0.0, 1.0, 2.0, 3.0, 5.0)
UPDATE_BIASES = (0.0, 1.0)
SOLVED = 0.5
FULL = dict(seeds=5, adding_T=30, adding_steps=500, adding_H=32, adding_B=32, adding_test=1024, lr=1e-2)
QUICK = dict(seeds=2, adding_T=30, adding_steps=2, adding_H=8, adding_B=8, adding_test=32, lr=1e-2)


def _label(bias):
    return f"{bias:g}"


def _summary(values):
    values = [float(v) for v in values]
    return {"per_seed": values, "solved": int(sum(v > SOLVED for v in values)), "median": float(np.median(values)),
            "min": min(values), "max": max(values)}


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print):
    """The experiment ``forget-bias``: adding-problem success per seed for each keep-bias of the LSTM and the GRU.

    Returns
    -------
    dict
        ``lstm_by_forget_bias`` and ``gru_by_update_bias``: ``{bias: {"per_seed", "solved", "median",
        "min", "max"}}`` (bias as ``"0"``, ``"1"``, ...; per-seed fractions of the test sequences within
        0.04); ``keep_at_init`` (``sigma(bias)``); ``solved_threshold``; ``seeds_run`` and the config.
    """
    cfg = QUICK if quick else FULL
    lstm, gru = {}, {}
    for bias in FORGET_BIASES:
        runs = over_seeds(_adding_cell_run("lstm", bias, cfg, device), seed, cfg["seeds"], progress,
                          f"adding problem: lstm, b_f = {_label(bias)}")
        lstm[_label(bias)] = _summary(runs)
    for bias in UPDATE_BIASES:
        runs = over_seeds(_adding_cell_run("gru", 0.0, cfg, device, update_bias=bias), seed, cfg["seeds"], progress,
                          f"adding problem: gru, b_z = {_label(bias)}")
        gru[_label(bias)] = _summary(runs)
    biases = sorted(set(FORGET_BIASES) | set(UPDATE_BIASES))
    return {
        "lstm_by_forget_bias": lstm, "gru_by_update_bias": gru,
        "keep_at_init": {_label(b): float(1 / (1 + np.exp(-b))) for b in biases},
        "solved_threshold": SOLVED, "seeds_run": list(range(seed, seed + cfg["seeds"])),
        "long_lag_task": f"adding problem, T = {cfg['adding_T']}",
        **cfg,
    }
