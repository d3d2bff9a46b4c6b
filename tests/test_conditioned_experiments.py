"""The captioning and audio experiments: their models, metrics, baselines, and the JSON keys of the contract."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from lstm_course.data import audio, shapes
from lstm_course.experiments.audio import bigram_bits, lpc_bits, lpc_per_pitch_bits, unigram_bits, wilson_interval
from lstm_course.experiments.captioning import (attribute_accuracy, canonical_only, exact_match, example_rows,
                                                lookup_rate, nearest_captions, scores, shape_probe)
from lstm_course.models.audio import SampleLSTM
from lstm_course.models.captioning import CONDITIONINGS, Captioner, features_of, predict
from lstm_course.numpy_impl import init_state_forward


@pytest.mark.parametrize("conditioning", ["init", "every"])
def test_captioner_initial_state_is_the_numpy_conditioned_h0(conditioning):
    torch.manual_seed(0)
    model = Captioner(conditioning).double().eval()  # "every" starts from the same h0, then adds the features
    features = torch.randn(3, 128, dtype=torch.float64)
    h0, c0 = model.start(features)
    ours = init_state_forward(features.numpy(), model.img.weight.detach().numpy(), model.img.bias.detach().numpy())
    assert np.allclose(h0[0].detach().numpy(), ours, rtol=0, atol=1e-12) and not c0.any()


@pytest.mark.parametrize("conditioning", CONDITIONINGS)
def test_captioner_logits_depend_on_the_image(conditioning):
    torch.manual_seed(0)
    model = Captioner(conditioning).eval()
    split = shapes.make_split(2, np.random.default_rng(0))
    ids, _ = shapes.encode_captions([refs[0] for refs in split.references])
    logits = model(torch.as_tensor(split.images), torch.as_tensor(ids[:-1]))
    assert logits.shape == (ids.shape[0] - 1, 2, len(shapes.VOCAB))
    assert (logits[:, 0] - logits[:, 1]).abs().amax(dim=1).min() > 0, "the two images differ at every step"
    assert len(model.greedy(torch.as_tensor(split.images))) == 2


def test_captioner_rejects_an_unknown_conditioning():
    with pytest.raises(ValueError, match="conditioning must be 'init', 'input' or 'every'; got 'every-step'"):
        Captioner("every-step")


def test_every_step_decoder_reads_the_features_beside_every_word():
    torch.manual_seed(0)
    model = Captioner("every").eval()
    features, ids = torch.randn(2, 128), torch.tensor([[1, 4], [5, 6], [7, 2]])
    x = model.inputs(ids, features)
    assert x.shape == (3, 2, 32 + 128)
    assert torch.equal(x[:, :, :32], model.embed(ids)) and all(torch.equal(x[t, :, 32:], features) for t in range(3))
    assert Captioner("init").inputs(ids, features).shape == (3, 2, 32), "only 'every' widens the input"


@pytest.mark.parametrize("conditioning", CONDITIONINGS)
def test_step_by_step_decoding_gives_the_teacher_forced_logits(conditioning):
    torch.manual_seed(0)
    model = Captioner(conditioning).double().eval()
    images = torch.as_tensor(shapes.make_split(2, np.random.default_rng(5)).images, dtype=torch.float64)
    ids = torch.randint(0, len(shapes.VOCAB), (6, 2))
    with torch.no_grad():
        whole = model(images, ids)
        features = model.features(images)
        state = model.start(features)
        for t in range(6):  # the loop greedy decoding runs, one token at a time
            h, state = model.lstm(model.inputs(ids[t:t + 1], features), state)
            assert torch.allclose(model.readout(h)[0], whole[t], rtol=0, atol=1e-12), t


def test_attribute_accuracy_scores_slots_and_counts_unparsable_captions_wrong():
    A, B = shapes.Shape("small", "red", "circle"), shapes.Shape("large", "blue", "square")
    scenes = [shapes.Scene((A,), ()), shapes.Scene((A, B), ("left",))]
    captions = ["a small red square", "a large blue square to the right of a small red circle"]
    acc = attribute_accuracy(captions, scenes)
    assert acc["shape"] == 2 / 3 and acc["colour"] == 1 and acc["relation"] == 1
    assert exact_match(captions, scenes) == 0.5
    assert attribute_accuracy(["nonsense", "a red"], scenes)["colour"] == 0


def test_attribute_accuracy_scores_each_relation_of_a_three_object_scene():
    A, B, C = (shapes.Shape("small", "red", "circle"), shapes.Shape("large", "blue", "square"),
               shapes.Shape("small", "green", "square"))
    scene = shapes.Scene((A, B, C), ("left", "above"))
    wrong_second = shapes.captions(shapes.Scene((A, B, C), ("left", "left")))[0]
    acc = attribute_accuracy([wrong_second], [scene])
    assert acc["relation"] == 0.5 and acc["shape"] == 1 and exact_match([wrong_second], [scene]) == 0


def test_scores_report_exact_match_per_number_of_objects_and_single_shape_scenes():
    split = shapes.make_split(30, np.random.default_rng(2))
    captions = [refs[0] if len(s.objects) != 2 else "nonsense" for s, refs in zip(split.scenes, split.references)]
    result = scores(captions, split)
    assert result["exact_match_by_objects"] == {"1": 1.0, "2": 0.0, "3": 1.0}
    assert result["attribute_accuracy_single_shape"]["shape"] == 1.0


def test_lookup_rate_counts_single_objects_named_with_a_shape_training_showed_alone():
    alone = shapes.Shape("small", "red", "triangle")
    circle, square = shapes.Shape("small", "red", "circle"), shapes.Shape("large", "blue", "square")
    train = [shapes.Scene((alone,), ()), shapes.Scene((circle, square), ("left",))]
    scenes = [shapes.Scene((circle,), ())] * 3 + [shapes.Scene((circle, square), ("left",))]
    captions = ["a small red triangle", "a small red circle", "nonsense", "a small red triangle"]
    assert lookup_rate(captions, scenes, train) == 0.5, "one of the two parsed single-object captions"
    assert lookup_rate(captions[3:], scenes[3:], train) is None


class _ConstantFeatures(torch.nn.Module):
    def features(self, images):
        return torch.ones(len(images), 4)


def test_shape_probe_is_at_chance_on_features_that_say_nothing_and_restores_training_mode():
    assert shape_probe(_ConstantFeatures(), n_per_kind=20) <= 0.5, "the most common shape, squares, is 2 in 5"
    torch.manual_seed(0)
    model = Captioner("every")
    assert 0 <= shape_probe(model, n_per_kind=2) <= 1 and model.training


def test_examples_show_successes_and_failures_half_each_where_possible():
    assert example_rows([True, False] * 10, n=4) == [0, 1, 2, 3]
    assert example_rows([False] * 3 + [True] * 10, n=6) == [0, 1, 2, 3, 4, 5]
    assert example_rows([True] * 2 + [False] * 10, n=6) == [0, 1, 2, 3, 4, 5]
    assert example_rows([False] * 5, n=12) == [0, 1, 2, 3, 4]


def test_canonical_only_keeps_the_first_reference_and_the_images():
    split = shapes.make_split(4, np.random.default_rng(3))
    canon = canonical_only(split)
    assert [refs for refs in canon.references] == [refs[:1] for refs in split.references]
    assert canon.images is split.images


def test_features_of_matches_the_features_predict_returns():
    torch.manual_seed(0)
    model = Captioner("init")
    images = shapes.make_split(5, np.random.default_rng(4)).images
    captions, features = predict(model, images, batch_size=2)
    assert len(captions) == 5 and np.allclose(features_of(model, images, batch_size=3), features, atol=1e-6)


def test_nearest_captions_returns_the_closest_training_caption():
    split = shapes.make_split(3, np.random.default_rng(1))
    features = np.eye(3)
    assert nearest_captions(features, split, features[[2, 0]] + 0.1) == [split.references[2][0],
                                                                         split.references[0][0]]


def test_audio_baselines_order_on_a_predictable_signal():
    notes = audio.load_notes(n_train=4, n_val=1, n_samples=400)
    bits = [f(notes["train"].codes, notes["val"].codes) for f in (unigram_bits, bigram_bits, lpc_bits)]
    assert all(0 < b < 8.1 for b in bits)
    assert bits[2] < bits[0], "the last 40 samples help"


def test_a_linear_predictor_per_pitch_beats_one_fitted_to_all_pitches():
    notes = audio.load_notes(n_train=4, n_val=1, n_samples=400)
    pooled = lpc_bits(notes["train"].codes, notes["val"].codes)
    assert 0 < lpc_per_pitch_bits(notes["train"], notes["val"]) < pooled


def test_lpc_per_pitch_of_one_pitch_is_lpc_on_that_pitch_alone():
    notes = audio.load_notes(n_train=3, n_val=1, n_samples=400)
    one = [audio.Notes(*(field[s.pitch == 2] for field in s)) for s in (notes["train"], notes["val"])]
    assert lpc_per_pitch_bits(*one) == lpc_bits(one[0].codes, one[1].codes)


def test_lpc_per_pitch_rejects_a_validation_pitch_without_training_notes():
    notes = audio.load_notes(n_train=2, n_val=1, n_samples=400)
    train = audio.Notes(*(field[notes["train"].pitch != 0] for field in notes["train"]))
    with pytest.raises(ValueError, match="expected training notes for every validation pitch"):
        lpc_per_pitch_bits(train, notes["val"])


def test_wilson_interval_of_22_in_24_and_its_edges():
    low, high = wilson_interval(22, 24)
    assert abs(low - 0.7415) < 1e-3 and abs(high - 0.9768) < 1e-3
    assert wilson_interval(0, 10)[0] == 0 and abs(wilson_interval(10, 10)[1] - 1) < 1e-12
    with pytest.raises(ValueError, match="expected 0 <= successes <= n"):
        wilson_interval(5, 4)


def test_pitch_condition_reaches_every_step_and_changes_the_prediction():
    torch.manual_seed(0)
    model = SampleLSTM(6, H=16).eval()
    codes = torch.randint(0, 256, (50, 1))
    a, _ = model(codes, torch.tensor([0]))
    b, _ = model(codes, torch.tensor([5]))
    assert (a - b).abs().amax(dim=(1, 2)).min() > 0


def test_frame_gain_starts_at_zero_and_scales_each_lag_of_the_frame_per_pitch():
    torch.manual_seed(0)
    model = SampleLSTM(6, H=16, context=5).eval()
    assert model.frame_gain.shape == (6, 5) and not model.frame_gain.detach().any()
    codes = torch.randint(0, 256, (20, 1))
    window = model.windows(codes)
    changed = window.clone()
    changed[..., 3] += 0.5  # a different value at lag 4
    with torch.no_grad():
        model.frame_gain[0, 3] = -1.0  # pitch 0 ignores lag 4; pitch 1 still reads it
    same = [torch.equal(model(codes, torch.tensor([p]), None, window)[0],
                        model(codes, torch.tensor([p]), None, changed)[0]) for p in (0, 1)]
    assert same == [True, False]


def test_without_film_the_frame_gain_is_not_trained():
    model = SampleLSTM(6, H=8, film=False)
    assert not model.frame_gain.requires_grad and not model.frame_gain.detach().any()


def test_audio_run_without_film_trains_no_frame_gain():
    from lstm_course.experiments.audio import run
    metrics = run(quick=True, progress=lambda message: None, film=False)
    assert metrics["conditioning"] == "one-hot pitch input only"
    assert not np.any(metrics["frame_gain"])


def test_drift_is_the_second_halfs_pitch_error_less_the_first_halfs():
    from lstm_course.experiments.audio import generated_pitch_figures
    rng = np.random.default_rng(0)
    g4, d4 = (audio.karplus_strong(audio.delay_for(f), 800, rng)[0] for f in (392.0, 293.66))
    codes = audio.mu_law_encode(np.stack([np.concatenate([g4, d4]), np.concatenate([g4, g4])]))
    figures, measured, error = generated_pitch_figures(codes, np.array([4, 4]))  # both asked for G4
    expected = audio.cents(audio.note_pitches()[2], audio.note_pitches()[4])  # D4 below G4, about -509
    assert abs(figures["drift_cents"][0] - expected) < 2 and abs(figures["drift_cents"][1]) < 2
    assert abs(figures["first_half_error_cents"][0]) < 2 and figures["pitch_within_50_cents"] == 0.5
    assert measured.shape == error.shape == (2,)


def test_sample_lstm_windows_hold_the_last_samples_newest_first():
    model = SampleLSTM(6, H=8, context=3)
    codes = torch.tensor([[10], [20], [30]])
    w = model.windows(codes)[:, 0]
    v = model.values
    assert torch.equal(w[2], torch.stack([v[30], v[20], v[10]])) and torch.equal(w[0, 1:], torch.zeros(2))


def test_generation_matches_the_teacher_forced_windows():
    torch.manual_seed(0)
    model = SampleLSTM(6, H=8, context=5).eval()
    codes = model.generate(torch.tensor([1, 4]), 12, torch.Generator().manual_seed(0))
    assert codes.shape == (2, 12) and codes.min() >= 0 and codes.max() <= 255


def _run_quick(name):
    out = subprocess.run([sys.executable, "-m", "lstm_course", "run", name, "--quick"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_captioning_quick_run_reports_the_contract_keys():
    metrics = _run_quick("captioning")
    for key in ("attribute_accuracy", "exact_match", "bleu4", "bleu4_nearest_neighbour",
                "exact_match_heldout_combinations"):
        assert key in metrics, key
    assert set(metrics["attribute_accuracy"]) >= {"shape", "colour", "size", "relation"}


def test_audio_quick_run_reports_the_contract_keys():
    metrics = _run_quick("audio")
    for key in ("val_bits_per_sample", "unigram_bits_per_sample", "bigram_bits_per_sample", "lpc_bits_per_sample",
                "lpc_per_pitch_bits_per_sample", "pitch_within_50_cents", "median_pitch_error_cents"):
        assert isinstance(metrics[key], float), key
    assert len(metrics["generated_error_cents"]) == len(metrics["generated_pitch"]) == metrics["generated_notes"]
    assert np.array(metrics["frame_gain"]).shape == (6, metrics["context"])
    assert metrics["frame_gain_parameters"] == 6 * metrics["context"] < metrics["parameters"]
    assert len(metrics["generated_high_band_share_last_quarter"]) == metrics["generated_notes"]
    ablation = metrics["ablation_no_film"]
    assert ablation["conditioning"] == "one-hot pitch input only" and ablation["steps"] == metrics["steps"]
    for key in ("val_bits_per_sample", "pitch_within_50_cents", "median_pitch_error_cents"):
        assert isinstance(ablation[key], float), key
    for key in ("generated_error_cents", "first_half_error_cents", "second_half_error_cents", "drift_cents"):
        assert len(ablation[key]) == len(metrics[key]) == metrics["generated_notes"], key
