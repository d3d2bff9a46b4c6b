"""Chapters 9 and 17: gate traces, the schedule and bench figures, and their four new checkers."""

import json
import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from conftest import run_checker  # noqa: E402
from lstm_course.exercises import (check_adding_success, check_answer, check_batched_weight_grads,  # noqa: E402
                                   check_gru_flops, check_no_forget_cell)
from lstm_course.exercises.choices import QUESTIONS  # noqa: E402
from lstm_course.exercises.fast_grads import (BATCHED_GRADS_MISTAKES, GRU_FLOPS_MISTAKES,  # noqa: E402
                                              reference_batched_weight_grads, reference_gru_flops)
from lstm_course.exercises.long_lag import (ADDING_MISTAKES, NO_FORGET_MISTAKES,  # noqa: E402
                                            reference_adding_success, reference_no_forget_step)
from lstm_course.experiments.traces import lstm_gate_traces, train_adding_lstm  # noqa: E402
from lstm_course.figures import draw_fast_schedule, plot_bench, plot_gate_traces  # noqa: E402
from lstm_course.models.recurrent_net import RecurrentNet  # noqa: E402
from lstm_course.numpy_impl import lstm_step_forward  # noqa: E402
from lstm_course.numpy_impl.lstm_fast import lstm_fast_forward  # noqa: E402
from lstm_course.params import init_lstm_params  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHECKERS = [
    (check_adding_success, reference_adding_success, ADDING_MISTAKES),
    (check_no_forget_cell, reference_no_forget_step, NO_FORGET_MISTAKES),
    (check_batched_weight_grads, reference_batched_weight_grads, BATCHED_GRADS_MISTAKES),
    (check_gru_flops, reference_gru_flops, GRU_FLOPS_MISTAKES),
]
ZOO = [(checker, m) for checker, _, mistakes in CHECKERS for m in mistakes]


@pytest.mark.parametrize("checker, reference, _", CHECKERS, ids=lambda v: getattr(v, "__name__", ""))
def test_checker_accepts_its_reference(checker, reference, _):
    ok, text = run_checker(checker, reference)
    assert ok, text


