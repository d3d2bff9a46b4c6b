"""``python -m lstm_course bench``: the JSON keys the book reads, the FLOP count, and bad input refused up front."""

import json

import pytest

torch = pytest.importorskip("torch")

from lstm_course import __main__ as cli
import sys  # noqa: E402
import pathlib as _pathlib

sys.path.insert(0, str(_pathlib.Path(__file__).parent))
from cli_helpers import run_cli  # noqa: E402
from lstm_course import bench




def test_lstm_flops_counts_forward_once_and_backward_twice():
    T, B, D, H = 3, 2, 5, 7
    forward = 2 * T * B * (D + H) * 4 * H
    assert bench.lstm_flops(T, B, D, H) == 3 * forward


def _in_process(name, T, B, D, H, dtype, device, repeats):
    return bench.time_implementation(name, T, B, D, H, dtype, device, repeats)


def test_bench_shape_reports_every_implementation_its_spread_and_the_ratios_the_book_reads():
    result = bench.bench_shape(4, 2, 3, 5, "float64", "cpu", repeats=2, peak=1.0, rounds=2, timer=_in_process)
    timed = set(bench.IMPLEMENTATIONS) - set(bench.FLOORS)
    assert set(result["ms"]) == timed and set(result["gemm_floor_ms"]) == {"numpy", "torch", "activations"}
    assert set(result["spread_ms"]) == set(bench.IMPLEMENTATIONS)
    for name, spread in result["spread_ms"].items():
        assert spread["min"] <= spread["median"] <= spread["max"], name
        assert len(result["round_ms"][name]) == 2, "one median per round"
    ms = result["ms"]
    assert result["numpy_fast_over_nn"] == pytest.approx(ms["numpy_fast"] / ms["nn"])
    assert result["numpy_fast_over_numpy_loop"] == pytest.approx(ms["numpy_fast"] / ms["numpy_loop"])
    assert result["twin_fast_over_twin_scratch"] == pytest.approx(ms["twin_fast"] / ms["twin_scratch"])
    assert result["numpy_fast_ws_over_floor"] == pytest.approx(ms["numpy_fast_ws"] / result["gemm_floor_ms"]["numpy"])
    assert result["twin_fast_over_floor"] == pytest.approx(ms["twin_fast"] / result["gemm_floor_ms"]["torch"])
    assert result["fraction_of_peak"] == result["gflops"], "with peak 1 GFLOP/s the fraction is the GFLOP/s"


