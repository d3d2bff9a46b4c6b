"""How fast each LSTM of the package runs: forward plus full BPTT, against ``torch.nn.LSTM`` and a large GEMM.

:func:`run_bench` times five implementations of the same maths on a few
shapes: the NumPy reference (readable and fast path), the Torch twin
(readable and fast path, gradients through autograd) and ``torch.nn.LSTM``
(oneDNN on a CPU, cuDNN on a GPU). It also times a large matrix product, the
machine's practical peak, in the same process, so that every implementation's
GFLOP/s can be read as a fraction of what the machine can do.

Each implementation is timed in its own block (a warm-up call, then
``repeats`` calls, the median kept): NumPy and torch calls interleaved in one
loop slow each other down, because each library's idle BLAS threads keep
spinning while the other one works. A full run times every implementation in
three such blocks, spread over the run, and keeps the best block.
"""

import math
import statistics
import time
import tracemalloc

import numpy as np

SHAPES = [  # (T, B, D, H, dtype): the four shapes, then a large batch of our choice
    (50, 32, 65, 128, "float32"), (50, 32, 65, 128, "float64"), (100, 32, 64, 256, "float32"),
    (100, 1, 8, 32, "float32"), (50, 256, 65, 128, "float32"),
]
QUICK_SHAPES = [SHAPES[0], SHAPES[3]]
IMPLEMENTATIONS = ("numpy_readable", "numpy_fast", "twin_readable", "twin_fast", "nn")
MEMORY_T = (100, 200, 400)


def lstm_flops(T, B, D, H):
    """Multiply-adds x 2 of the GEMMs of forward plus backward: ``24 T B (D + H) H`` (elementwise work left out).

    The forward pass is ``2 T B (D + H) 4H``; the backward pass does twice that
    (``dZ W`` for the inputs and the state, ``dZ^T [x, h]`` for the weights).
    """
    return 24 * T * B * (D + H) * H


def _times_ms(call, repeats, sync):
    call()  # warm-up: allocator, BLAS threads, autograd graph caches
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        sync()
        times.append(1e3 * (time.perf_counter() - start))
    return times


def _median_ms(call, repeats, sync):
    return statistics.median(_times_ms(call, repeats, sync))


def gemm_peak_gflops(dtype, device, n, repeats):
    """GFLOP/s of an ``(n, n) @ (n, n)`` product, the practical peak.

    The best of ``repeats`` runs, and the better of NumPy (CPU) and torch: a
    peak is what the machine *can* do, so on a busy machine the fastest run is
    the one least disturbed.
    """
    import torch

    a = np.random.default_rng(0).normal(size=(n, n)).astype(dtype)
    t = torch.as_tensor(a, device=device)
    sync = (lambda: torch.cuda.synchronize()) if device == "cuda" else (lambda: None)
    best = min(_times_ms(lambda: t @ t, repeats, sync))
    if device == "cpu":
        best = min(best, *_times_ms(lambda: a @ a, repeats, sync))
    return 2 * n ** 3 / (best * 1e6)


def _callables(T, B, D, H, dtype, device):
    """``{implementation: call}``, each call one forward plus backward on the same data and parameters."""
    import torch

    from . import convert, numpy_impl, torch_impl
    from .params import init_lstm_params

    rng = np.random.default_rng(0)
    params = init_lstm_params(D, H, rng=rng, dtype=getattr(np, dtype))
    xs, d_out = (rng.normal(size=shape).astype(dtype) for shape in [(T, B, D), (T, B, H)])

    def numpy_call(forward, backward):
        return lambda: backward(d_out, None, None, forward(xs, params)[2])

    p = convert.to_tensors(params, device=device, requires_grad=True)
    xs_t = torch.tensor(xs, device=device, requires_grad=True)
    d_out_t = torch.tensor(d_out, device=device)
    module = convert.load_into(torch.nn.LSTM(D, H, dtype=getattr(torch, dtype)), params).to(device)

    def torch_call(forward):
        return lambda: torch.autograd.backward([forward(xs_t)[0]], [d_out_t])

    calls = {"twin_readable": torch_call(lambda x: torch_impl.lstm_forward(x, p)),
             "twin_fast": torch_call(lambda x: torch_impl.lstm_fast_forward(x, p)),
             "nn": torch_call(module)}
    if device == "cpu":
        calls = {"numpy_readable": numpy_call(numpy_impl.lstm_forward, numpy_impl.lstm_backward),
                 "numpy_fast": numpy_call(numpy_impl.lstm_fast_forward, numpy_impl.lstm_fast_backward), **calls}
    return calls


