"""Chapter 10's look inside: the selection rule, the gate run, the saved record and its two figures."""

import json
import pathlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from lstm_course.data.corpus import Vocabulary
from lstm_course.experiments.inside import _correlations, run_gates, select_unit
from lstm_course.figures import plot_char_traces, plot_text_activation
from lstm_course.numpy_impl import lstm_forward
from lstm_course.numpy_impl.charlm import init_charlm, one_hot

RECORD = pathlib.Path(__file__).resolve().parents[1] / "book" / "results" / "inside.json"


def test_run_gates_matches_lstm_forward():
    vocab = Vocabulary("abc \n")
    model = init_charlm(len(vocab), 4, np.random.default_rng(0))
    text = "ab c\nca b"
    gates = run_gates(model, vocab, text)
    out, _, _ = lstm_forward(one_hot(vocab.encode(text)[:, None], len(vocab)), model["lstm"])
    np.testing.assert_allclose(gates["h"], out[:, 0, :], atol=1e-12)
    assert set(gates) == {"h", "c", "i", "f", "o"} and gates["i"].shape == (len(text), 4)
    assert np.all((gates["f"] > 0) & (gates["f"] < 1))


def test_correlations_and_selection():
    rng = np.random.default_rng(1)
    signal = (rng.random(200) > 0.5).astype(float)
    h = rng.normal(size=(200, 5))
    h[:, 3] = -signal + 0.1 * rng.normal(size=200)  # a strongly, negatively correlated unit
    h[:, 1] = 0.0  # a constant unit: r = 0, not nan
    r = _correlations(h, signal)
    np.testing.assert_allclose(r[3], np.corrcoef(h[:, 3], signal)[0, 1])
    assert r[1] == 0.0
    j, r_sel, r_held = select_unit(h, signal, h, signal)
    assert j == 3 and r_sel == pytest.approx(abs(r[3])) and r_held == pytest.approx(abs(r[3]))  # sign kept


def test_saved_record_is_complete():
    m = json.loads(RECORD.read_text())["metrics"]
    assert m["select_file"] != m["held_file"]
    for s in m["signals"].values():
        assert len(s["null_r_held"]) == m["n_null"] >= 19
        n = len(s["shown_text"])
        assert all(len(s[f"shown_{g}"]) == n for g in ("h", "c", "i", "f", "o", "signal"))


def test_plot_text_activation_draws_every_visible_character():
    text = "def f(x):\n    return 'a b'\n"
    fig = plot_text_activation(text, np.linspace(-1, 1, len(text)), label="unit 7")
    ax = fig.axes[0]
    drawn = "".join(t.get_text() for t in ax.texts)
    assert drawn == "".join(ch for ch in text if ch not in " \n")
    assert fig.axes[1].get_xlabel() == "unit 7"
    assert all(t.get_color() == "black" and t.get_fontsize() >= 9 for t in ax.texts)
    assert fig.get_figwidth() <= 7 and fig.patch.get_alpha() == 1.0
    with pytest.raises(ValueError, match="one value per character"):
        plot_text_activation(text, np.zeros(3))


def test_plot_text_activation_colours_stay_light_enough_for_black_text():
    from lstm_course.figures.activations import _CMAP

    for x in (0.0, 1.0):  # the extremes: luminance high enough for 4.5:1 against black
        r, g, b, _ = _CMAP(x)
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        assert (luminance + 0.05) / 0.05 >= 4.5


def test_plot_char_traces_labels_and_no_overlap():
    text = "x = 'ab'\n"
    T = len(text)
    traces = {"$i_t$": np.full(T, 0.5), "$f_t$": np.linspace(0, 1, T), "$|c_t|$": np.ones(T)}
    fig = plot_char_traces(text, traces, marks=np.arange(T) > 3, title="unit 1")
    assert [ax.get_ylabel() for ax in fig.axes] == list(traces)
    assert [t.get_text() for t in fig.axes[-1].get_xticklabels()] == ["x", "␣", "=", "␣", "'", "a", "b",
                                                                        "'", "⏎"]
    assert fig.axes[0].get_title() == "unit 1" and fig.get_figwidth() <= 7
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [ax.yaxis.label.get_window_extent(renderer) for ax in fig.axes]
    for a in labels:
        for b in labels:
            assert a is b or not a.overlaps(b)
    with pytest.raises(ValueError, match="expected 9 values"):
        plot_char_traces(text, {"x": np.zeros(2)})
