r"""Plucked-string notes, generated offline with the Karplus--Strong algorithm, and μ-law coding.

Karplus and Strong (1983) fill a delay line of N samples with a burst of noise
and then let every new sample be the average of two old ones:

.. math::
   y[n] = x[n] + \tfrac{\rho}{2}\,(y[n-N] + y[n-N-1]),

with :math:`x` the burst (the first N samples) and :math:`\rho \le 1` a loss
factor. The two-point average delays by half a sample, so the period is
:math:`N + \tfrac12` and the pitch :math:`f_0 = f_s / (N + \tfrac12)`; it also
damps high frequencies faster than low ones, which is what makes it sound plucked.

μ-law companding (as in WaveNet) maps :math:`x \in [-1, 1]` to
:math:`F(x) = \mathrm{sgn}(x)\ln(1 + \mu|x|)/\ln(1 + \mu)`, :math:`\mu = 255`,
then quantises :math:`F(x)` uniformly to 256 codes.
"""

from typing import NamedTuple

import numpy as np

SAMPLE_RATE = 8000
MU = 255
NOTE_NAMES = ("A3", "C4", "D4", "E4", "G4", "A4")  # the A minor pentatonic scale, one octave
SCALE_HZ = (220.0, 261.63, 293.66, 329.63, 392.0, 440.0)


class Notes(NamedTuple):
    waves: np.ndarray  # (N, n_samples) float in [-1, 1]
    codes: np.ndarray  # (N, n_samples) int, μ-law codes in [0, 255]
    pitch: np.ndarray  # (N,) int, index into NOTE_NAMES


def delay_for(frequency, sample_rate=SAMPLE_RATE):
    """The integer delay N whose Karplus--Strong pitch ``sample_rate / (N + 1/2)`` is nearest ``frequency``."""
    return int(round(sample_rate / frequency - 0.5))


def ks_pitch(N, sample_rate=SAMPLE_RATE):
    """The pitch in Hz of a Karplus--Strong string with delay N: ``sample_rate / (N + 1/2)``."""
    return sample_rate / (N + 0.5)


def karplus_strong(N, n_samples, rng, amplitude=0.8, loss=0.998, batch=1):
    r"""``batch`` plucked notes of delay ``N``: shape (batch, n_samples), values in [-1, 1].

    The burst is uniform noise with its mean removed, scaled to ``amplitude``;
    then :math:`y[n] = \tfrac{\rho}{2}(y[n-N] + y[n-N-1])`.
    """
    if N < 2 or n_samples <= N:
        raise ValueError(f"expected a delay N >= 2 shorter than the note; got N = {N}, n_samples = {n_samples}")
    y = np.zeros((batch, n_samples))
    burst = rng.uniform(-1, 1, (batch, N))
    y[:, :N] = amplitude * (burst - burst.mean(axis=1, keepdims=True))
    for n in range(N, n_samples):
        y[:, n] = 0.5 * loss * (y[:, n - N] + y[:, n - N - 1])  # y[-1] is 0 for n = N
    return np.clip(y, -1, 1)


def mu_law_encode(x, mu=MU):
    """Codes in ``[0, mu]`` of samples ``x`` in [-1, 1]: ``round((F(x) + 1) / 2 * mu)``."""
    x = np.clip(np.asarray(x, dtype=np.float64), -1, 1)
    companded = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    return np.floor((companded + 1) / 2 * mu + 0.5).astype(np.int64)


def mu_law_decode(codes, mu=MU):
    """Samples in [-1, 1] at the centres of the μ-law bins ``codes``: the inverse of :func:`mu_law_encode`."""
    y = 2 * np.asarray(codes, dtype=np.float64) / mu - 1
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(mu)) / mu


