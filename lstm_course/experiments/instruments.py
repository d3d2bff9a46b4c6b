"""``python -m lstm_course run audio-instruments``: chapter 16's sample-level LSTM on recorded instruments.

The notes are played from the recordings of a General MIDI SoundFont (:mod:`lstm_course.realdata.instruments`)
at the chapter's six pitches, one second each at 8 kHz. The model is chapter 16's pitch-conditioned
sample-level LSTM (:class:`~lstm_course.models.audio.SampleLSTM`, with its per-pitch frame gain), told the
pitch and not the instrument. It trains on nine instruments and is scored on three it never heard (a banjo,
a vibraphone, a cello): bits per sample on their recordings, against the chapter's baselines fitted on the
same training notes, and the measured pitch of the notes it plays, for several seeds.
"""

import numpy as np

from ..data.audio import NOTE_NAMES, cents, measure_pitch, mu_law_decode
from ..models.audio import bits_per_sample
from ..realdata import instruments
from .audio import (_encoded, _generate, _train, bigram_bits, generated_pitch_figures, lpc_bits,
                    lpc_per_pitch_bits, unigram_bits)
from .running import one_thread

TRAIN_PROGRAMS = (0, 24, 46, 12, 40, 73, 68, 56, 71)  # piano, nylon guitar, harp, marimba, violin, flute, oboe,
HELD_OUT_PROGRAMS = (105, 11, 42)  # trumpet, clarinet; held out: banjo (plucked), vibraphone (struck), cello (bowed)
SCALE_HZ = tuple(440.0 * 2 ** ((key - 69) / 12) for key in instruments.SCALE_KEYS)  # equal temperament


def load(n_samples, seed=0, per_note=2):
    """``{"train", "held_out"}`` :class:`~lstm_course.realdata.instruments.Notes` of ``n_samples`` samples."""
    font = instruments.soundfont()
    rng = np.random.default_rng([seed, 2026])
    return {"train": instruments.notes(TRAIN_PROGRAMS, n_samples, rng, per_note=per_note, font=font),
            "held_out": instruments.notes(HELD_OUT_PROGRAMS, n_samples, rng, font=font)}


def _one_seed(seed, train, held_out, steps, batch_size, chunk, H, n_samples, per_pitch, device, progress):
    model, history = _train(True, train, steps, batch_size, chunk, H, seed, device, progress)
    pitch = np.repeat(np.arange(len(NOTE_NAMES)), per_pitch)
    codes = _generate(model, pitch, n_samples, seed, 1.0, device)
    figures, measured, error = generated_pitch_figures(codes, pitch, SCALE_HZ)
    return model, {
        "seed": seed, "held_out_bits_per_sample": bits_per_sample(model, held_out.codes, held_out.pitch, device),
        "train_bits_per_sample": bits_per_sample(model, train.codes, train.pitch, device),
        "final_train_loss_bits": float(np.mean(history["losses"][-50:])),
        "pitch_within_50_cents": figures["pitch_within_50_cents"],
        "median_pitch_error_cents": figures["median_pitch_error_cents"],
        "generated_error_cents": figures["generated_error_cents"],
        "generated": [{"pitch": NOTE_NAMES[pitch[i]], "index": int(i), "measured_hz": float(measured[i]),
                       "error_cents": float(error[i]), "codes_base64": _encoded(codes[i])}
                      for i in range(0, len(pitch), per_pitch)]}


@one_thread  # the model is small: more threads only contend
def run(quick=False, seed=0, device="cpu", progress=print, seeds=None):
    """Train on nine recorded instruments over ``seeds`` seeds; score on three held-out instruments.

    Parameters
    ----------
    quick : bool
        A smoke run: 0.1 s notes, 20 steps, one seed (its numbers say nothing).
    seed : int
        The first seed.
    device : str
    progress : callable
    seeds : int, optional
        How many seeds (3 in the full run).

    Returns
    -------
    dict
        ``held_out_bits_per_sample`` and ``pitch_within_50_cents`` per seed (``*_per_seed``), the baselines'
        bits per sample on the same held-out notes (unigram, bigram, linear prediction pooled and per pitch,
        all fitted on the training notes), the recordings' own measured pitch, and one generated note per
        pitch of the first seed (mu-law codes, base64) to listen to.
    """
    n_samples, steps, H, chunk, batch_size = (800, 20, 32, 100, 8) if quick else (8000, 1500, 128, 200, 32)
    seeds = seeds or (1 if quick else 3)
    data = load(n_samples, seed=0)
    train, held_out = data["train"], data["held_out"]
    progress(f"data: {len(train.pitch)} training notes of {len(TRAIN_PROGRAMS)} instruments, "
             f"{len(held_out.pitch)} held-out notes of {len(HELD_OUT_PROGRAMS)} others, {n_samples} samples each")
    recorded_error = np.abs(cents([measure_pitch(w) for w in mu_law_decode(held_out.codes)],
                                  np.asarray(SCALE_HZ)[held_out.pitch]))
    runs = []
    for s in range(seed, seed + seeds):
        progress(f"seed {s}")
        _, one = _one_seed(s, train, held_out, steps, batch_size, chunk, H, n_samples, 1 if quick else 4,
                           device, progress)
        runs.append(one)
    font = instruments.soundfont()
    return {
        "seeds": [r["seed"] for r in runs], "steps": steps, "hidden_size": H, "tbptt_chunk": chunk,
        "batch_size": batch_size, "samples_per_note": n_samples, "sample_rate": 8000, "torch_threads": 1,
        "train_instruments": [font.presets[p][0] for p in TRAIN_PROGRAMS],
        "held_out_instruments": [font.presets[p][0] for p in HELD_OUT_PROGRAMS],
        "train_notes": len(train.pitch), "held_out_notes": len(held_out.pitch),
        "conditioning": "one-hot pitch input and a per-pitch gain on each lag of the frame (FiLM); no instrument",
        "held_out_bits_per_sample_per_seed": [r["held_out_bits_per_sample"] for r in runs],
        "train_bits_per_sample_per_seed": [r["train_bits_per_sample"] for r in runs],
        "pitch_within_50_cents_per_seed": [r["pitch_within_50_cents"] for r in runs],
        "median_pitch_error_cents_per_seed": [r["median_pitch_error_cents"] for r in runs],
        "generated_notes_per_seed": 4 * len(NOTE_NAMES) if not quick else len(NOTE_NAMES),
        "unigram_bits_per_sample": unigram_bits(train.codes, held_out.codes),
        "bigram_bits_per_sample": bigram_bits(train.codes, held_out.codes),
        "lpc_bits_per_sample": lpc_bits(train.codes, held_out.codes),
        "lpc_per_pitch_bits_per_sample": lpc_per_pitch_bits(train, held_out), "lpc_order": 40,
        "recorded_held_out_pitch_within_50_cents": float(np.mean(recorded_error <= 50)),
        "recorded_held_out_max_pitch_error_cents": float(np.max(recorded_error)),
        "generated": runs[0]["generated"], "generated_error_cents_first_seed": runs[0]["generated_error_cents"]}
