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


def test_errors_after_first_counts_own_prefix_against_true_prefix():
    from lstm_course.experiments.seq2seq_eval import END, errors_after_first

    # the target "abcd": greedy drops the "b" and then writes the rest; teacher forcing misses only the "b"
    spread = errors_after_first(["acd", "abcd"], ["axcd" + END, "abcd" + END], ["abcd", "abcd"])
    assert spread["first"] == [1, -1] and spread["same_until_first"] == [False, True]
    assert spread["rest"] == [3, 0] and spread["true"] == [0, 0] and spread["own"] == [1, 0]
    spread = errors_after_first(["axcd"], ["axcd" + END], ["abcd"])  # a substitution, then back on track
    assert spread["same_until_first"] == [True] and spread["own"] == [0] and spread["true"] == [0]


def test_translate_beams_quick_reports_every_arm_and_consistent_counts():
    m = run_experiment("translate-beams", quick=True)
    n, greedy = m["n_beam"], m["greedy"]
    assert set(m["beams"]) == {"0", "0.6", "1"} and all(set(v) == {"2", "5"} for v in m["beams"].values())
    for by_k in m["beams"].values():
        for a in by_k.values():
            assert len(a["correct"]) == n and a["errors"] == a["correct"].count("0")
            assert a["too_short"] + a["too_long"] <= a["errors"]
            assert math.isclose(a["exact_match"] - greedy["exact_match"], (a["fixes"] - a["breaks"]) / n)
    assert len(m["spread_own_per_item"]) == len(m["spread_true_per_item"]) == m["spread_items"]
    assert sum(m["spread_own_per_item"]) == m["spread_errors_own_prefix"]


def test_beam_outputs_replaying_the_model_calls_equals_decoding_each_penalty_alone():
    import torch

    from lstm_course.data.numbers import make_number_data
    from lstm_course.experiments.translate import _beam_outputs
    from lstm_course.models.seq2seq import Seq2Seq

    data = make_number_data("en-de", n_train=50, n_test=3, n_held_out=2, seed=0)
    torch.manual_seed(0)
    model = Seq2Seq(len(data.src_vocab), len(data.tgt_vocab), H=8, A=8, attention=False)
    sources = data.test.sources[:2]
    together = _beam_outputs(model, data, "cpu", sources, (3,), (0.0, 1.0))
    alone = _beam_outputs(model, data, "cpu", sources, (3,), (1.0,))
    assert together[(1.0, 3)] == alone[(1.0, 3)]


def test_qa_curve_quick_reports_checkpoints_and_baselines():
    m = run_experiment("qa-curve", quick=True)
    assert [p["step"] for p in m["curve_unidirectional"]] == m["checkpoints"]
    assert all(math.isclose(p["correct"] / m["n_test"], p["accuracy"]) and _finite(p["train_loss"])
               for p in m["curve_unidirectional"])
    assert [p["step"] for p in m["curve_attention_two_facts"]] == m["checkpoints"]
    assert all(0 <= p["hit_rate"] <= 1 for p in m["curve_attention_two_facts"])
    for suffix in ("", "_two_facts"):
        b = m["baselines" + suffix]
        assert math.isclose(b["uniform_answer"], 1 / 6) and sum(b["band_sizes"].values()) == m["n_test"]
        assert 0 < b["uniform_pick_hit_rate"] < 1


def test_story_baselines_on_a_hand_made_test_set():
    import numpy as np

    from lstm_course.data.stories import QAData
    from lstm_course.experiments.qa import story_baselines

    train = QAData([[["a"]]] * 3, [["q"]] * 3, np.array([2, 2, 1]), [[0]] * 3)
    test = QAData([[["a"]] * 2, [["a"]] * 4], [["q"]] * 2, np.array([2, 0]), [[1], [0, 3]])
    b = story_baselines(train, test)
    assert b["majority_answer"] == 0.5 and b["test_answer_max"] == 0.5
    assert math.isclose(b["uniform_pick_hit_rate"], (1 / 2 + 2 / 4) / 2)
    assert b["band_sizes"] == {"2-4": 2, "5-8": 0, "9-12": 0}
