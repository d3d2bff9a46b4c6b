"""The checker of "Making it fast": it accepts the fused step and names each likely slip."""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.exercises import check_fused_lstm_step, check_lstm_flops
from lstm_course.exercises.fast import (FLOPS_MISTAKES, FUSED_STEP_MISTAKES, reference_fused_lstm_step,
                                        reference_lstm_flops)
from lstm_course.numpy_impl import lstm_step_forward
from lstm_course.numpy_impl.lstm_fast import fuse_gates


def test_fused_step_checker_accepts_the_reference():
    ok, text = run_checker(check_fused_lstm_step, reference_fused_lstm_step)
    assert ok, text


def test_reference_fused_step_equals_the_readable_step():
    rng = np.random.default_rng(0)
    p = {f"W_{g}": rng.normal(size=(3, 5)) for g in "fico"} | {f"b_{g}": rng.normal(size=3) for g in "fico"}
    x_t, h_prev, c_prev = rng.normal(size=(2, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    W_x, W_h, b = fuse_gates(p)
    fused = reference_fused_lstm_step(x_t @ W_x.T + b, h_prev, c_prev, W_h)
    readable = lstm_step_forward(x_t, h_prev, c_prev, p)[:2]
    assert all(np.allclose(a, b, atol=1e-12) for a, b in zip(fused, readable))


@pytest.mark.parametrize("mistake", FUSED_STEP_MISTAKES, ids=lambda m: m.name)
def test_fused_step_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_fused_lstm_step, mistake.fn)
    assert not ok and mistake.name in text, text


def test_fused_step_checker_never_raises_on_broken_code():
    def broken(zx_t, h_prev, c_prev, W_h):
        raise RuntimeError("boom")

    ok, text = run_checker(check_fused_lstm_step, broken)
    assert not ok and "boom" in text


def test_flops_checker_accepts_the_reference_which_is_what_bench_counts():
    from lstm_course.bench import lstm_flops

    ok, text = run_checker(check_lstm_flops, reference_lstm_flops)
    assert ok, text
    assert reference_lstm_flops(3, 2, 5, 7) == lstm_flops(3, 2, 5, 7)


@pytest.mark.parametrize("mistake", FLOPS_MISTAKES, ids=lambda m: m.name)
def test_flops_checker_names_each_mistake(mistake):
    ok, text = run_checker(check_lstm_flops, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("answer", [None, "24 T B (D+H) H", lambda T, B: 0, lambda T, B, D, H: 1 / 0])
def test_flops_checker_never_raises(answer):
    ok, text = run_checker(check_lstm_flops, answer)
    assert not ok and text