def measure_pitch(wave, sample_rate=SAMPLE_RATE, fmin=150.0, fmax=600.0, threshold=0.9, upsample=8):
    """The fundamental frequency (Hz) of ``wave`` (n_samples,), from its autocorrelation.

    The autocorrelation is computed from the power spectrum at every
    ``1/upsample`` of a sample (zero-padding the power spectrum gives the
    band-limited, trigonometric interpolation of the autocorrelation between
    whole lags, exact only for a periodic band-limited signal), so a period
    between two whole lags (20.5 samples, say) is not split over lags 20 and
    21. Its local maxima between the lags of ``fmax`` and ``fmin`` are
    refined with a parabola through three points (lag and height), and the
    period is the *shortest* lag whose height is at least ``threshold`` times
    the highest: twice the period is also a peak, and decay or noise can make
    it the highest, so taking the highest alone makes octave errors. For
    precision, the peak near the largest whole number of periods in the
    first third of the note is located the same way, and the pitch is that
    many periods over its lag. The peaks themselves:
    :func:`autocorrelation_peaks`.
    Returns ``nan`` for a silent wave.
    """
    x = np.asarray(wave, dtype=np.float64) - np.mean(wave)
    longest = int(np.ceil(sample_rate / fmin))
    if x.ndim != 1 or len(x) < 3 * (longest + 4):
        raise ValueError(f"expected one wave of at least {3 * (longest + 4)} samples (three of the longest "
                         f"period, {longest}); got shape {x.shape}")
    if not np.any(x):
        return float("nan")
    ac, peaks = _autocorrelation_peaks(x, sample_rate, fmin, fmax, upsample)
    if len(peaks) == 0:
        return float("nan")
    period = peaks[np.argmax(peaks[:, 1] >= threshold * peaks[:, 1].max()), 0]
    periods = max(1, int((len(x) // 3) * upsample / period))
    guess = int(round(periods * period))  # the periods-th peak lies within a few lags of this
    width = 3 * upsample
    lag, _ = _peak(ac, guess - width + int(np.argmax(ac[guess - width:guess + width + 1])))
    return float(sample_rate * periods * upsample / lag)


def _autocorrelation_peaks(x, sample_rate, fmin, fmax, upsample):
    """The interpolated autocorrelation of ``x`` (mean removed) and its refined peaks (lag in 1/upsample, height)."""
    power = np.abs(np.fft.rfft(x, 2 * len(x))) ** 2
    ac = np.fft.irfft(power, 2 * len(x) * upsample)[:len(x) * upsample]  # ac[j]: lag j / upsample
    lo, hi = int(sample_rate / fmax * upsample), int(np.ceil(sample_rate / fmin * upsample))
    k = np.arange(lo, hi + 1)
    maxima = k[(ac[k] >= ac[k - 1]) & (ac[k] >= ac[k + 1])]
    return ac, np.array([_peak(ac, m) for m in maxima]).reshape(-1, 2)  # (n_maxima, 2)


def autocorrelation_peaks(wave, sample_rate=SAMPLE_RATE, fmin=150.0, fmax=600.0, upsample=8):
    """The peaks of the interpolated autocorrelation that :func:`measure_pitch` chooses among.

    Parameters
    ----------
    wave : np.ndarray
        (n_samples,) one note; its mean is removed first.

    Returns
    -------
    np.ndarray
        (n_peaks, 2): the lag of each local maximum between the lags of
        ``fmax`` and ``fmin``, in samples (fractional, refined by a parabola),
        and its height relative to the autocorrelation at lag 0 (1 is a
        perfect repeat). Empty for a silent wave.
    """
    x = np.asarray(wave, dtype=np.float64) - np.mean(wave)
    if x.ndim != 1 or len(x) <= int(np.ceil(sample_rate / fmin)) + 1:
        raise ValueError(f"expected one wave longer than the longest period; got shape {x.shape}")
    if not np.any(x):
        return np.zeros((0, 2))
    ac, peaks = _autocorrelation_peaks(x, sample_rate, fmin, fmax, upsample)
    return peaks / np.array([upsample, ac[0]])


def whole_lag_pitch(wave, sample_rate=SAMPLE_RATE, fmin=150.0, fmax=600.0):
    """The naive pitch (Hz) of ``wave`` (n_samples,): ``sample_rate`` over the whole lag of the highest autocorrelation.

    The lag runs over the whole numbers from ``sample_rate / fmax`` to
    ``sample_rate / fmin``; there is no interpolation between lags and no
    preference for the shortest peak. It is here to show what
    :func:`measure_pitch` guards against: when the period falls between two
    whole lags (20.5 samples, say), its peak is split over both and the peak
    at twice the period (41) can be the highest, an octave too low.
    Returns ``nan`` for a silent wave.
    """
    x = np.asarray(wave, dtype=np.float64) - np.mean(wave)
    longest = int(np.ceil(sample_rate / fmin))
    if x.ndim != 1 or len(x) <= longest:
        raise ValueError(f"expected one wave longer than the longest period ({longest} samples); got shape {x.shape}")
    if not np.any(x):
        return float("nan")
    ac = np.fft.irfft(np.abs(np.fft.rfft(x, 2 * len(x))) ** 2)[:len(x)]  # ac[j]: lag j, whole samples
    lo = int(sample_rate / fmax)
    return float(sample_rate / (lo + np.argmax(ac[lo:longest + 1])))


def _peak(ac, k):
    """The lag and height of the maximum near index ``k``, from a parabola through three points."""
    a, b, c = ac[k - 1], ac[k], ac[k + 1]
    curvature = a - 2 * b + c
    if curvature >= 0:
        return float(k), float(b)
    offset = 0.5 * (a - c) / curvature
    return k + offset, b - 0.25 * (a - c) * offset


def high_band_share(waves, cutoff_hz=2000.0, sample_rate=SAMPLE_RATE):
    """The share of each wave's energy (mean removed) above ``cutoff_hz``: hiss shows here, a string's harmonics barely.

    Parameters
    ----------
    waves : np.ndarray
        (..., n_samples) one wave per row.

    Returns
    -------
    np.ndarray
        (...,) energy above ``cutoff_hz`` over all the energy, in [0, 1];
        ``nan`` for a silent wave.
    """
    x = np.asarray(waves, dtype=np.float64)
    x = x - x.mean(axis=-1, keepdims=True)
    power = np.abs(np.fft.rfft(x, axis=-1)) ** 2
    high = np.fft.rfftfreq(x.shape[-1], 1 / sample_rate) > cutoff_hz
    total = power.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, power[..., high].sum(axis=-1) / total, np.nan)


def cents(measured, requested):
    """How far ``measured`` is from ``requested`` in cents: ``1200 log2(measured / requested)``."""
    return 1200 * np.log2(np.asarray(measured) / np.asarray(requested))


def make_notes(n_per_pitch, n_samples, rng, sample_rate=SAMPLE_RATE):
    """``n_per_pitch`` notes of every pitch of the scale, amplitudes drawn from [0.5, 0.9]."""
    waves, pitch = [], []
    for k, frequency in enumerate(SCALE_HZ):
        N = delay_for(frequency, sample_rate)
        for _ in range(n_per_pitch):
            waves.append(karplus_strong(N, n_samples, rng, amplitude=rng.uniform(0.5, 0.9))[0])
            pitch.append(k)
    waves = np.stack(waves)
    return Notes(waves, mu_law_encode(waves), np.array(pitch))


def load_notes(n_train=48, n_val=6, n_samples=1600, seed=0):
    """Fixed, seeded splits ``{"train", "val"}`` of :class:`Notes` (per pitch: ``n_train`` and ``n_val`` notes)."""
    rng = np.random.default_rng([seed, 1983])
    return {"train": make_notes(n_train, n_samples, rng), "val": make_notes(n_val, n_samples, rng)}


def note_pitches(sample_rate=SAMPLE_RATE):
    """The Karplus--Strong pitch (Hz) of every note of the scale, after rounding its delay."""
    return np.array([ks_pitch(delay_for(f, sample_rate), sample_rate) for f in SCALE_HZ])
