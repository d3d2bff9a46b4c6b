"""Claims of chapter 17 (``17_making_it_fast``): which implementation is faster, on one shape and across shapes.

``bench-avx512-one-process.json`` is the earlier bench, run on an AVX-512 machine: one process, one time per
implementation and shape, no spread. What it can decide is a ratio *across shapes* (below).

``bench-avx2.json`` and ``bench-avx512.json`` (``python -m lstm_course bench --save`` on an AVX2 CPU, and
``bench --save --rounds 8`` on an AVX-512 one) time every implementation in a fresh process of its own,
in three and in eight rounds, and keep every time. Two kinds of evidence come from them:

- **Within a shape**, the rounds are the repeats: each round is a new process per implementation,
  so the paired t-test on the log times over rounds (round r of A against round r of B, run side
  by side) covers the run-to-run spread of the machine. Three rounds decide only large effects; eight,
  somewhat smaller ones.
- **Across shapes** (either record), the geometric mean of one implementation's time over another's, with a t
  interval over the shapes (a paired t-test on the log median times). A shape is a different
  problem, not a repeat, so that interval covers how the ratio varies between problems like these.
"""

import math

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import paired_comparison

SOURCE = "bench-avx2"  # every implementation in a fresh process, three rounds, the peers and the floors
SOURCE_512 = "bench-avx512"  # the same bench on an AVX-512 CPU
OLD = "bench-avx512-one-process"  # the earlier bench, on an AVX-512 machine: one process, one time per shape
MAIN = "T50 B32 D65 H128 float32"
GOALS = {"loop": 1.3, "scratch": 1.5, "floor": 1.1}  # issue 24: speed-ups over the peers, distance to the floor


def _ratio(bench, a, b, dtype=None):
    """Geometric-mean time ratio ``a / b`` over the shapes (of one ``dtype``), as Evidence against 1."""
    shapes = [s for s in bench["metrics"]["shapes"] if dtype is None or s["dtype"] == dtype]
    c = paired_comparison([math.log(s["ms"][a]) for s in shapes], [math.log(s["ms"][b]) for s in shapes])
    effect, low, high = (math.exp(c[k]) for k in ("effect", "low", "high"))
    where = f"{len(shapes)} {dtype} shapes" if dtype else f"{len(shapes)} shapes"
    return Evidence(side(low, high, line=1.0, favours="below"), effect, low, high,
                    f"time of {a} / time of {b}, geometric mean over {where}",
                    "paired t-test on log times over shapes (one timing run; no spread within a shape)",
                    len(shapes), "runs", c["p_value"])


def _rounds_ratio(bench, shape, a, b, line=1.0):
    """Time ratio ``a / b`` on one shape, round by round, as Evidence that it lies below ``line``.

    ``a`` and ``b`` are implementation names, a floor as ``floor_numpy`` or ``floor_torch``.
    """
    s = next(s for s in bench["metrics"]["shapes"] if s["name"] == shape)
    c = paired_comparison([math.log(t) for t in s["round_ms"][a]], [math.log(t) for t in s["round_ms"][b]])
    effect, low, high = (math.exp(c[k]) for k in ("effect", "low", "high"))
    return Evidence(side(low, high, line=line, favours="below"), effect, low, high,
                    f"time of {a} / time of {b} on {shape}, geometric mean over rounds",
                    "paired t-test on log times over rounds (each round a fresh process per implementation)",
                    c["n"], "runs", c["p_value"])


@claim("ch17-fast-path-beats-readable-over-shapes", "17_making_it_fast",
       "On the AVX-512 machine, across the benchmark's float32 shapes, the NumPy fast path takes less time than "
       "the readable NumPy path: in one timing run it is faster on every shape, but by so different factors that "
       "four shapes do not decide the mean ratio.",
       "inconclusive", OLD)
def _fast_path_beats_readable(records):
    return _ratio(records[OLD], "numpy_fast", "numpy_readable", "float32")


@claim("ch17-nn-faster-than-numpy-fast-path", "17_making_it_fast",
       "On the AVX-512 machine, across the benchmark's float32 shapes, torch.nn.LSTM (with oneDNN) takes less "
       "time than the NumPy fast path (one timing run).",
       "supported", OLD)
def _nn_faster_than_numpy_fast(records):
    return _ratio(records[OLD], "nn", "numpy_fast", "float32")


@claim("ch17-numpy-fast-path-beats-aten-loop", "17_making_it_fast",
       "On the AVX-512 machine, across the benchmark's float32 shapes, the NumPy fast path takes less time than "
       "torch.nn.LSTM without oneDNN (ATen's generic loop): faster on some shapes, about level on others, not "
       "decided (one timing run).",
       "inconclusive", OLD)
def _numpy_fast_beats_aten(records):
    return _ratio(records[OLD], "numpy_fast", "nn_native", "float32")