def bench_shape(T, B, D, H, dtype, device, repeats, peak, rounds=1):
    """Milliseconds, GFLOP/s and fraction of ``peak`` per implementation for one shape; see :func:`run_bench`.

    Each implementation is timed in ``rounds`` blocks of ``repeats`` calls; its
    time is the median of a block, the best block kept.
    """
    import torch

    sync = (lambda: torch.cuda.synchronize()) if device == "cuda" else (lambda: None)
    calls = _callables(T, B, D, H, dtype, device)
    ms = {name: math.inf for name in calls}
    for _ in range(rounds):  # blocks spread over time: a burst of load on a shared machine spoils one only
        for name, call in calls.items():
            ms[name] = min(ms[name], _median_ms(call, repeats, sync))
    flops = lstm_flops(T, B, D, H)
    gflops = {name: flops / (value * 1e6) for name, value in ms.items()}
    ratio = {f"{name}_over_nn": ms[name] / ms["nn"] for name in ("numpy_fast", "twin_fast") if name in ms}
    return {"name": f"T{T} B{B} D{D} H{H} {dtype}", "T": T, "B": B, "D": D, "H": H, "dtype": dtype,
            "ms": ms, **ratio, "gflop": flops / 1e9, "gflops": gflops,
            "fraction_of_peak": {name: value / peak for name, value in gflops.items()}}


def fast_backward_memory(B=32, D=65, H=128, lengths=MEMORY_T):
    """Peak MiB that NumPy allocates during one fast forward plus backward, per T (float32, one layer)."""
    from .numpy_impl import lstm_fast_backward, lstm_fast_forward
    from .params import init_lstm_params

    rng = np.random.default_rng(0)
    params = init_lstm_params(D, H, rng=rng, dtype=np.float32)
    peaks = {}
    for T in lengths:
        xs, d_out = (rng.normal(size=(T, B, s)).astype(np.float32) for s in (D, H))
        tracemalloc.start()
        lstm_fast_backward(d_out, None, None, lstm_fast_forward(xs, params)[2])
        peaks[str(T)] = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    return peaks


def run_bench(quick=False, device="cpu", progress=None):
    """Time every implementation on every shape, and the GEMM peak, in this one process.

    Parameters
    ----------
    quick : bool
        Two shapes, three repeats and a smaller GEMM, for notebooks and CI.
    device : {"cpu", "cuda"}
        Where the Torch implementations run; with ``"cuda"``, ``nn`` is cuDNN
        and the NumPy implementations are left out.
    progress : callable, optional

    Returns
    -------
    dict
        ``threads``, ``gemm_peak_gflops`` (per dtype), ``shapes`` (a list, each
        with ``ms``, ``numpy_fast_over_nn``, ``twin_fast_over_nn``, ``gflops`` and
        ``fraction_of_peak`` per implementation) and ``fast_backward_memory_mib``
        (peak MiB at T = 100, 200, 400).
    """
    import torch

    progress = progress or (lambda message: None)
    shapes, repeats, rounds, n = (QUICK_SHAPES, 3, 1, 1024) if quick else (SHAPES, 5, 3, 2048)
    peaks = {}
    for dtype in sorted({shape[4] for shape in shapes}):
        progress(f"GEMM peak, {dtype}")
        peaks[dtype] = gemm_peak_gflops(dtype, device, n, repeats)
    results = []
    for T, B, D, H, dtype in shapes:
        progress(f"T{T} B{B} D{D} H{H} {dtype}")
        results.append(bench_shape(T, B, D, H, dtype, device, repeats, peaks[dtype], rounds))
    progress("memory of the fast backward")
    return {"device": device, "threads": torch.get_num_threads(), "repeats": repeats, "rounds": rounds,
            "gemm_size": n, "gemm_peak_gflops": peaks, "shapes": results,
            "fast_backward_memory_mib": fast_backward_memory()}
