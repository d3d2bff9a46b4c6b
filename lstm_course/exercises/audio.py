r"""Checkers for the audio chapter: the Karplus–Strong string, the frame update, and a harmonic's half-life.

- :func:`check_karplus_strong`: ``my_karplus_strong(burst, n_samples, rho) -> y``, eq. ``karplus-strong``:
  :math:`y[n] = \tfrac{\rho}{2}(y[n-N] + y[n-N-1])` after the burst :math:`y[0 \dots N-1]`;
- :func:`check_frame_update`: ``my_push(frame, code) -> frame``, the generation loop's update of the
  40-sample frame: the drawn code decoded and pushed in newest first, the oldest value dropped;
- :func:`check_half_life`: ``my_half_life(f, rho, sample_rate) -> periods``, how many periods of the string a
  harmonic at ``f`` Hz takes to lose half its amplitude, from the per-period gain
  :math:`\rho\,|\cos(\pi f / f_s)|`.
"""

import numpy as np

from ..data.audio import MU, mu_law_decode
from ._harness import Case, Hints, Mistake, check_function, shape_problem


def reference_karplus_strong(burst, n_samples, rho):
    """The plucked string (n_samples,): the burst (N,) first, then the damped two-point average one period back."""
    burst = np.asarray(burst, dtype=np.float64)
    N = len(burst)
    y = np.zeros(n_samples)
    y[:N] = burst
    for n in range(N, n_samples):
        y[n] = rho / 2 * (y[n - N] + (y[n - N - 1] if n > N else 0.0))  # y[-1] = 0: nothing before the burst
    return y


def _ks(burst, n_samples, rho, first, second, scale):
    burst = np.asarray(burst, dtype=np.float64)
    N = len(burst)
    y = np.zeros(n_samples)
    y[:N] = burst
    for n in range(N, n_samples):
        a = y[n - first]
        b = y[n - second] if n - second >= 0 else 0.0
        y[n] = scale(rho) * (a + b)
    return y


def _lags_n_minus_1(burst, n_samples, rho):
    return _ks(burst, n_samples, rho, len(burst), len(burst) - 1, lambda r: r / 2)


def _no_damping(burst, n_samples, rho):
    return reference_karplus_strong(burst, n_samples, 1.0)


def _not_halved(burst, n_samples, rho):
    return _ks(burst, n_samples, rho, len(burst), len(burst) + 1, lambda r: r)


def _one_lag(burst, n_samples, rho):
    return _ks(burst, n_samples, rho, len(burst), len(burst), lambda r: r / 2)


def _burst_overwritten(burst, n_samples, rho):
    y = np.zeros(n_samples)
    y[:len(burst)] = burst
    N = len(burst)
    for n in range(n_samples):  # from 0: the burst is replaced by averages of the (still empty) end
        y[n] = rho / 2 * (y[n - N] + y[n - N - 1])
    return y


KS_MISTAKES = [
    Mistake("N instead of N+1 in the average (lags N-1 and N)", "you averaged y[n-N+1] and y[n-N]; the string "
            "averages the two samples one period back, y[n-N] and y[n-N-1] (that is what delays it by half a "
            "sample, f_0 = f_s / (N + 1/2)).", _lags_n_minus_1),
    Mistake("no damping", "rho is missing: multiply the average by rho (the loss per trip round the string), "
            "or the note decays only through the averaging.", _no_damping),
    Mistake("average not halved", "rho (a + b) is a sum, not an average: use rho / 2 (a + b); without the half, "
            "the string grows instead of decaying.", _not_halved),
    Mistake("one lag only (no averaging)", "you used y[n-N] twice (or alone): the two-point average of y[n-N] "
            "and y[n-N-1] is the low-pass filter that makes high harmonics die first.", _one_lag),
    Mistake("burst overwritten", "the first N samples are the burst itself: start the recursion at n = N, not "
            "at 0 (from 0, negative indices wrap to the end of the array and the burst is replaced).",
            _burst_overwritten),
]


def _ks_case(N, n_samples, rho, seed):
    burst = np.random.default_rng(seed).uniform(-0.8, 0.8, N)
    return burst - burst.mean(), n_samples, rho


KS_CASES = [Case("N = 5, 40 samples, rho = 0.99", _ks_case(5, 40, 0.99, 1)),
            Case("N = 12, 100 samples, rho = 0.9", _ks_case(12, 100, 0.9, 2))]

KS_HINTS = Hints(
    nudge="Eq. karplus-strong: the first N = len(burst) samples are the burst; every later sample looks one "
          "period back. Which two samples does it average, and where does rho enter?",
    formula="y[:N] = burst; for n = N, ..., n_samples - 1: y[n] = rho / 2 (y[n - N] + y[n - N - 1]), "
            "with y[-1] = 0 (nothing before the burst).")


