"""Claims of chapter 17 (``17_making_it_fast``): which implementation is faster, across the benchmark's shapes.

``bench.json`` keeps one time per implementation and shape (the median of a block of repeats, the
best of a few rounds) and no spread, so no claim can be decided within one shape. What the record
can decide is a ratio *across shapes*: the geometric mean of one implementation's time over
another's, with a t interval over the shapes (a paired t-test on the log times). A shape is a
different problem, not a repeat, so the interval covers how the ratio varies between problems like
these; timing noise within a shape is not in it.
"""

import math

from lstm_course.evidence.claims import Evidence, claim, side
from lstm_course.evidence.protocol import paired_comparison


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


@claim("ch17-fast-path-beats-readable-over-shapes", "17_making_it_fast",
       "Across the benchmark's float32 shapes, the NumPy fast path takes less time than the readable NumPy "
       "path: in one timing run it is faster on every shape, but by so different factors that four shapes "
       "do not decide the mean ratio.",
       "inconclusive", "bench")
def _fast_path_beats_readable(records):
    return _ratio(records["bench"], "numpy_fast", "numpy_readable", "float32")


@claim("ch17-nn-faster-than-numpy-fast-path", "17_making_it_fast",
       "Across the benchmark's float32 shapes, torch.nn.LSTM (with oneDNN) takes less time than the NumPy fast "
       "path (one timing run).",
       "supported", "bench")
def _nn_faster_than_numpy_fast(records):
    return _ratio(records["bench"], "nn", "numpy_fast", "float32")


@claim("ch17-numpy-fast-path-beats-aten-loop", "17_making_it_fast",
       "Across the benchmark's float32 shapes, the NumPy fast path takes less time than torch.nn.LSTM without "
       "oneDNN (ATen's generic loop): faster on some shapes, about level on others, not decided (one timing run).",
       "inconclusive", "bench")
def _numpy_fast_beats_aten(records):
    return _ratio(records["bench"], "numpy_fast", "nn_native", "float32")
