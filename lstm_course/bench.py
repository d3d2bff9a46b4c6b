"""How fast each LSTM of the package runs: forward plus full BPTT, against ``torch.nn.LSTM`` and a large GEMM.

:func:`run_bench` times the same maths on a few shapes: the NumPy reference
(readable and fast path), the Torch twin (readable and fast path, gradients
through autograd) and ``torch.nn.LSTM`` (oneDNN on a CPU, cuDNN on a GPU). On a
CPU it also times ``torch.nn.LSTM`` with oneDNN switched off (``nn_native``:
PyTorch's own C++ loop, whose matrix products go to the same BLAS as ours),
and the matrix products of our fast path alone (``gemm_floor_ms``): no
implementation built from those BLAS calls can be faster than that.

It also times a large matrix product, the machine's practical peak, in the
same process, so that every implementation's GFLOP/s can be read as a
fraction of what the machine can do: once through the BLAS that NumPy and
``torch.matmul`` call (``gemm_peak_gflops``), and on a CPU once through
oneDNN's own float32 GEMM (``onednn_gemm_peak_gflops``), which on some CPUs
uses wider vector units than the BLAS does.

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
import warnings

import numpy as np

from .records import machine  # noqa: F401  (re-exported: bench.machine() names the kernels)

SHAPES = [  # (T, B, D, H, dtype): the four shapes, then a large batch of our choice
    (50, 32, 65, 128, "float32"), (50, 32, 65, 128, "float64"), (100, 32, 64, 256, "float32"),
    (100, 1, 8, 32, "float32"), (50, 256, 65, 128, "float32"),
]
QUICK_SHAPES = [SHAPES[0], SHAPES[3]]
IMPLEMENTATIONS = ("numpy_readable", "numpy_fast", "twin_readable", "twin_fast", "nn", "nn_native")
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


def onednn_gemm_peak_gflops(n, repeats):
    """GFLOP/s of an ``(n, n) @ (n, n)`` float32 product through oneDNN (what ``torch.nn.LSTM`` uses on a CPU).

    Returns None where this PyTorch has no oneDNN (``torch.backends.mkldnn``).
    """
    import torch

    with warnings.catch_warnings():  # torch.utils.mkldnn defines TorchScript modules, a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        from torch.utils import mkldnn
    if not torch.backends.mkldnn.is_available():
        return None
    x = torch.as_tensor(np.random.default_rng(0).normal(size=(n, n)).astype(np.float32))
    with torch.no_grad():
        linear = mkldnn.to_mkldnn(torch.nn.Linear(n, n, bias=False))
        x = x.to_mkldnn()
        best = min(_times_ms(lambda: linear(x), repeats, lambda: None))
    return 2 * n ** 3 / (best * 1e6)


def fast_path_gemms(T, B, D, H, dtype):
    """The matrix products of one fast forward plus backward: a list of ``(a, b, count)``, ``a @ b`` done ``count`` times.

    The hoisted input projection ``(T B, D) @ (D, 4H)``, one ``(B, H) @ (H, 4H)``
    per step forward and one ``(B, 4H) @ (4H, H)`` per step backward, then
    ``d_xs``, ``dW_x`` and ``dW_h`` over all ``T B`` rows. Their FLOPs add up to
    :func:`lstm_flops`. The operands are random NumPy arrays of ``dtype``.
    """
    rng = np.random.default_rng(0)
    X, Hs = (rng.normal(size=(T * B, n)).astype(dtype) for n in (D, H))
    dZ = rng.normal(size=(T * B, 4 * H)).astype(dtype)
    W_x, W_h = (rng.normal(size=(4 * H, n)).astype(dtype) for n in (D, H))
    return [(X, W_x.T, 1), (Hs[:B], W_h.T, T), (dZ[:B], W_h, T), (dZ, W_x, 1), (dZ.T, X, 1), (dZ.T, Hs, 1)]


def gemm_floor_call(T, B, D, H, dtype, backend):
    """A call that makes exactly the products of :func:`fast_path_gemms`, and nothing else.

    ``backend`` is ``"numpy"`` (NumPy's BLAS) or ``"torch"`` (``torch.matmul``'s,
    on a CPU). Its time is a floor for any implementation built from these calls.
    """
    products = fast_path_gemms(T, B, D, H, dtype)
    if backend == "torch":
        import torch

        products = [(torch.as_tensor(a), torch.as_tensor(b), count) for a, b, count in products]

    def call():
        for a, b, count in products:
            for _ in range(count):
                a @ b

    return call


def _without_onednn(call):
    """``call`` run with oneDNN switched off: ``torch.nn.LSTM`` then takes PyTorch's own C++ loop."""
    import torch

    def native():
        enabled = torch.backends.mkldnn.enabled
        torch.backends.mkldnn.enabled = False
        try:
            return call()
        finally:
            torch.backends.mkldnn.enabled = enabled

    return native


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
                 "numpy_fast": numpy_call(numpy_impl.lstm_fast_forward, numpy_impl.lstm_fast_backward), **calls,
                 "nn_native": _without_onednn(torch_call(module))}
    return calls