@pytest.mark.parametrize("checker, mistake", ZOO, ids=lambda v: getattr(v, "name", getattr(v, "__name__", "")))
def test_checker_names_each_mistake(checker, mistake):
    ok, text = run_checker(checker, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("checker, _, __", CHECKERS, ids=lambda v: getattr(v, "__name__", ""))
def test_not_attempted_shows_the_nudge_not_the_formula(checker, _, __):
    def seed(*args):
        raise NotImplementedError  # your code here

    ok, text = run_checker(checker, seed)
    assert not ok and "not attempted" in text and "Hint:" in text
    for formula in ("mean over b of", "c_t = c_prev + i_t * c_tilde; h_t", "dW_x = dZ^T X", "2 B (D + H) 3H"):
        assert formula not in text, formula


@pytest.mark.parametrize("checker, _, __", CHECKERS, ids=lambda v: getattr(v, "__name__", ""))
def test_wrong_attempt_shows_the_formula(checker, _, __):
    ok, text = run_checker(checker, lambda *args: 0.123)
    assert not ok and "Hint:" in text


def test_no_forget_reference_is_the_lstm_step_with_the_forget_gate_pinned():
    rng = np.random.default_rng(3)
    p = {f"W_{g}": rng.normal(size=(4, 6)) for g in "fico"} | {f"b_{g}": rng.normal(size=4) for g in "fico"}
    x, h, c = rng.normal(size=(2, 2)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    pinned = dict(p, W_f=np.zeros_like(p["W_f"]), b_f=np.full(4, 1e4))
    expected = lstm_step_forward(x, h, c, pinned)[:2]
    assert all(np.allclose(a, b, atol=1e-12) for a, b in zip(reference_no_forget_step(x, h, c, p), expected))


def test_batched_grads_reference_equals_the_sum_over_steps():
    rng = np.random.default_rng(5)
    T, B, D, H = 5, 3, 4, 2
    params = init_lstm_params(D, H, 1, False, rng)
    xs = rng.normal(size=(T, B, D))
    out = lstm_fast_forward(xs, params)[0]
    dZ = rng.normal(size=(T, B, 4 * H))  # against the loop the readable backward runs: a sum of 4T products
    dW_x, dW_h, db = reference_batched_weight_grads(dZ, xs, out, np.zeros((B, H)))
    h_prev = np.concatenate([np.zeros((1, B, H)), out[:-1]])
    assert np.allclose(dW_x, sum(dZ[t].T @ xs[t] for t in range(T)))
    assert np.allclose(dW_h, sum(dZ[t].T @ h_prev[t] for t in range(T)))
    assert np.allclose(db, dZ.sum((0, 1)))


def test_gru_flops_is_three_quarters_of_the_lstm_count():
    from lstm_course.bench import lstm_flops

    assert 4 * reference_gru_flops(3, 2, 5, 7) == 3 * lstm_flops(3, 2, 5, 7)


def test_stream_prediction_answer_is_the_saved_run():
    m = json.loads((ROOT / "book/results/forget-gate.json").read_text())["metrics"]
    assert 2 < m["forget_gate_cell_norm_along_stream"][-1] < 50
    assert m["no_forget_gate_cell_norm_along_stream"][-1] > 1000
    assert QUESTIONS["stream-cell-size"]["answer"] == "b"
    assert check_answer("stream-cell-size", "b", report=lambda s: None)
    for wrong in "acd":
        lines = []
        assert not check_answer("stream-cell-size", wrong, report=lines.append) and lines


def test_gate_traces_agree_with_the_torch_model():
    rng = np.random.default_rng(0)
    model = RecurrentNet("lstm", 2, 3, 1, rng, forget_bias=1.0)
    xs = rng.normal(size=(6, 2))
    traces = lstm_gate_traces(model.core, xs)
    with torch.no_grad():
        _, (h, c) = model.core(torch.as_tensor(xs[:, None, :], dtype=torch.float32))
    assert traces.i.shape == traces.f.shape == traces.o.shape == traces.c.shape == (6, 3)
    assert np.allclose(traces.c[-1], c[0, 0].numpy(), atol=1e-5)
    assert ((0 < traces.f) & (traces.f < 1)).all()


def test_train_adding_lstm_returns_a_marked_sequence():
    run = train_adding_lstm(seed=0, steps=3, T=20, H=4, B=8)
    assert len(run.marked) == 2 and run.markers[list(run.marked)].tolist() == [1.0, 1.0]
    assert run.traces.c.shape == (len(run.values), 4) and 0 <= run.success_rate <= 1


def _texts(fig):
    texts = [t for ax in fig.axes for t in ax.texts + [ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label]]
    texts += [t for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    return [t for t in texts + list(fig.texts) if t.get_text()]


def _small_fonts(fig):
    return [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 9]


def _fake_traces(T=12, H=4):
    rng = np.random.default_rng(1)
    return {k: rng.uniform(size=(T, H)) for k in "ifo"} | {"c": rng.normal(size=(T, H))}


def test_plot_gate_traces_labels_marks_and_fonts():
    fig = plot_gate_traces(_fake_traces(), title="one run", inputs=np.linspace(-1, 1, 12), marks=(2, 7),
                           mark_labels=["$X_1$", "$X_2$"])
    words = " ".join(t.get_text() for t in _texts(fig))
    for label in ("input", "forget", "output", "$|c_t|$", "$X_1$", "$X_2$", "one run", "step t"):
        assert label in words, label
    assert not _small_fonts(fig), _small_fonts(fig)
    assert fig.get_figwidth() <= 7 and fig.patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)
    plt.close(fig)


def test_plot_gate_traces_writes_the_symbols():
    text = "BTBPVVETE"
    fig = plot_gate_traces(_fake_traces(T=len(text)), title="Reber", symbols=text, marks=(1, 7))
    bottom = fig.axes[-2]  # the last heat map (its colour bar comes after it)
    assert [t.get_text() for t in bottom.get_xticklabels()] == list(text)
    assert not _small_fonts(fig)
    plt.close(fig)


def _overlaps(fig):
    """Pairs of texts of one axis whose window extents overlap."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts + [ax.title, ax._left_title] if t.get_text()]
        bad += [(a, b) for k, (a, p) in enumerate(boxes) for b, q in boxes[k + 1:] if p.overlaps(q)]
    return bad


def _arrow_crossings(fig):
    """Arrows whose bounding box crosses a text's window extent (the house rule: no arrow over a label)."""
    from matplotlib.patches import FancyArrowPatch

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        texts = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()]
        for patch in ax.patches:
            if isinstance(patch, FancyArrowPatch):
                box = patch.get_window_extent(renderer)
                bad += [name for name, extent in texts if box.overlaps(extent)]
    return bad


def test_draw_fast_schedule_has_three_labelled_panels():
    fig = draw_fast_schedule()
    assert len(fig.axes) == 3 and fig.get_figwidth() <= 7
    words = " ".join(t.get_text() for t in _texts(fig))
    for label in ("Hoisting", "Fusing", "Batching", "(4H, D+H)", "$dZ$: $(T, B, 4H)$", "i, f, g, o",
                  "$\\tilde c$", "all steps", "one product"):
        assert label in words, label
    assert not _small_fonts(fig), _small_fonts(fig)
    assert not _overlaps(fig), _overlaps(fig)
    assert not _arrow_crossings(fig), _arrow_crossings(fig)
    plt.close(fig)


@pytest.mark.parametrize("kind, bars", [("avx2", 9), ("avx512", 9), ("avx512-one-process", 6)])  # the last predates the peers
def test_plot_bench_has_a_bar_per_implementation_and_shape(kind, bars):
    metrics = json.loads((ROOT / f"book/results/bench-{kind}.json").read_text())["metrics"]
    fig = plot_bench(metrics)
    ax = fig.axes[0]
    assert len(ax.patches) == bars * len(metrics["shapes"])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"np-fast", "twin-fast", "nn", "GEMMs alone", "BLAS peak"} <= set(legend)
    assert ax.get_legend().get_bbox_to_anchor().y1 < ax.get_window_extent().y0 + 1  # below the axis
    assert not _small_fonts(fig) and fig.get_figwidth() <= 7
    plt.close(fig)
