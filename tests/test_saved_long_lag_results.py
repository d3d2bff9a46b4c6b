"""The saved adding runs hold the rows the book shows: the forget-gate LSTM at b_f = 1 and 0, and the budget sweep."""

import json
import pathlib

from lstm_course.experiments.long_lag import FORGET_GATE_MODELS

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "book" / "results"


def test_adding_results_have_the_forget_gate_rows_on_the_same_budget_and_seeds():
    m = json.loads((RESULTS / "adding.json").read_text())["metrics"]
    for name in ("lstm", "rnn", "lstm_forget_gate", "lstm_forget_gate_b0"):
        assert 0.0 <= m[f"{name}_success_rate"] <= 1.0
        assert len(m[f"{name}_success_per_seed"]) == m["seeds"]
        assert len(m[f"{name}_loss_curve"]) == len(m["loss_curve_steps"])
    assert m["loss_curve_steps"][-1] == m["steps"]


def test_the_two_forget_gate_rows_differ_only_in_the_forget_bias():
    assert FORGET_GATE_MODELS["lstm_forget_gate"] == {"kind": "lstm", "forget_bias": 1.0}
    assert FORGET_GATE_MODELS["lstm_forget_gate_b0"] == {"kind": "lstm", "forget_bias": 0.0}


def test_the_budget_sweep_reports_one_rate_per_budget():
    m = json.loads((RESULTS / "adding-budget.json").read_text())["metrics"]
    rates = m["lstm_forget_gate_success_rate_by_budget"]
    assert len(rates) == len(m["budgets_steps"]) == len(m["lstm_forget_gate_success_per_seed_by_budget"])
    assert m["budgets_steps"] == sorted(m["budgets_steps"])


def test_charlm_results_hold_a_validation_curve_and_samples():
    m = json.loads((RESULTS / "charlm.json").read_text())["metrics"]
    assert len(m["val_curve_seconds"]) == len(m["val_curve_steps"]) == len(m["val_curve_bpc"]) >= 2
    assert m["val_curve_steps"][0] == 0 and m["val_curve_steps"][-1] == m["steps"]
    assert len(m["samples"]) == len(m["sample_temperatures"])
    assert all(s.startswith(m["sample_prime"]) for s in m["samples"])
    assert 0.3 in m["sample_temperatures"]  # the chapter describes that one