def test_each_implementation_is_timed_in_a_fresh_process_and_numpy_ones_import_no_torch():
    timed = bench.time_in_fresh_process("numpy_fast", 3, 2, 3, 4, "float64", "cpu", 2)
    assert len(timed["ms"]) == 2 and all(t > 0 for t in timed["ms"])
    assert timed["page_faults"] is None or timed["page_faults"] >= 0
    import subprocess
    import sys as _sys

    probe = ("import sys; from lstm_course import bench; bench.time_implementation('numpy_loop', 3, 2, 3, 4, "
             "'float64', 'cpu', 1); print('torch' in sys.modules)")
    done = subprocess.run([_sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", "a NumPy implementation is timed without torch in its process"


def test_a_failing_child_process_is_one_clear_line():
    with pytest.raises(RuntimeError, match="failed in its own process") as error:
        bench.time_in_fresh_process("numpy_fast", 0, 2, 3, 4, "float64", "cpu", 1)
    assert "\n" not in str(error.value)


def test_an_unknown_implementation_is_refused_by_name():
    with pytest.raises(ValueError, match="implementation must be one of"):
        bench.implementation_call("numpy_fastest", 3, 2, 3, 4, "float64")


def test_cpu_kind_names_the_widest_vector_unit():
    assert bench.cpu_kind() in {"avx512", "avx2"} or bench.cpu_kind().isidentifier()


def test_nn_native_runs_torch_nn_without_onednn_and_restores_the_setting():
    seen = []
    call = bench._without_onednn(lambda: seen.append(torch.backends.mkldnn.enabled))
    before = torch.backends.mkldnn.enabled
    call()
    assert seen == [False] and torch.backends.mkldnn.enabled == before


def test_the_gemm_floor_makes_the_fast_paths_matrix_products_whose_flops_are_lstm_flops():
    T, B, D, H = 3, 2, 5, 4
    products = bench.fast_path_gemms(T, B, D, H, "float64")
    shapes = [(a.shape, b.shape, count) for a, b, count in products]
    assert shapes == [((T * B, D), (D, 4 * H), 1), ((B, H), (H, 4 * H), T), ((B, 4 * H), (4 * H, H), T),
                      ((T * B, 4 * H), (4 * H, D), 1), ((4 * H, T * B), (T * B, D), 1), ((4 * H, T * B), (T * B, H), 1)]
    flops = sum(2 * a.shape[0] * a.shape[1] * b.shape[1] * count for a, b, count in products)
    assert flops == bench.lstm_flops(T, B, D, H)
    for backend in ("numpy", "torch"):
        bench.gemm_floor_call(T, B, D, H, "float64", backend)()


def test_onednn_gemm_peak_is_a_positive_rate_or_none_without_onednn():
    peak = bench.onednn_gemm_peak_gflops(64, repeats=1)
    assert peak is None or peak > 0


def test_fast_backward_memory_grows_about_linearly_in_T():
    peaks = bench.fast_backward_memory(B=4, D=8, H=16)
    assert list(peaks) == ["100", "200", "400"]
    assert 1.6 < peaks["200"] / peaks["100"] < 2.4 and 1.6 < peaks["400"] / peaks["200"] < 2.4, peaks


@pytest.mark.parametrize("argv, expected", [
    (["bench", "--results", "x"], "--results applies with --save only"),
    (["bench", "--device", "cuda"] if not torch.cuda.is_available() else ["bench", "--results", "y"],
     "CUDA" if not torch.cuda.is_available() else "--results"),
    (["bench", "--rounds", "0"], "expected a whole number of rounds from 1 to 100; got '0'"),
    (["bench", "--rounds", "three"], "got 'three'"),
])
def test_bench_refuses_bad_arguments_with_one_error_line_before_any_work(capsys, argv, expected):
    status, out, err = run_cli(capsys, *argv)
    assert status == 2 and out == "", err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err


def test_bench_quick_never_replaces_a_saved_full_bench(capsys, tmp_path):
    full = {"experiment": f"bench-{bench.cpu_kind()}", "command": "python -m lstm_course bench --save",
            "quick": False, "metrics": {}}
    (tmp_path / f"bench-{bench.cpu_kind()}.json").write_text(json.dumps(full))
    status, _, err = run_cli(capsys, "bench", "--quick", "--save", "--results", str(tmp_path))
    assert status == 2 and "holds a full run" in err
    assert json.loads((tmp_path / f"bench-{bench.cpu_kind()}.json").read_text()) == full


def test_machine_names_the_cpu_and_which_blas_runs_which_kernels():
    info = bench.machine()
    assert set(info) == {"cpu", "torch_cpu_capability", "torch_blas", "numpy_blas", "openblas_core"}
    assert isinstance(info["torch_cpu_capability"], str) and info["numpy_blas"]
    assert all(value is None or isinstance(value, str) for value in info.values())


def test_rounds_reach_every_shape_and_the_record(monkeypatch):
    seen = []
    monkeypatch.setattr(bench, "_peak_in_fresh_process", lambda *a: {"gemm": {"float32": 1.0}, "onednn": None})
    monkeypatch.setattr(bench, "bench_shape", lambda *a, **k: seen.append(a[8]) or {})
    monkeypatch.setattr(bench, "fast_backward_memory", lambda: {})
    assert bench.run_bench(quick=True, rounds=5)["rounds"] == 5 and seen and set(seen) == {5}
    seen.clear()
    assert bench.run_bench(quick=True)["rounds"] == 1 and set(seen) == {1}


def test_the_record_keeps_the_variables_that_chose_the_blas_kernels(monkeypatch):
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")
    monkeypatch.delenv("OPENBLAS_L2_SIZE", raising=False)
    found = bench.blas_environment()
    assert found["OPENBLAS_CORETYPE"] == "Haswell" and found["OPENBLAS_L2_SIZE"] is None
    assert set(found) == set(bench.BLAS_VARIABLES)
