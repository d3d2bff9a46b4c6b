"""Recorded instruments (chapter 16): the SoundFont reader plays each note at the pitch it was asked for,
the splits share no instrument, and the experiment's quick run reports the model and every baseline.

The reader's tests that need the real SoundFont skip without it (``make data``); its refusal of a file that
is not a SoundFont needs nothing.
"""

import numpy as np
import pytest

from lstm_course.data.audio import cents, measure_pitch
from lstm_course.realdata import cache, instruments

needs_font = pytest.mark.skipif(not cache.is_fetched(instruments.SOURCE),
                                reason="instruments is not fetched (make data)")


def test_a_file_that_is_not_a_soundfont_is_refused_in_one_line():
    with pytest.raises(ValueError, match=r"^not a SoundFont 2 file"):
        instruments.read_soundfont(b"RIFF\0\0\0\0WAVEfmt ")


def test_the_low_pass_keeps_what_the_new_rate_holds_and_removes_what_would_alias():
    t = np.arange(4000)
    below, above = np.sin(2 * np.pi * 0.05 * t), np.sin(2 * np.pi * 0.2 * t)
    kept = instruments.low_pass(below, 0.1)[200:-200]
    removed = instruments.low_pass(above, 0.1)[200:-200]
    assert abs(np.std(kept) / np.std(below[200:-200]) - 1) < 0.02, "a tone below the cutoff passes"
    assert np.std(removed) / np.std(above[200:-200]) < 0.01, "a tone above it is down by 40 dB or more"


@needs_font
def test_every_instrument_plays_every_scale_note_within_20_cents_of_its_pitch():
    font = instruments.soundfont()
    errors = {}
    for program in instruments.INSTRUMENTS:
        for key in instruments.SCALE_KEYS:
            wave = instruments.play(font, program, key, 1600)
            assert wave.shape == (1600,) and np.all(np.abs(wave) <= 1)
            errors[(program, key)] = float(cents(measure_pitch(wave), 440 * 2 ** ((key - 69) / 12)))
    worst = max(errors, key=lambda k: abs(errors[k]))
    assert abs(errors[worst]) <= 20, f"program {worst[0]}, key {worst[1]}: {errors[worst]:.0f} cents"


@needs_font
def test_a_key_an_instrument_has_no_recording_for_is_refused():
    font = instruments.soundfont()
    program = next(p for p, (_, zones) in font.presets.items() if zones and min(z.keys[0] for z in zones) > 0)
    with pytest.raises(ValueError, match=f"program {program} has no recording for key 0"):
        instruments.play(font, program, 0, 10)


@needs_font
def test_notes_are_scaled_to_their_drawn_level_and_labelled():
    notes = instruments.notes((0, 40), 400, np.random.default_rng(0), per_note=2)
    assert notes.waves.shape == (24, 400) and notes.codes.max() <= 255
    peaks = np.abs(notes.waves).max(axis=1)
    assert np.all((peaks >= 0.5 - 1e-12) & (peaks <= 0.9 + 1e-12))
    assert list(notes.program[:12]) == [0] * 12 and list(notes.pitch[:4]) == [0, 0, 1, 1]


def test_the_held_out_instruments_never_train():
    torch = pytest.importorskip("torch")  # noqa: F841
    from lstm_course.experiments import instruments as experiment

    assert not set(experiment.TRAIN_PROGRAMS) & set(experiment.HELD_OUT_PROGRAMS)
    assert set(experiment.TRAIN_PROGRAMS) | set(experiment.HELD_OUT_PROGRAMS) == set(instruments.INSTRUMENTS)
    kinds = {instruments.INSTRUMENTS[p] for p in experiment.HELD_OUT_PROGRAMS}
    assert kinds == {"plucked", "struck", "bowed"}, "one unheard instrument of each kind the chapter names"


@needs_font
def test_the_quick_run_reports_the_model_and_every_baseline():
    pytest.importorskip("torch")
    from lstm_course.experiments import run_experiment

    m = run_experiment("audio-instruments", quick=True, progress=lambda line: None)
    assert m["train_notes"] == 108 and m["held_out_notes"] == 18 and m["seeds"] == [0]
    for name in ("unigram", "bigram", "lpc", "lpc_per_pitch"):
        assert 0 < m[f"{name}_bits_per_sample"] <= 8
    assert len(m["held_out_bits_per_sample_per_seed"]) == 1 and len(m["generated"]) == 6
    assert m["recorded_held_out_pitch_within_50_cents"] >= 0.8, "the recordings themselves are in tune"