def check_karplus_strong(fn, report=print):
    """Check ``fn(burst (N,), n_samples, rho) -> y (n_samples,)``, eq. ``karplus-strong`` without clipping.

    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Karplus-Strong", arg_names=("burst", "n_samples", "rho"), cases=KS_CASES,
                          reference=reference_karplus_strong, mistakes=KS_MISTAKES, output_names=("y",),
                          check_output=lambda out, exp: shape_problem(out, exp, ["y"]), hints=KS_HINTS,
                          report=report)


def reference_push(frame, code):
    """frame (B, C) newest first, code (B,) int -> frame (B, C): decode(code) in front, the oldest dropped."""
    frame = np.asarray(frame, dtype=np.float64)
    return np.concatenate([mu_law_decode(code, MU)[:, None], frame[:, :-1]], axis=1)


FRAME_MISTAKES = [
    Mistake("newest last instead of first", "the frame is newest first (lag 1 in column 0): put the new value "
            "in front and drop the last column, not the other way round.",
            lambda frame, code: np.concatenate([np.asarray(frame)[:, 1:], mu_law_decode(code, MU)[:, None]], 1)),
    Mistake("code pushed without decoding", "the frame holds decoded values in [-1, 1], as in training; push "
            "mu_law_decode(code), not the code (0 to 255) itself.",
            lambda frame, code: np.concatenate([np.asarray(code, dtype=float)[:, None], np.asarray(frame)[:, :-1]],
                                               1)),
    Mistake("frame not shifted", "you wrote the new value over column 0 and kept the rest: every older value "
            "must move one lag back (column j to j + 1), the oldest dropping out.",
            lambda frame, code: np.concatenate([mu_law_decode(code, MU)[:, None], np.asarray(frame)[:, 1:]], 1)),
    Mistake("companding not inverted", "2 code / mu - 1 is F(x), the companded value; invert it too: "
            "mu_law_decode(code).",
            lambda frame, code: np.concatenate([(2 * np.asarray(code) / MU - 1)[:, None],
                                                np.asarray(frame)[:, :-1]], 1)),
]


def _frame_case(B, C, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-0.5, 0.5, (B, C)), rng.integers(0, MU + 1, B)


FRAME_CASES = [Case("B = 3, a frame of 6 lags", _frame_case(3, 6, 3)),
               Case("B = 2, a frame of 40 lags", _frame_case(2, 40, 4))]

FRAME_HINTS = Hints(
    nudge="The frame w_t holds the last C decoded samples, newest first (column 0 is one sample back). After a "
          "code is drawn, what must column 0 hold, and where does every older value go?",
    formula="new frame = [mu_law_decode(code), frame[:, 0], ..., frame[:, C - 2]]: the decoded value in column 0, "
            "the old columns 0..C-2 shifted one to the right, the oldest (column C - 1) dropped.")


def check_frame_update(fn, report=print):
    """Check ``fn(frame (B, C) newest first, code (B,) int) -> frame (B, C)``, the generation loop's update.

    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Frame update", arg_names=("frame", "code"), cases=FRAME_CASES,
                          reference=reference_push, mistakes=FRAME_MISTAKES, output_names=("frame",),
                          check_output=lambda out, exp: shape_problem(out, exp, ["frame"]), hints=FRAME_HINTS,
                          report=report)


def reference_half_life(f, rho, sample_rate):
    """Periods until a harmonic at ``f`` Hz has half its amplitude: ln(1/2) / ln(rho |cos(pi f / f_s)|)."""
    return float(np.log(0.5) / np.log(rho * abs(np.cos(np.pi * f / sample_rate))))


HALF_MISTAKES = [
    Mistake("2 pi instead of pi", "the two-point average scales a sinusoid of angular frequency "
            "omega = 2 pi f / f_s by |cos(omega / 2)| = |cos(pi f / f_s)|: the half-angle, not cos(2 pi f / f_s).",
            lambda f, rho, fs: float(np.log(0.5) / np.log(rho * abs(np.cos(2 * np.pi * f / fs))))),
    Mistake("damping rho forgotten", "each period multiplies the amplitude by rho as well as by the average's "
            "|cos(pi f / f_s)|.", lambda f, rho, fs: float(np.log(0.5) / np.log(abs(np.cos(np.pi * f / fs))))),
    Mistake("power instead of amplitude", "you found when the power (the amplitude squared) halves; the question "
            "is the amplitude: solve g^n = 1/2 for the per-period gain g, not g^(2n) = 1/2.",
            lambda f, rho, fs: float(np.log(0.5) / np.log((rho * np.cos(np.pi * f / fs)) ** 2))),
    Mistake("samples instead of periods", "the gain g applies once per period (one trip round the delay line), "
            "not once per sample; the answer is in periods.",
            lambda f, rho, fs: float(np.log(0.5) / np.log(rho * abs(np.cos(np.pi * f / fs)))
                                     * fs / f)),
]

HALF_CASES = [Case("the 10th harmonic of A3 (N = 36), rho = 0.998", (10 * 8000 / 36.5, 0.998, 8000)),
              Case("440 Hz at f_s = 16000, rho = 0.99", (440.0, 0.99, 16000))]

HALF_HINTS = Hints(
    nudge="Per period (one trip round the string) a harmonic at f is multiplied by a gain g: the damping rho "
          "times what the two-point average (y[n-N] + y[n-N-1]) / 2 does to a sinusoid of frequency f (try "
          "y[n] = exp(i omega n), omega = 2 pi f / f_s). After n periods the amplitude is g^n: solve g^n = 1/2.",
    formula="g = rho |cos(pi f / f_s)|, n = ln(1/2) / ln(g).")


def _number_problem(out, expected):
    value = np.asarray(out) if isinstance(out, (int, float, np.number, np.ndarray)) else None
    if value is None or value.shape != ():
        return "expected one number (the half-life in periods)"
    return None


def check_half_life(fn, report=print):
    """Check ``fn(f, rho, sample_rate) -> periods``, a Karplus–Strong harmonic's amplitude half-life.

    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Half-life of a harmonic", arg_names=("f", "rho", "sample_rate"),
                          cases=HALF_CASES, reference=reference_half_life, mistakes=HALF_MISTAKES,
                          output_names=("periods",), check_output=_number_problem, hints=HALF_HINTS,
                          report=report)
