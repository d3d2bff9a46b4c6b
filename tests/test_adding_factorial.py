"""The adding factorial (issue 19, S-09-01): the forget gate crossed with its biases, paired by seed; the IRNN arm."""

import json
import pathlib

import numpy as np
import pytest
import torch

from lstm_course.experiments import run_experiment
from lstm_course.experiments.long_lag import (FACTORIAL_FORGET_BIASES, FACTORIAL_IN_ADDING, FACTORIAL_INPUT_BIASES,
                                              FORGET_GATE_MODELS, MODELS, PAPER_CRITERION, factorial_arms)
from lstm_course.models.cores import TwinRNN, recurrent_core
from lstm_course.models.recurrent_net import RecurrentNet

RESULTS = pathlib.Path(__file__).resolve().parents[1] / "book" / "results"


def test_the_arms_with_those_of_run_adding_cross_the_forget_gate_with_both_biases():
    in_adding = {**MODELS, **FORGET_GATE_MODELS}
    arms = {**factorial_arms(), **{name: in_adding[old] for name, old in FACTORIAL_IN_ADDING.items()}}
    pinned = {n: kw for n, kw in arms.items() if kw.get("forget_gate") is False}
    gated = {n: kw for n, kw in arms.items() if kw["kind"] == "lstm" and kw.get("forget_gate", True)}
    assert sorted(kw.get("input_bias", 0.0) for kw in pinned.values()) == sorted(FACTORIAL_INPUT_BIASES)
    assert {(kw["forget_bias"], kw.get("input_bias", 0.0)) for kw in gated.values()} == {
        (b_f, b_i) for b_f in FACTORIAL_FORGET_BIASES for b_i in FACTORIAL_INPUT_BIASES} - {(3.0, 0.0)}
    assert arms["pinned_bi-3"] == {"kind": "lstm", "forget_gate": False, "input_bias": -3.0}
    assert arms["forget_gate_bf5_bi-3"] == {"kind": "lstm", "forget_bias": 5.0, "input_bias": -3.0}
    assert not set(FACTORIAL_IN_ADDING) & set(factorial_arms()) and factorial_arms()["irnn"] == {"kind": "irnn"}


def test_irnn_starts_at_the_identity_with_relu_and_zero_biases():
    net = RecurrentNet("irnn", 2, 4, 1, np.random.default_rng(0))
    assert type(net.core) is TwinRNN and net.core.nonlinearity == "relu"
    assert torch.equal(net.core.weight_hh_l0, torch.eye(4)) and not net.core.bias_hh_l0.any()
    assert net.core.weight_ih_l0.abs().max() < 0.01
    assert recurrent_core("rnn", 2, 3, backend="nn", nonlinearity="relu").nonlinearity == "relu"


def test_an_lstm_core_refuses_a_relu():
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh'.*got 'relu' for 'lstm'"):
        recurrent_core("lstm", 2, 3, nonlinearity="relu")


def test_the_factorial_names_an_unknown_arm():
    with pytest.raises(ValueError, match="expected arms among .*got \\['lstm'\\]"):
        run_experiment("adding-factorial", quick=True, arms=["lstm"])


def test_quick_factorial_reports_every_arm_per_seed():
    m = run_experiment("adding-factorial", quick=True)
    assert m["seeds"] == 1 and m["steps"] < 100 and m["paper_criterion"] == PAPER_CRITERION
    for name in factorial_arms():
        assert len(m[f"{name}_success_per_seed"]) == len(m[f"{name}_grad_ratio_at_init_per_seed"]) == m["seeds"]
        assert 0.0 <= m[f"{name}_success_rate"] <= 1.0
        assert 0 <= m[f"{name}_seeds_meeting_paper_criterion"] <= m["seeds"]
    # at initialisation the pinned gate's path does not decay, b_f = 1's does (the ch. 6 measurement)
    ratio = {name: m[f"{name}_grad_ratio_at_init_per_seed"][0] for name in factorial_arms()}
    assert ratio["pinned_bi0"] > 1e3 * ratio["forget_gate_bf1_bi-3"]


def test_the_saved_factorial_has_five_seeds_per_arm_on_the_chapters_budget():
    path = RESULTS / "adding-factorial.json"
    if not path.is_file():
        pytest.skip("adding-factorial.json not saved yet")
    record = json.loads(path.read_text())
    m = record["metrics"]
    assert not record["quick"] and m["seeds"] >= 5 and m["steps"] == 600 and m["T"] == 100
    assert m["arms"] == json.loads(json.dumps(factorial_arms()))
    for name in factorial_arms():
        assert len(m[f"{name}_success_per_seed"]) == m["seeds"]
