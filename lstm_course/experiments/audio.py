"""Sample-level LSTM on plucked notes against unigram, bigram and linear-prediction baselines; pitch of generated notes."""

import base64
import time

import numpy as np
import torch

from ..data.audio import (MU, NOTE_NAMES, cents, high_band_share, load_notes, measure_pitch, mu_law_decode,
                          note_pitches)
from ..models.audio import START, SampleLSTM, bits_per_sample, with_start
from .running import one_thread

Q = MU + 1
# How far a rerun of the full run on another CPU may move each headline metric (absolute), for `reproduce`:
# 3 seed-to-seed sd of book/results/audio-seeds.json (lstm_course.experiments.seeds.tolerances, seeds 0-3 on an
# AVX2 CPU: 0.0849 and 0.368), rounded up to 2 significant digits; tests/test_evidence_seeds.py checks them.
# (Seed 0 on an AVX-512 and on an AVX2 CPU gave pitch rates of 0.917 and 0.75: training is chaotic.)
TOLERANCES = {"val_bits_per_sample": 0.085, "pitch_within_50_cents": 0.37}


def unigram_bits(train, val, alpha=1.0):
    """Bits per sample of ``val`` codes under the (add-alpha) histogram of ``train`` codes."""
    p = np.bincount(train.ravel(), minlength=Q) + alpha
    return float(-np.mean(np.log2(p / p.sum())[val.ravel()]))


def bigram_bits(train, val, alpha=0.1):
    """Bits per sample under p(code | previous code), add-alpha, each note starting from silence."""
    counts = np.full((Q, Q), alpha)
    ids = with_start(train)  # (n + 1, B)
    np.add.at(counts, (ids[:-1].ravel(), ids[1:].ravel()), 1)
    logp = np.log2(counts / counts.sum(axis=1, keepdims=True))
    v = with_start(val)
    return float(-np.mean(logp[v[:-1], v[1:]]))


def _lagged(x, p):
    """(B, n) waves -> (B * n, p) matrix of the p previous samples (zeros before the note)."""
    padded = np.concatenate([np.zeros((x.shape[0], p)), x], axis=1)
    return np.stack([padded[:, p - j:p - j + x.shape[1]] for j in range(1, p + 1)], axis=-1).reshape(-1, p)


def _lpc_code_logprob(train, val, p, floor):
    """log2 probability of every ``val`` code (B * n,) under an AR(p) fitted on the ``train`` codes (see :func:`lpc_bits`)."""
    x_train, x_val = mu_law_decode(train), mu_law_decode(val)
    coef, *_ = np.linalg.lstsq(_lagged(x_train, p), x_train.ravel(), rcond=None)
    residuals = np.sort(x_train.ravel() - _lagged(x_train, p) @ coef)
    companded = (np.arange(Q + 1) - 0.5) / MU * 2 - 1  # bin edges in F(x)
    edges = np.sign(companded) * np.expm1(np.abs(companded) * np.log1p(MU)) / MU
    edges[0], edges[-1] = -np.inf, np.inf
    predictions = _lagged(x_val, p) @ coef  # (B * n,)
    codes = val.ravel()
    cdf = lambda e: np.searchsorted(residuals, e) / len(residuals)
    prob = cdf(edges[codes + 1] - predictions) - cdf(edges[codes] - predictions)
    return np.log2((1 - floor) * prob + floor / Q)


def lpc_bits(train, val, p=40, floor=1e-3):
    """Bits per sample of an AR(p) predictor fitted by least squares on the decoded training codes.

    ``train`` (B_train, n) and ``val`` (B_val, n) are μ-law codes. The
    training residuals' empirical distribution, centred on each
    prediction, is integrated over every μ-law bin (edges half-way between
    codes in the companded domain) to give the 256 code probabilities; a
    ``floor`` share of uniform probability keeps every code possible. One
    predictor for all the notes: it is not told their pitch.
    """
    return float(-np.mean(_lpc_code_logprob(train, val, p, floor)))