def bench_shape(T, B, D, H, dtype, device, repeats, peak, rounds=1):
    """Milliseconds, GFLOP/s and fraction of ``peak`` per implementation for one shape; see :func:`run_bench`.

    Each implementation is timed in ``rounds`` blocks of ``repeats`` calls; its
    time is the median of a block, the best block kept.
    """
    import torch

    sync = (lambda: torch.cuda.synchronize()) if device == "cuda" else (lambda: None)
    calls = _callables(T, B, D, H, dtype, device)
    floors = {} if device != "cpu" else {backend: gemm_floor_call(T, B, D, H, dtype, backend)
                                         for backend in ("numpy", "torch")}
    ms, floor_ms = {name: math.inf for name in calls}, {name: math.inf for name in floors}
    for _ in range(rounds):  # blocks spread over time: a burst of load on a shared machine spoils one only
        for name, call in calls.items():
            ms[name] = min(ms[name], _median_ms(call, repeats, sync))
        for name, call in floors.items():
            floor_ms[name] = min(floor_ms[name], _median_ms(call, repeats, sync))
    flops = lstm_flops(T, B, D, H)
    gflops = {name: flops / (value * 1e6) for name, value in ms.items()}
    ratio = {f"{name}_over_{ref}": ms[name] / ms[ref]
             for ref in ("nn", "nn_native") for name in ("numpy_fast", "twin_fast") if name in ms and ref in ms}
    return {"name": f"T{T} B{B} D{D} H{H} {dtype}", "T": T, "B": B, "D": D, "H": H, "dtype": dtype,
            "ms": ms, **ratio, "gemm_floor_ms": floor_ms, "gflop": flops / 1e9, "gflops": gflops,
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
        ``machine`` (see :func:`lstm_course.records.machine`), ``threads``, ``gemm_peak_gflops`` (per
        dtype: the faster of NumPy's and torch's BLAS), ``onednn_gemm_peak_gflops``
        (float32, CPU; None on a GPU), ``shapes`` (a list, each with ``ms``,
        ``gflops`` and ``fraction_of_peak`` per implementation,
        ``numpy_fast_over_nn``, ``twin_fast_over_nn``, on a CPU also
        ``numpy_fast_over_nn_native``, ``twin_fast_over_nn_native`` and
        ``gemm_floor_ms`` per backend) and ``fast_backward_memory_mib`` (peak MiB
        at T = 100, 200, 400).
    """
    import torch

    progress = progress or (lambda message: None)
    shapes, repeats, rounds, n = (QUICK_SHAPES, 3, 1, 1024) if quick else (SHAPES, 5, 3, 2048)
    peaks = {}
    for dtype in sorted({shape[4] for shape in shapes}):
        progress(f"GEMM peak, {dtype}")
        peaks[dtype] = gemm_peak_gflops(dtype, device, n, repeats)
    onednn = onednn_gemm_peak_gflops(n, repeats) if device == "cpu" else None
    results = []
    for T, B, D, H, dtype in shapes:
        progress(f"T{T} B{B} D{D} H{H} {dtype}")
        results.append(bench_shape(T, B, D, H, dtype, device, repeats, peaks[dtype], rounds))
    progress("memory of the fast backward")
    return {"device": device, "machine": machine(), "threads": torch.get_num_threads(), "repeats": repeats,
            "rounds": rounds,
            "gemm_size": n, "gemm_peak_gflops": peaks, "onednn_gemm_peak_gflops": onednn, "shapes": results,
            "fast_backward_memory_mib": fast_backward_memory()}
