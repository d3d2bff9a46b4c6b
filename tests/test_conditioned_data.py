"""Captioning scenes, BLEU, Karplus--Strong notes and μ-law coding: the claims of chapters 15 and 16."""

import numpy as np
import pytest

from lstm_course.bleu import corpus_bleu
from lstm_course.data import audio, shapes


def test_bleu_matches_the_hand_worked_example():
    # p1 = 5/6 (the second "the" is clipped), p2 = 3/5, p3 = 2/4, p4 = 1/3, equal lengths: BP = 1
    bleu = corpus_bleu(["the cat sat on the mat"], [["the cat sat on a mat"]])
    assert abs(bleu - (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25) < 1e-12


def test_bleu_brevity_penalty_and_clipping_against_several_references():
    assert abs(corpus_bleu(["the cat sat on"], [["the cat sat on a mat"]]) - np.exp(1 - 6 / 4)) < 1e-12
    # "the" x4 is clipped to the most any one reference has (2); closest reference length is 3 >= ... BP = 1
    assert abs(corpus_bleu(["the the the the"], [["the cat", "the the dog"]], max_n=1) - 2 / 4) < 1e-12


def test_bleu_sums_over_the_corpus_instead_of_averaging_sentences():
    cands, refs = ["a b c d", "a b x y"], [["a b c d"], ["a b c d"]]
    corpus = corpus_bleu(cands, refs)
    mean = np.mean([corpus_bleu([c], [r]) for c, r in zip(cands, refs)])
    assert corpus > 0 and abs(corpus - mean) > 0.05


def test_every_reference_caption_parses_back_to_its_scene():
    rng = np.random.default_rng(0)
    for heldout in (False, True):
        split = shapes.make_split(60, rng, heldout)
        assert {len(s.objects) for s in split.scenes} == {1, 2, 3}
        for scene, refs in zip(split.scenes, split.references):
            assert len(refs) >= 3 and all(shapes.parse_caption(c) == scene for c in refs)
            assert len(scene.relations) == len(scene.objects) - 1


def test_three_object_captions_relate_consecutive_objects_and_read_both_ways():
    A, B, C = (shapes.Shape("small", "red", "circle"), shapes.Shape("large", "blue", "square"),
               shapes.Shape("small", "green", "square"))
    scene = shapes.Scene((A, B, C), ("left", "above"))
    refs = shapes.captions(scene)
    assert refs[0] == "a small red circle to the left of a large blue square that is above a small green square"
    assert refs[2] == "a small green square below a large blue square that is to the right of a small red circle"


def test_malformed_captions_parse_to_none():
    for caption in ["", "a red circle", "a small red circle above", "a small red circle to the left of a",
                    "a small red circle above a large blue square below a small green square",
                    "a small red circle above a large blue square that is below a small green square",
                    "a small red circle that is above a large blue square",
                    "a small red circle above a large blue square that is above a small green square"
                    " that is above a small red square",
                    "a small red circle left of a large blue square", "a small red circle a large blue square"]:
        assert shapes.parse_caption(caption) is None, caption


def test_relations_between_consecutive_objects_hold_in_the_image():
    rng = np.random.default_rng(1)
    for relations in [("left",), ("above",), ("left", "left"), ("left", "above"), ("above", "left"),
                      ("above", "above")]:
        for _ in range(20):
            centres = shapes._positions(relations, rng)
            r = max(shapes.SIZES.values())
            assert np.all(centres >= r) and np.all(centres <= shapes.IMAGE_SIZE - r), "inside the image"
            for k, relation in enumerate(relations):
                along, across = (0, 1) if relation == "left" else (1, 0)
                d = centres[k + 1] - centres[k]
                assert d[along] >= 14 and abs(d[across]) <= 2, (relations, centres)


def test_held_out_combinations_appear_only_in_the_held_out_split():
    data = shapes.load_captioning(n_train=300, n_val=50, n_test=100, n_heldout=100)
    has = lambda scene: any((o.colour, o.shape) in shapes.HELD_OUT for o in scene.objects)
    assert not any(has(s) for name in ("train", "val", "test") for s in data[name].scenes)
    assert all(has(s) for s in data["heldout"].scenes)


def test_no_test_or_validation_scene_description_occurs_in_training():
    data = shapes.load_captioning(n_train=3000, n_val=300, n_test=600, n_heldout=50)
    seen = set(data["train"].scenes)
    for name in ("val", "test"):
        assert not any(scene in seen for scene in data[name].scenes), name
        assert {len(s.objects) for s in data[name].scenes} == {1, 2, 3}
    assert not set(data["val"].scenes) & set(data["test"].scenes)
    # and no caption a model could copy: no test reference is a training reference
    train_refs = {c for refs in data["train"].references for c in refs}
    assert not any(c in train_refs for refs in data["test"].references for c in refs)


def test_description_splits_partition_every_description():
    for n in (1, 2, 3):
        parts = shapes.split_of_descriptions(n)
        every = np.concatenate(list(parts.values()))
        assert len(every) == len(set(every.tolist())) == len(shapes.object_kinds()) ** n * 2 ** (n - 1)


def test_captioning_splits_are_seeded():
    a, b = shapes.load_captioning(20, 5, 5, 5, seed=3), shapes.load_captioning(20, 5, 5, 5, seed=3)
    assert np.array_equal(a["train"].images, b["train"].images) and a["test"].scenes == b["test"].scenes


def test_caption_ids_start_with_start_end_with_end_and_mask_the_padding():
    ids, mask = shapes.encode_captions(["a small red circle", "there is a large blue square"])
    assert ids[0].tolist() == [shapes.WORD_ID["<start>"]] * 2 and ids.shape == (8, 2)
    assert mask[:, 0].tolist() == [1] * 5 + [0] * 2
    assert shapes.decode_ids(ids[1:, 0]) == "a small red circle"


@pytest.mark.parametrize("N", [18, 30, 36])
def test_karplus_strong_pitch_is_sample_rate_over_n_plus_a_half(N):
    wave = audio.karplus_strong(N, 1600, np.random.default_rng(N))[0]
    assert abs(audio.measure_pitch(wave) - 8000 / (N + 0.5)) < 0.1  # Hz, not f_s / N
    assert abs(audio.measure_pitch(wave) - 8000 / N) > 2


def test_a_period_between_two_whole_lags_is_not_measured_an_octave_low():
    n = np.arange(1600)
    f0 = 8000 / 20.5  # G4's Karplus-Strong pitch: its autocorrelation peak is split over lags 20 and 21
    wave = sum(np.cos(2 * np.pi * k * f0 * n / 8000 + k * k) for k in range(1, 9))
    whole_lags = np.fft.irfft(np.abs(np.fft.rfft(wave, 3200)) ** 2)[:1600]
    assert np.argmax(whole_lags[13:54]) + 13 == 41, "on whole lags, twice the period is the highest peak"
    assert abs(audio.cents(audio.measure_pitch(wave), f0)) < 1


def test_the_highest_whole_lag_peak_measures_a_period_between_two_lags_an_octave_low():
    n = np.arange(1600)
    f0 = 8000 / 20.5
    wave = sum(np.cos(2 * np.pi * k * f0 * n / 8000 + k * k) for k in range(1, 9))
    assert audio.whole_lag_pitch(wave) == 8000 / 41  # twice the period, a whole lag
    assert abs(audio.whole_lag_pitch(np.cos(2 * np.pi * 400 * n / 8000)) - 400) < 1e-9  # a period of 20 is fine
    assert np.isnan(audio.whole_lag_pitch(np.zeros(200)))


def test_whole_lag_pitch_rejects_a_wave_no_longer_than_its_longest_period():
    with pytest.raises(ValueError, match="expected one wave longer than the longest period"):
        audio.whole_lag_pitch(np.ones(50))


def test_pitch_measurement_is_within_a_cent_on_real_decoded_notes_of_every_pitch():
    notes = audio.load_notes(n_train=6, n_val=1, n_samples=1600, seed=3)["train"]
    measured = [audio.measure_pitch(w) for w in audio.mu_law_decode(notes.codes)]
    assert np.all(np.abs(audio.cents(measured, audio.note_pitches()[notes.pitch])) < 1)


def test_mu_law_codes_cover_exactly_0_to_255_and_round_trip_within_one_bin():
    x = np.linspace(-1, 1, 20001)
    codes = audio.mu_law_encode(x)
    assert codes.min() == 0 and codes.max() == 255 and len(np.unique(codes)) == 256
    assert audio.mu_law_encode(0.0) == 128
    assert np.array_equal(audio.mu_law_encode(audio.mu_law_decode(np.arange(256))), np.arange(256)), "bin centres"
    back = audio.mu_law_decode(codes)
    assert np.max(np.abs(back - x)) < 0.03  # the widest bins are near |x| = 1


def test_cents_of_an_octave_and_a_semitone():
    assert abs(audio.cents(880, 440) - 1200) < 1e-9 and abs(audio.cents(440 * 2 ** (1 / 12), 440) - 100) < 1e-9


def test_notes_are_labelled_with_their_pitch_and_seeded():
    notes = audio.load_notes(n_train=2, n_val=1, n_samples=800)["train"]
    assert notes.codes.shape == (12, 800) and notes.codes.min() >= 0 and notes.codes.max() <= 255
    measured = [audio.measure_pitch(w) for w in notes.waves]
    assert np.all(np.abs(audio.cents(measured, audio.note_pitches()[notes.pitch])) < 5)


def test_pitch_measurement_rejects_a_wave_too_short_for_its_longest_period():
    with pytest.raises(ValueError, match="expected one wave of at least 174 samples"):
        audio.measure_pitch(np.ones(100))


def test_karplus_strong_rejects_a_delay_longer_than_the_note():
    with pytest.raises(ValueError, match="expected a delay N >= 2"):
        audio.karplus_strong(100, 50, np.random.default_rng(0))


def test_autocorrelation_peaks_sit_at_the_period_and_its_multiples_relative_to_lag_0():
    wave = np.sin(2 * np.pi * np.arange(1600) / 20.5)
    peaks = audio.autocorrelation_peaks(wave)
    assert np.min(np.abs(peaks[:, 0] - 20.5)) < 0.05 and np.min(np.abs(peaks[:, 0] - 41)) < 0.05
    assert np.all(peaks[:, 1] <= 1 + 1e-9) and np.max(peaks[:, 1]) > 0.9
    assert audio.autocorrelation_peaks(np.zeros(1600)).shape == (0, 2)


def test_high_band_share_is_near_0_for_a_low_tone_and_near_half_for_white_noise():
    t = np.arange(1600) / audio.SAMPLE_RATE
    noise = np.random.default_rng(0).normal(size=(1, 1600))
    shares = audio.high_band_share(np.vstack([np.sin(2 * np.pi * 300 * t), noise[0]]))
    assert shares.shape == (2,) and shares[0] < 1e-6 and 0.4 < shares[1] < 0.6  # 2 of the 4 kHz band