def lpc_per_pitch_bits(train, val, p=40, floor=1e-3):
    """Bits per sample of :func:`lpc_bits` with one AR(p) predictor per pitch: a baseline that knows the pitch.

    ``train`` and ``val`` are :class:`~lstm_course.data.audio.Notes`. For
    each pitch, the predictor and its residual distribution are fitted on
    that pitch's training notes only and scored on that pitch's validation
    notes; the result is the mean over all validation samples (each pitch
    weighted by its number of notes).
    """
    missing = sorted(set(np.unique(val.pitch)) - set(np.unique(train.pitch)))
    if missing:
        raise ValueError(f"expected training notes for every validation pitch; got none for pitch {missing}")
    logp = [_lpc_code_logprob(train.codes[train.pitch == k], val.codes[val.pitch == k], p, floor)
            for k in np.unique(val.pitch)]
    return float(-np.mean(np.concatenate(logp)))


def wilson_interval(successes, n, z=1.96):
    """The Wilson score interval ``(low, high)`` for a proportion ``successes / n`` (z = 1.96: 95%).

    It covers the sampling of the ``n`` trials only (here, of generated
    notes from one trained model), not the variation between training runs.
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"expected 0 <= successes <= n and n > 0; got successes = {successes}, n = {n}")
    p = successes / n
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z / (1 + z ** 2 / n) * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2))
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))  # clipped: rounding at 0 and n


def train_sample_lstm(model, notes, steps, batch_size, chunk, rng, lr=3e-3, device="cpu", progress=print):
    """Adam over truncated BPTT: each batch of notes in chunks of ``chunk`` samples, the state carried, gradients cut."""
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    ids_all = with_start(notes.codes)  # (n + 1, N)
    n, step, losses, start = ids_all.shape[0] - 1, 0, [], time.perf_counter()
    while step < steps:
        rows = rng.integers(0, ids_all.shape[1], batch_size)
        ids = torch.as_tensor(ids_all[:, rows], device=device)
        pitch = torch.as_tensor(notes.pitch[rows], device=device)
        state, windows = None, model.windows(ids[:-1])  # (n, B, context)
        for t in range(0, n, chunk):
            logits, state = model(ids[t:t + chunk], pitch, state, windows[t:t + chunk])
            state = tuple(s.detach() for s in state)  # carry the values, cut the gradient
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, Q), ids[t + 1:t + chunk + 1].reshape(-1))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            losses.append(loss.item() / np.log(2))
            step += 1
            if step % max(1, steps // 10) == 0:
                progress(f"  step {step}/{steps}: {np.mean(losses[-50:]):.3f} bits/sample")
            if step >= steps:
                break
    return {"losses": losses, "seconds": time.perf_counter() - start}


def generated_pitch_figures(codes, pitch, pitches_hz=None):
    """How well generated notes ``codes`` (B, n) hit their requested pitches ``pitch`` (B,) (indices into NOTE_NAMES).

    ``pitches_hz`` (6,) is the frequency of each index: by default the
    Karplus--Strong strings' (:func:`~lstm_course.data.audio.note_pitches`);
    recorded instruments pass the equal-tempered scale.

    Each note is measured whole and by halves
    (:func:`~lstm_course.data.audio.measure_pitch`), in
    cents from its string's pitch; the drift is the second half's error less
    the first half's (negative: the note went flat as it went on). A note
    too quiet to measure counts as missed (error ``inf``, ``None`` in the lists).

    Returns
    -------
    figures : dict
        ``pitch_within_50_cents``, ``median_pitch_error_cents`` (of the
        absolute errors), ``median_drift_cents`` (over the notes whose halves
        both measure, ``None`` if none), and per note, rounded to 0.1 cent:
        ``generated_error_cents``, ``first_half_error_cents``,
        ``second_half_error_cents``, ``drift_cents``.
    measured : np.ndarray
        (B,) the measured pitch of each whole note in Hz.
    error : np.ndarray
        (B,) absolute error in cents, ``inf`` where unmeasurable.
    """
    scale = note_pitches() if pitches_hz is None else np.asarray(pitches_hz, dtype=float)
    waves, target = mu_law_decode(codes), scale[np.asarray(pitch)]
    half = waves.shape[1] // 2
    measured = np.array([measure_pitch(w) for w in waves])
    signed = cents(measured, target)
    first = cents([measure_pitch(w[:half]) for w in waves], target)
    second = cents([measure_pitch(w[half:]) for w in waves], target)
    drift = second - first
    error = np.where(np.isfinite(signed), np.abs(signed), np.inf)
    finite = drift[np.isfinite(drift)]
    rounded = lambda values: [round(float(v), 1) if np.isfinite(v) else None for v in values]
    figures = {"pitch_within_50_cents": float(np.mean(error <= 50)), "median_pitch_error_cents": float(np.median(error)),
               "median_drift_cents": float(np.median(finite)) if len(finite) else None,
               "generated_error_cents": rounded(signed), "first_half_error_cents": rounded(first),
               "second_half_error_cents": rounded(second), "drift_cents": rounded(drift)}
    return figures, measured, error


def _generate(model, pitch, n_samples, seed, temperature, device):
    generator = torch.Generator(device=device).manual_seed(seed)
    return model.generate(torch.as_tensor(pitch, device=device), n_samples, generator, temperature)


def _encoded(codes):
    return base64.b64encode(np.asarray(codes).astype(np.uint8).tobytes()).decode()


@one_thread  # the model is small: more threads only contend
def run(quick=False, seed=0, device="cpu", progress=print, **options):
    """``python -m lstm_course run audio``: the pitch-conditioned sample-level LSTM against its baselines.

    Trains the model with the per-pitch frame gain (FiLM) and, as an
    ablation under ``"ablation_no_film"``, the same model without it (the
    pitch reaching it only as a one-hot input), on the same data, steps and
    seed; both generate the same notes from the same seed and are measured
    the same way (:func:`generated_pitch_figures`). ``film=False`` (an
    option, not on the command line) makes the one-hot-only model the main
    one, with no ablation.
    """
    film = bool(options.get("film", True))
    return _run(quick, seed, device, progress, film=film, ablation=film)


def _train(film, train, steps, batch_size, chunk, H, seed, device, progress):
    """One SampleLSTM trained from the same seed (initial weights and batch draws) whatever ``film``."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = SampleLSTM(len(NOTE_NAMES), H=H, film=film).to(device)
    history = train_sample_lstm(model, train, steps, batch_size, chunk, rng, device=device, progress=progress)
    return model, history


