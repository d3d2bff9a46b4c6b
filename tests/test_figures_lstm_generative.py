"""The diagrams of the LSTM and generative chapters: they draw, on an opaque white background, with labelled axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from lstm_course.figures import (draw_cell_gradient_path, draw_reber_automaton,  # noqa: E402
                                 draw_teacher_forcing, plot_temperature_bars)
from lstm_course.sampling import probabilities  # noqa: E402


@pytest.mark.parametrize("draw", [draw_cell_gradient_path, draw_reber_automaton, draw_teacher_forcing])
def test_diagrams_have_an_opaque_white_background_for_dark_mode(draw):
    fig = draw()
    assert fig.patch.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    plt.close(fig)


def test_reber_diagram_draws_every_transition_of_the_grammar():
    from lstm_course.data.reber import _REBER

    fig = draw_reber_automaton()
    labels = [t.get_text() for t in fig.axes[0].texts]
    for choices in _REBER.values():
        for symbol, _ in choices:
            assert symbol in labels
    n_edges = sum(len(choices) for choices in _REBER.values()) + 2  # plus the entering B and the leaving E
    assert sum(label in "BTPSXVE" and len(label) == 1 for label in labels) == n_edges
    plt.close(fig)


def test_temperature_bars_show_the_softmax_at_each_temperature_on_labelled_axes():
    logits = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    fig = plot_temperature_bars(logits, (0.3, 1.0, 3.0), symbols="abcde")
    ax = fig.axes[0]
    assert ax.get_xlabel() and ax.get_ylabel()
    heights = np.array([bar.get_height() for bar in ax.patches]).reshape(3, 5)
    expected = np.stack([probabilities(logits, tau) for tau in (0.3, 1.0, 3.0)])
    assert np.allclose(heights, expected, rtol=0, atol=1e-12)
    assert fig.patch.get_facecolor() == (1.0, 1.0, 1.0, 1.0)
    plt.close(fig)
