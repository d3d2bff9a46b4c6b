"""How fast each LSTM runs, forward plus full BPTT: ours, what a learner would write, ``torch.nn.LSTM``, and the GEMM floors.

:func:`run_bench` times the same maths on a few shapes:

- ours: the NumPy reference (readable path, fast path, and the fast path with
  a reused :class:`~lstm_course.workspace.Workspace`), and the Torch
  twin (readable and fast path, and the fast path with a workspace; gradients through autograd);
- the peers (:mod:`lstm_course.peers`): a CS231n-style NumPy loop and a
  d2l-style scratch LSTM in torch;
- ``torch.nn.LSTM`` (oneDNN on a CPU, cuDNN on a GPU), and on a CPU also
  with oneDNN switched off (``nn_native``: PyTorch's own C++ loop);
- the floors: exactly the matrix products of our fast path and nothing else,
  through NumPy's BLAS (``floor_numpy``) and through ``torch.matmul``
  (``floor_torch``). No implementation built from those products can be faster.

Each implementation runs in a fresh Python process of its own, as a learner
runs it: in one process the libraries disturb each other (an idle BLAS
thread pool keeps spinning while the other library works, and whichever ran
first leaves the allocator warm or cold for the next). A process makes one
warm-up call, then ``repeats`` timed ones. A full run makes three rounds, the
implementations in a new order each round, so that a burst of load on a
shared machine spoils one block, not one implementation. Every time is kept:
the record gives the minimum, median and maximum per implementation, and the
median of each round, so that a ratio can be read side by side, round by round.

A large matrix product, the machine's practical peak, is timed in a process
of its own too, so that every implementation's GFLOP/s can be read as a
fraction of what the machine can do.

``python -m lstm_course.bench IMPLEMENTATION T B D H DTYPE DEVICE REPEATS`` is
the child process: it prints the times as JSON on stdout.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
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
OURS = ("numpy_readable", "numpy_fast", "numpy_fast_ws", "twin_readable", "twin_fast", "twin_fast_ws")
PEERS = ("numpy_loop", "twin_scratch")  # lstm_course.peers: CS231n-style NumPy, d2l-style torch
NN = ("nn", "nn_native")
FLOORS = ("floor_numpy", "floor_torch", "floor_activations")
IMPLEMENTATIONS = OURS + PEERS + NN + FLOORS
NUMPY_ONLY = ("numpy_readable", "numpy_fast", "numpy_fast_ws", "numpy_loop", "floor_numpy", "floor_activations")  # no torch imported
CUDA_IMPLEMENTATIONS = ("twin_readable", "twin_fast", "twin_fast_ws", "twin_scratch", "nn")
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


def activations_floor_call(T, B, D, H, dtype):
    """A call that makes only the transcendental functions of one fast forward: T ``exp`` of ``(B, 4H)``, T ``tanh`` of ``(B, H)``.

    Every LSTM step needs a sigmoid or tanh of each of its ``4H`` pre-activations
    and a tanh of its ``H`` cells; the fast path computes the first from one
    ``exp`` (``lstm_course.numpy_impl.lstm_fast.direction_fast_forward``).
    Done block by block, in cache, with nothing else, this is what no NumPy
    implementation of the cell can avoid beyond its GEMMs (``D`` is unused).
    """
    rng = np.random.default_rng(0)
    z, c = rng.normal(size=(T, B, 4 * H)).astype(dtype), rng.normal(size=(T, B, H)).astype(dtype)
    z_out, c_out = np.empty((B, 4 * H), dtype=dtype), np.empty((B, H), dtype=dtype)

    def call():
        for t in range(T):
            np.exp(z[t], out=z_out)
            np.tanh(c[t], out=c_out)

    return call


def _numpy_problem(T, B, D, H, dtype):
    from .params import init_lstm_params

    rng = np.random.default_rng(0)
    params = init_lstm_params(D, H, rng=rng, dtype=getattr(np, dtype))
    xs, d_out = (rng.normal(size=shape).astype(dtype) for shape in [(T, B, D), (T, B, H)])
    return params, xs, d_out


def _numpy_call(name, T, B, D, H, dtype):
    """One forward plus backward of a NumPy implementation (no torch imported)."""
    from . import numpy_impl
    from .workspace import Workspace
    from .peers import stacked_loop

    if name == "floor_numpy":
        return gemm_floor_call(T, B, D, H, dtype, "numpy")
    if name == "floor_activations":
        return activations_floor_call(T, B, D, H, dtype)
    params, xs, d_out = _numpy_problem(T, B, D, H, dtype)
    if name == "numpy_loop":
        W_x, W_h, b = stacked_loop.stack_params(params[0]["forward"])
        h0 = np.zeros((B, H), dtype=dtype)

        def loop():
            _, caches = stacked_loop.loop_forward(xs, h0, h0, W_x, W_h, b)
            return stacked_loop.loop_backward(d_out, W_x, W_h, caches)

        return loop
    forward, backward = {"numpy_readable": (numpy_impl.lstm_forward, numpy_impl.lstm_backward)}.get(
        name, (numpy_impl.lstm_fast_forward, numpy_impl.lstm_fast_backward))
    workspace = Workspace() if name == "numpy_fast_ws" else None
    kwargs = {} if workspace is None else {"workspace": workspace}
    return lambda: backward(d_out, None, None, forward(xs, params, **kwargs)[2])


def _torch_call(name, T, B, D, H, dtype, device):
    """One forward plus backward of a torch implementation on ``device``."""
    import torch

    from . import convert, torch_impl
    from .peers import scratch_autograd

    if name == "floor_torch":
        return gemm_floor_call(T, B, D, H, dtype, "torch")
    params, xs, d_out = _numpy_problem(T, B, D, H, dtype)
    xs_t = torch.tensor(xs, device=device, requires_grad=True)
    d_out_t = torch.tensor(d_out, device=device)

    def through_autograd(forward):
        return lambda: torch.autograd.backward([forward(xs_t)[0]], [d_out_t])

    if name in ("nn", "nn_native"):
        module = convert.load_into(torch.nn.LSTM(D, H, dtype=getattr(torch, dtype)), params).to(device)
        call = through_autograd(module)
        return _without_onednn(call) if name == "nn_native" else call
    if name == "twin_scratch":
        gates = {g: tuple(t.to(device).detach().requires_grad_(True) for t in triple)
                 for g, triple in scratch_autograd.triples(params[0]["forward"]).items()}
        h0 = torch.zeros((B, H), dtype=xs_t.dtype, device=device)
        return through_autograd(lambda x: scratch_autograd.forward(x, h0, h0, gates))
    p = convert.to_tensors(params, device=device, requires_grad=True)
    if name == "twin_fast_ws":
        from .workspace import Workspace

        workspace = Workspace()
        return through_autograd(lambda x: torch_impl.lstm_fast_forward(x, p, workspace=workspace))
    forward = {"twin_readable": torch_impl.lstm_forward, "twin_fast": torch_impl.lstm_fast_forward}[name]
    return through_autograd(lambda x: forward(x, p))


def implementation_call(name, T, B, D, H, dtype, device="cpu"):
    """A call that makes one forward plus backward of implementation ``name`` (see ``IMPLEMENTATIONS``).

    Every implementation gets the same inputs, parameters and upstream
    gradient, drawn from ``default_rng(0)``; the NumPy ones import no torch.
    """
    if name not in IMPLEMENTATIONS:
        raise ValueError(f"implementation must be one of {', '.join(IMPLEMENTATIONS)}; got {name!r}")
    if name in NUMPY_ONLY:
        return _numpy_call(name, T, B, D, H, dtype)
    return _torch_call(name, T, B, D, H, dtype, device)


def time_implementation(name, T, B, D, H, dtype, device, repeats):
    """Milliseconds of ``repeats`` calls of ``name`` in this process, after one warm-up call.

    Returns
    -------
    dict
        ``ms`` (the list of times) and ``page_faults`` (minor page faults per
        timed call: fresh memory pages that the system had to map; None where
        ``resource`` is not available).
    """
    call = implementation_call(name, T, B, D, H, dtype, device)
    if device == "cuda":
        import torch

        sync = torch.cuda.synchronize
    else:
        sync = lambda: None  # noqa: E731
    try:
        import resource
    except ImportError:  # not on Windows
        resource = None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else None
    times = _times_ms(call, repeats, sync)
    faults = None if resource is None else (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / (
        repeats + 1)
    return {"ms": times, "page_faults": faults}


def time_in_fresh_process(name, T, B, D, H, dtype, device, repeats):
    """:func:`time_implementation` in a fresh Python process of its own; returns what it returns.

    The child inherits this environment (thread counts, ``OPENBLAS_CORETYPE``);
    it reports the BLAS threads it ran with.
    """
    return _child_process([name, T, B, D, H, dtype, device, repeats], f"timing {name} at T{T} B{B} D{D} H{H} {dtype}")


def _child_process(args, what):
    """Run ``python -m lstm_course.bench ARGS`` and return the JSON it prints; one-line RuntimeError if it fails."""
    command = [sys.executable, "-m", "lstm_course.bench", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"{what} failed in its own process: {last}")
    return json.loads(done.stdout)


def _spread(times):
    return {"min": min(times), "median": statistics.median(times), "max": max(times)}


def bench_shape(T, B, D, H, dtype, device, repeats, peak, rounds=1, timer=time_in_fresh_process, progress=None):
    """Times per implementation for one shape; see :func:`run_bench`.

    Each round runs every implementation once (``timer``: by default in a
    fresh process), in an order rotated by one each round.

    Returns
    -------
    dict
        ``ms`` (median of all times), ``spread_ms`` (min, median, max),
        ``round_ms`` (the median of each round, in round order), ``page_faults_per_call``
        (median over rounds), ``gemm_floor_ms`` (``numpy``, ``torch`` and ``activations``:
        :func:`activations_floor_call`), ``gflop``, ``gflops`` and ``fraction_of_peak``,
        and the ratios ``A_over_B`` of ``ms`` that the book reads.
    """
    names = [n for n in IMPLEMENTATIONS if device == "cpu" or n in CUDA_IMPLEMENTATIONS]
    times = {name: [] for name in names}
    round_ms = {name: [] for name in names}
    faults = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            if progress:
                progress(f"  round {r + 1}/{rounds}: {name}")
            block = timer(name, T, B, D, H, dtype, device, repeats)
            times[name] += block["ms"]
            round_ms[name].append(statistics.median(block["ms"]))
            faults[name].append(block["page_faults"])
    ms = {name: statistics.median(values) for name, values in times.items()}
    floors = {key.removeprefix("floor_"): ms.pop(key) for key in FLOORS if key in ms}
    flops = lstm_flops(T, B, D, H)
    gflops = {name: flops / (value * 1e6) for name, value in ms.items()}
    pairs = [(a, b) for b in ("nn", "nn_native") for a in ("numpy_fast", "twin_fast")]
    pairs += [("numpy_fast", "numpy_loop"), ("numpy_fast_ws", "numpy_loop"), ("twin_fast", "twin_scratch"),
              ("twin_fast_ws", "twin_scratch"), ("twin_fast_ws", "nn")]
    ratio = {f"{a}_over_{b}": ms[a] / ms[b] for a, b in pairs if a in ms and b in ms}
    ratio.update({f"{a}_over_floor": ms[a] / floors[backend] for a, backend in
                  (("numpy_fast", "numpy"), ("numpy_fast_ws", "numpy"), ("twin_fast", "torch"),
                   ("twin_fast_ws", "torch")) if a in ms
                  and backend in floors})
    return {"name": f"T{T} B{B} D{D} H{H} {dtype}", "T": T, "B": B, "D": D, "H": H, "dtype": dtype,
            "ms": ms, **ratio, "gemm_floor_ms": floors, "spread_ms": {name: _spread(v) for name, v in times.items()},
            "round_ms": round_ms, "page_faults_per_call": {name: None if None in v else statistics.median(v)
                                                           for name, v in faults.items()},
            "gflop": flops / 1e9, "gflops": gflops,
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


def cpu_kind():
    """The widest vector unit this CPU has, as the bench names its records: ``"avx512"``, ``"avx2"`` or the machine.

    Read from ``/proc/cpuinfo``'s flags (``avx512f``, ``avx2``); where there is
    no such file, ``platform.machine()`` (for example ``"arm64"``).
    """
    try:
        with open("/proc/cpuinfo") as info:
            flags = next((line.split(":", 1)[1].split() for line in info if line.startswith("flags")), [])
    except OSError:
        flags = []
    for flag, kind in (("avx512f", "avx512"), ("avx2", "avx2")):
        if flag in flags:
            return kind
    return platform.machine().lower() or "cpu"


def _peak_in_fresh_process(dtypes, device, n, repeats):
    return _child_process(["--peak", dtypes, device, n, repeats], "timing the GEMM peak")


BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                  "MKL_NUM_THREADS")


def blas_environment():
    """The environment variables that choose BLAS kernels and thread counts, as the bench's children see them.

    Returns
    -------
    dict
        ``{name: value or None}`` for each of ``BLAS_VARIABLES`` (None: not set, the library chooses).
    """
    return {name: os.environ.get(name) for name in BLAS_VARIABLES}


def run_bench(quick=False, device="cpu", progress=None, rounds=None):
    """Time every implementation on every shape, each in a fresh process, and the GEMM peak.

    Parameters
    ----------
    quick : bool
        Two shapes, one round of three repeats and a smaller GEMM: a smoke test.
    device : {"cpu", "cuda"}
        Where the torch implementations run; with ``"cuda"``, ``nn`` is cuDNN
        and the NumPy implementations, ``nn_native`` and the floors are left out.
    progress : callable, optional
    rounds : int, optional
        Rounds of timed calls per implementation and shape, each in a fresh process (default 3; 1 with
        ``quick``). Each round is one paired observation for the chapter's claims.

    Returns
    -------
    dict
        ``machine`` (see :func:`lstm_course.records.machine`), ``cpu_kind``,
        ``threads`` (torch's), ``blas_environment`` (:func:`blas_environment`), ``process``
        (``"fresh"``: one per implementation and round), ``gemm_peak_gflops``
        (per dtype), ``onednn_gemm_peak_gflops`` (float32, CPU; None on a GPU),
        ``shapes`` (a list, see :func:`bench_shape`) and
        ``fast_backward_memory_mib`` (peak MiB at T = 100, 200, 400).
    """
    import torch

    progress = progress or (lambda message: None)
    shapes, repeats, default_rounds, n = (QUICK_SHAPES, 3, 1, 1024) if quick else (SHAPES, 15, 3, 2048)
    rounds = rounds or default_rounds
    progress("GEMM peak")
    peaks = _peak_in_fresh_process(",".join(sorted({shape[4] for shape in shapes})), device, n, repeats)
    results = []
    for T, B, D, H, dtype in shapes:
        progress(f"T{T} B{B} D{D} H{H} {dtype}")
        results.append(bench_shape(T, B, D, H, dtype, device, repeats, peaks["gemm"][dtype], rounds,
                                   progress=progress))
    progress("memory of the fast backward")
    return {"device": device, "machine": machine(), "cpu_kind": cpu_kind(), "threads": torch.get_num_threads(),
            "process": "fresh", "repeats": repeats, "rounds": rounds, "blas_environment": blas_environment(),
            "gemm_size": n, "gemm_peak_gflops": peaks["gemm"], "onednn_gemm_peak_gflops": peaks["onednn"],
            "shapes": results, "fast_backward_memory_mib": fast_backward_memory()}


def _child(argv):
    """The child process: times one implementation (or the GEMM peak) and prints JSON on stdout."""
    if argv[0] == "--peak":
        dtypes, device, n, repeats = argv[1].split(","), argv[2], int(argv[3]), int(argv[4])
        onednn = onednn_gemm_peak_gflops(n, repeats) if device == "cpu" else None
        print(json.dumps({"gemm": {dtype: gemm_peak_gflops(dtype, device, n, repeats) for dtype in dtypes},
                          "onednn": onednn}))
        return
    name, T, B, D, H, dtype, device, repeats = argv
    print(json.dumps(time_implementation(name, int(T), int(B), int(D), int(H), dtype, device, int(repeats))))


if __name__ == "__main__":
    _child(sys.argv[1:])