def _run(quick, seed, device, progress, film=True, ablation=False):
    n_train, steps, H = (8, 20, 64) if quick else (48, 1500, 128)
    n_samples, chunk, batch_size = (800, 100, 16) if quick else (1600, 200, 32)
    data = load_notes(n_train=n_train, n_val=2 if quick else 6, n_samples=n_samples, seed=seed)
    train, val = data["train"], data["val"]
    progress(f"data: {len(train.pitch)} training and {len(val.pitch)} validation notes of {n_samples} samples")
    real_error = np.abs(cents([measure_pitch(w) for w in mu_law_decode(val.codes)], note_pitches()[val.pitch]))
    model, history = _train(film, train, steps, batch_size, chunk, H, seed, device, progress)
    metrics = {"val_bits_per_sample": bits_per_sample(model, val.codes, val.pitch, device),
               "unigram_bits_per_sample": unigram_bits(train.codes, val.codes),
               "bigram_bits_per_sample": bigram_bits(train.codes, val.codes),
               "lpc_bits_per_sample": lpc_bits(train.codes, val.codes),
               "lpc_per_pitch_bits_per_sample": lpc_per_pitch_bits(train, val),
               "lpc_order": 40, "context": model.context, "steps": steps, "hidden_size": H, "tbptt_chunk": chunk,
               "conditioning": ("one-hot pitch input and a per-pitch gain on each lag of the frame (FiLM)" if film
                                else "one-hot pitch input only"),
               "torch_threads": 1,
               "train_notes": len(train.pitch), "val_notes": len(val.pitch), "samples_per_note": n_samples,
               "sample_rate": 8000, "final_train_bits_per_sample": float(np.mean(history["losses"][-50:])),
               "real_val_notes_pitch_within_50_cents": float(np.mean(real_error <= 50)),
               "real_val_notes_max_pitch_error_cents": float(np.max(real_error)),
               "parameters": sum(p.numel() for p in model.parameters()),
               "frame_gain_parameters": model.frame_gain.numel(),
               "frame_gain": np.round(model.frame_gain.detach().cpu().numpy(), 3).tolist()}
    per_pitch = 1 if quick else 4
    pitch = np.repeat(np.arange(len(NOTE_NAMES)), per_pitch)
    for temperature in (1.0, 0.8):
        progress(f"generating at temperature {temperature}")
        codes = _generate(model, pitch, n_samples, seed, temperature, device)
        figures, measured, error = generated_pitch_figures(codes, pitch)
        suffix = "" if temperature == 1.0 else f"_temperature_{temperature}"
        metrics[f"pitch_within_50_cents{suffix}"] = figures["pitch_within_50_cents"]
        metrics[f"median_pitch_error_cents{suffix}"] = figures["median_pitch_error_cents"]
        if temperature == 1.0:
            metrics["generated_notes"] = len(pitch)
            metrics["generated_pitch"] = [NOTE_NAMES[k] for k in pitch]
            metrics.update((key, figures[key]) for key in ("generated_error_cents", "first_half_error_cents",
                                                           "second_half_error_cents", "drift_cents",
                                                           "median_drift_cents"))
            waves = mu_law_decode(codes)  # (notes, n_samples)
            metrics["generated_rms_by_quarter"] = np.round(np.sqrt(np.mean(
                waves.reshape(len(pitch), 4, -1) ** 2, axis=-1)), 4).tolist()
            metrics["generated_high_band_share_last_quarter"] = np.round(
                high_band_share(waves[:, -n_samples // 4:]), 5).tolist()  # energy above 2 kHz
            entry = lambda i: {"pitch": NOTE_NAMES[pitch[i]], "index": int(i), "measured_hz": float(measured[i]),
                               "error_cents": float(error[i]), "codes_base64": _encoded(codes[i])}
            metrics["generated"] = [entry(i) for i in range(0, len(pitch), per_pitch)]  # one note per pitch
            metrics["generated_misses"] = [entry(i) for i in np.flatnonzero(error > 50)[:3]]  # to hear what went wrong
    if ablation:
        progress("ablation: the same model without the frame gain (one-hot pitch input only)")
        plain, plain_history = _train(False, train, steps, batch_size, chunk, H, seed, device, progress)
        codes = _generate(plain, pitch, n_samples, seed, 1.0, device)
        figures, measured, _ = generated_pitch_figures(codes, pitch)
        metrics["ablation_no_film"] = {
            "conditioning": "one-hot pitch input only", "steps": steps, "seed": seed, "temperature": 1.0,
            "val_bits_per_sample": bits_per_sample(plain, val.codes, val.pitch, device),
            "final_train_bits_per_sample": float(np.mean(plain_history["losses"][-50:])),
            "generated_notes": len(pitch), "generated_pitch": [NOTE_NAMES[k] for k in pitch], **figures,
            "generated": [{"pitch": NOTE_NAMES[pitch[i]], "index": int(i), "measured_hz": float(measured[i]),
                           "codes_base64": _encoded(codes[i])} for i in range(0, len(pitch), per_pitch)]}
    return metrics
