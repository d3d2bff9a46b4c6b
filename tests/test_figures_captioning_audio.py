"""The captioning designs and the sample-level LSTM diagrams: labelled, readable, no arrow over a label."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.patches import FancyArrowPatch  # noqa: E402

from lstm_course import figures  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402

BOOK_WIDTH_INCHES = 6.23  # the 623 px column at the notebooks' 100 dpi: a wider figure is shrunk, fonts too


@pytest.fixture(autouse=True)
def _close_figures():
    """Each test closes what it drew (more than 20 open figures is a warning, an error here)."""
    yield
    plt.close("all")


def _texts(fig):
    return [t for ax in fig.axes for t in ax.texts + [ax.title, ax._left_title] if t.get_text()]


def _arrow_points(arrow, n=200):
    """Display coordinates along an arrow as drawn (its shaft after shrinking, and its head)."""
    path = arrow.get_path().transformed(arrow.get_transform())
    s = np.linspace(0, 1, n)[:, None]
    return np.concatenate([a + s * (b - a) for line in path.to_polygons(closed_only=False)
                           for a, b in zip(line[:-1], line[1:])])


def _arrows_over_labels(fig):
    """(label, arrow index) pairs where an arrow's drawn line passes through a label's window extent."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        labels = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts + [ax._left_title, ax.title]
                  if t.get_text()]
        for k, arrow in enumerate(p for p in ax.patches if isinstance(p, FancyArrowPatch)):
            points = _arrow_points(arrow)
            for text, box in labels:
                inside = ((points[:, 0] > box.x0 + 1) & (points[:, 0] < box.x1 - 1)
                          & (points[:, 1] > box.y0 + 1) & (points[:, 1] < box.y1 - 1))
                if inside.any():
                    bad.append((text, k))
    return bad


DRAWINGS = {
    "three designs": lambda: figures.draw_conditioned_decoder(),
    "initial state": lambda: figures.draw_conditioned_decoder("init"),
    "first input": lambda: figures.draw_conditioned_decoder("input"),
    "every step": lambda: figures.draw_conditioned_decoder("every"),
    "sample-level LSTM": figures.draw_sample_lstm,
    "Karplus-Strong delay line": figures.draw_karplus_strong,
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_diagram_fits_the_column_with_fonts_of_at_least_9_points(name):
    fig = DRAWINGS[name]()
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.get_figwidth() <= BOOK_WIDTH_INCHES
    assert min(t.get_fontsize() for t in _texts(fig)) >= 9
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)  # readable in dark mode


@pytest.mark.parametrize("name", DRAWINGS)
def test_no_arrow_runs_over_a_label(name):
    fig = DRAWINGS[name]()
    assert _arrows_over_labels(fig) == []


def test_three_designs_are_three_labelled_panels():
    fig = figures.draw_conditioned_decoder()
    assert len(fig.axes) == 3
    titles = [ax._left_title.get_text() for ax in fig.axes]
    assert [t[:3] for t in titles] == ["(a)", "(b)", "(c)"]
    assert "initial state" in titles[0] and "first input" in titles[1] and "every step" in titles[2]
    words = [{t.get_text() for t in ax.texts} for ax in fig.axes]
    assert all({"image", "CNN", "LSTM", "<start>", "<end>"} <= w for w in words)
    assert "$x_{-1}$" in words[1] and "$h_0$" in words[0] and "$h_0$" in words[2]
    n_features = [sum(t.get_text() == "$f$" for t in ax.texts) for ax in fig.axes]
    assert n_features == [0, 0, 3]  # the features beside each of the three input words, in (c) only


def test_image_arrows_are_highlighted_where_the_image_enters():
    fig = figures.draw_conditioned_decoder()
    purple = matplotlib.colors.to_rgba("#7b1fa2")
    counts = [sum(matplotlib.colors.to_rgba(p.get_edgecolor()) == purple for p in ax.patches
                  if isinstance(p, FancyArrowPatch)) for ax in fig.axes]
    assert counts == [2, 3, 2]  # image -> CNN -> h_0; image -> CNN -> x_{-1} -> LSTM; image -> CNN -> h_0


def test_unknown_design_is_refused_by_name():
    with pytest.raises(ValueError, match="design must be one of"):
        figures.draw_conditioned_decoder("attention")


def test_sample_lstm_names_its_inputs_gain_and_loop():
    fig = figures.draw_sample_lstm(context=40)
    words = " ".join(t.get_text() for t in fig.axes[0].texts)
    for label in ("code $k_{t-1}$", "frame $w_t$\n40 lags", "pitch $p$", "gain $g_p$", "one-hot", "concatenate",
                  "LSTM", "softmax", "draw $k_t$", "μ-law decode", "newest first", "next step's input"):
        assert label in words, label
    routes = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch) and p._posA_posB is None]
    assert len(routes) == 2  # k_t back to the input, and its decoded value into the frame


def test_waveforms_mark_every_period():
    waves = [np.sin(2 * np.pi * np.arange(300) / 20.5)] * 2
    fig = figures.plot_waveforms(waves, ["training-set A3", "generated A3"], period=20.5, n=200)
    assert len(fig.axes) == 2 and fig.get_figwidth() <= BOOK_WIDTH_INCHES
    assert len(fig.axes[0].lines) == 1 + 9  # the wave and a mark at 20.5, 41, ..., 184.5
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["training-set A3", "generated A3"]


def test_spectrograms_name_the_training_notes_karplus_strong_and_fit_the_column():
    waves = [np.sin(2 * np.pi * np.arange(1600) * f / 8000) for f in (220.0, 330.0)]
    fig = figures.plot_spectrograms(waves, waves, ["A3", "E4"])
    assert fig.get_figwidth() <= BOOK_WIDTH_INCHES
    assert [ax.get_title() for ax in fig.axes[:2]] == ["A3", "E4"]
    assert "Karplus–Strong" in fig.axes[0].get_ylabel() and "generated" in fig.axes[2].get_ylabel()
    assert "real" not in " ".join(ax.get_title() + ax.get_ylabel() for ax in fig.axes)


def test_delay_line_averages_the_two_oldest_samples_and_feeds_the_result_back():
    fig = figures.draw_karplus_strong()
    words = [t.get_text() for t in fig.axes[0].texts]
    for label in ("$y[n]$", "$y[n-1]$", "$y[n-N]$", "$y[n-N-1]$", "$\\rho\\,(a + b)\\,/\\,2$", "output"):
        assert label in words, label
    routes = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch) and p._posA_posB is None]
    assert len(routes) == 1  # the new sample, back to the front of the line
