"""The beam-search tree (ch12, T-12-01): statuses marked by more than colour, readable, no line over a label."""

import matplotlib
import matplotlib.pyplot
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from lstm_course.decoding import beam_search  # noqa: E402
from lstm_course.figures import draw_beam_tree  # noqa: E402

NAMES = ["A", "B", "C", "<eos>"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    matplotlib.pyplot.close("all")


def _trace(seed=None, beam_size=2, max_len=3):
    if seed is None:  # the chapter's hand-built table: greedy's A leads nowhere, B C <eos> wins
        probs = np.array([[0.35, 0.25, 0.20, 0.20], [0.05, 0.05, 0.80, 0.10], [0.05, 0.05, 0.10, 0.80],
                          [0.25] * 4, [0.50, 0.40, 0.05, 0.05]])
    else:
        logits = np.random.default_rng(seed).normal(scale=2.0, size=(5, 4))
        probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    table = np.log(probs)
    trace = []
    result = beam_search(lambda last, state: (table[last], state), None, 4, 3, beam_size, max_len, trace=trace)
    return trace, result


def _texts(fig):
    return [t for ax in fig.axes for t in ax.texts]


def test_tree_labels_tokens_scores_and_every_status():
    trace, result = _trace()
    fig = draw_beam_tree(trace, NAMES, answer=result[0][0], title="K = 2")
    assert isinstance(fig, matplotlib.figure.Figure)
    texts = [t.get_text() for t in _texts(fig)]
    assert "<bos>" in texts and "K = 2" in texts
    assert "B  \u22120.92" in texts and "C  \u22121.14" in texts  # token and summed log-probability
    assert "<eos>  \u22121.36 \u2713" in texts  # finished: a tick, not only a colour
    assert "A  \u22122.79 \u2713max" in texts  # stopped at max_len
    assert sum(t.endswith("\u2717") for t in texts) == 16 - 2  # every pruned node carries a cross
    boxes = [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
    dashed = [b for b in boxes if b.get_linestyle() == "--"]
    thick = [b for b in boxes if b.get_linewidth() > 2]
    assert len(dashed) == 14 and len(thick) == 2
    bold = [a for a in fig.axes[0].patches if isinstance(a, FancyArrowPatch) and a.get_linewidth() > 2]
    assert len(bold) == 3  # <bos> -> B -> C -> <eos>


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_tree_fits_the_page_in_readable_fonts(seed):
    trace, result = _trace(seed, beam_size=3, max_len=4) if seed is not None else _trace()
    fig = draw_beam_tree(trace, NAMES, answer=result[0][0], title="a tree")
    assert fig.get_size_inches()[0] <= 7.0
    assert min(t.get_fontsize() for t in _texts(fig)) >= 9
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("seed", [None, 0, 1, 2])
def test_no_line_crosses_a_label_and_labels_stay_inside(seed):
    trace, result = _trace(seed, beam_size=3, max_len=4) if seed is not None else _trace()
    fig = draw_beam_tree(trace, NAMES, answer=result[0][0], title="a tree")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    windows = [t.get_window_extent(renderer) for t in ax.texts]
    figure_box = fig.bbox
    for w in windows:  # nothing cut off at the figure's edge
        assert w.x0 >= figure_box.x0 - 1 and w.x1 <= figure_box.x1 + 1
        assert w.y0 >= figure_box.y0 - 1 and w.y1 <= figure_box.y1 + 1
    for arrow in (p for p in ax.patches if isinstance(p, FancyArrowPatch)):
        box = arrow.get_window_extent(renderer)
        for text, w in zip(ax.texts, windows):
            assert not box.overlaps(w), f"a line crosses the label {text.get_text()!r}"
    for i, a in enumerate(windows):  # no two labels overlap
        for b in windows[i + 1:]:
            assert not a.overlaps(b)


def test_max_pruned_counts_the_hidden_extensions():
    trace, result = _trace(0, beam_size=2, max_len=3)
    fig = draw_beam_tree(trace, NAMES, max_pruned=0)
    texts = [t.get_text() for t in _texts(fig)]
    assert any(t.startswith("+") and "more" in t for t in texts)
    full = draw_beam_tree(trace, NAMES)
    assert len(_texts(full)) > len(_texts(fig))


def test_a_trace_too_deep_to_fit_is_refused():
    trace, _ = _trace(0, beam_size=2, max_len=6)
    assert len(trace) > 4
    with pytest.raises(ValueError, match="at most 4 steps"):
        draw_beam_tree(trace, NAMES)
