"""The quick versions of `run translate` and `run qa` report exactly the contract's keys."""

import math

import pytest

from lstm_course.experiments import run_experiment


def _finite(x):
    return isinstance(x, float) and math.isfinite(x)


def test_translate_quick_reports_the_contract_keys():
    m = run_experiment("translate", quick=True)
    for key in ("exact_match_attention", "exact_match_no_attention", "cer_attention", "cer_no_attention"):
        assert _finite(m[key]), key
    assert set(next(iter(m["exact_match_by_length"].values()))) == {"attention", "no_attention"}
    assert set(m["beam_exact_match"]) == {"1", "2", "5", "10"}
    assert m["alignments"][0]["number"] == 23
    assert m["long_steps"] > m["steps"] and _finite(m["exact_match_no_attention_long_budget"])
    assert set(m["exact_match_by_length_no_attention_long_budget"]) == set(m["exact_match_by_length"])


def test_translate_single_arm_and_pair_options():
    m = run_experiment("translate", quick=True, pair="en-fr", attention=False)
    assert m["pair"] == "en-fr" and m["exact_match_attention"] is None and _finite(m["exact_match_no_attention"])
    with pytest.raises(ValueError, match="pair must be one of"):
        run_experiment("translate", quick=True, pair="de-en")


def test_qa_quick_reports_the_contract_keys():
    m = run_experiment("qa", quick=True)
    for suffix in ("", "_two_facts"):
        for key in ("accuracy_unidirectional", "accuracy_bidirectional", "accuracy_attention",
                    "supporting_fact_hit_rate"):
            assert 0.0 <= m[key + suffix] <= 1.0, key + suffix