@claim("ch17-numpy-fast-beats-cs231n-loop", "17_making_it_fast",
       "On the main shape, the NumPy fast path with a workspace is at least 1.3 times as fast as a CS231n-style "
       "NumPy loop (its time at most 1/1.3 of the loop's).",
       "supported", SOURCE)
def _numpy_fast_beats_loop(records):
    return _rounds_ratio(records[SOURCE], MAIN, "numpy_fast_ws", "numpy_loop", line=1 / GOALS["loop"])


@claim("ch17-twin-fast-beats-d2l-scratch", "17_making_it_fast",
       "On the main shape, the Torch twin's fast path is at least 1.5 times as fast as a d2l-style scratch LSTM "
       "with autograd (its time at most 1/1.5 of the scratch LSTM's): faster in every round, but three rounds "
       "do not decide the factor 1.5.",
       "inconclusive", SOURCE)
def _twin_fast_beats_scratch(records):
    return _rounds_ratio(records[SOURCE], MAIN, "twin_fast", "twin_scratch", line=1 / GOALS["scratch"])


@claim("ch17-numpy-fast-within-floor", "17_making_it_fast",
       "On the main shape, the NumPy fast path with a workspace takes at most 1.1 times the time of its matrix "
       "products alone (the GEMM floor).",
       "contradicted", SOURCE)
def _numpy_fast_within_floor(records):
    return _rounds_ratio(records[SOURCE], MAIN, "numpy_fast_ws", "floor_numpy", line=GOALS["floor"])


@claim("ch17-numpy-fast-beats-nn-float64", "17_making_it_fast",
       "In float64 on the main shape, where torch.nn.LSTM does not use oneDNN, the NumPy fast path with a "
       "workspace takes less time than torch.nn.LSTM.",
       "supported", SOURCE)
def _numpy_fast_beats_nn_float64(records):
    return _rounds_ratio(records[SOURCE], "T50 B32 D65 H128 float64", "numpy_fast_ws", "nn")


# The same four goals on the AVX-512 CPU's record (bench-avx512.json), the same shape and the same tests.

@claim("ch17-numpy-fast-beats-cs231n-loop-avx512", "17_making_it_fast",
       "On the AVX-512 CPU, on the main shape, the NumPy fast path with a workspace is at least 1.3 times as "
       "fast as the CS231n-style NumPy loop.",
       "supported", SOURCE_512)
def _numpy_fast_beats_loop_512(records):
    return _rounds_ratio(records[SOURCE_512], MAIN, "numpy_fast_ws", "numpy_loop", line=1 / GOALS["loop"])


@claim("ch17-twin-fast-ws-beats-d2l-scratch-avx512", "17_making_it_fast",
       "On the AVX-512 CPU, on the main shape, the Torch twin's fast path with a workspace is at least 1.5 times "
       "as fast as the d2l-style scratch LSTM with autograd: faster in every round, but eight rounds on a noisy "
       "machine do not decide the factor 1.5.",
       "inconclusive", SOURCE_512)
def _twin_fast_beats_scratch_512(records):
    return _rounds_ratio(records[SOURCE_512], MAIN, "twin_fast_ws", "twin_scratch", line=1 / GOALS["scratch"])


@claim("ch17-numpy-fast-within-floor-avx512", "17_making_it_fast",
       "On the AVX-512 CPU, on the main shape, the NumPy fast path with a workspace takes at most 1.1 times the "
       "time of its matrix products alone.",
       "contradicted", SOURCE_512)
def _numpy_fast_within_floor_512(records):
    return _rounds_ratio(records[SOURCE_512], MAIN, "numpy_fast_ws", "floor_numpy", line=GOALS["floor"])


@claim("ch17-numpy-fast-beats-nn-float64-avx512", "17_making_it_fast",
       "On the AVX-512 CPU, in float64 on the main shape, the NumPy fast path with a workspace takes less time "
       "than torch.nn.LSTM.",
       "supported", SOURCE_512)
def _numpy_fast_beats_nn_float64_512(records):
    return _rounds_ratio(records[SOURCE_512], "T50 B32 D65 H128 float64", "numpy_fast_ws", "nn")


@claim("ch17-twin-fast-within-floor", "17_making_it_fast",
       "On the main shape, the Torch twin's fast path takes at most 1.1 times the time of its matrix products "
       "alone through torch (its GEMM floor).",
       "contradicted", SOURCE)
def _twin_fast_within_floor(records):
    return _rounds_ratio(records[SOURCE], MAIN, "twin_fast", "floor_torch", line=GOALS["floor"])


@claim("ch17-twin-fast-ws-within-floor-avx512", "17_making_it_fast",
       "On the AVX-512 CPU, on the main shape, the Torch twin's fast path with a workspace takes at most 1.1 times "
       "the time of its matrix products alone through torch.",
       "contradicted", SOURCE_512)
def _twin_fast_within_floor_512(records):
    return _rounds_ratio(records[SOURCE_512], MAIN, "twin_fast_ws", "floor_torch", line=GOALS["floor"])
