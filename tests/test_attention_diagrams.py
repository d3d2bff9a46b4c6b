"""The attention diagrams (``figures.attention``) and the ch13 attention figures: labels, fonts, no arrow over a label.

Each diagram is checked for: an opaque white background (dark mode), a width of at most 7 inches and no text
under 9 pt (the book's column), the labels it promises, every box label inside its box, and no arrow (its
drawn path, in pixels) passing through any label's window extent.
"""

import json
import pathlib

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch  # noqa: E402

from lstm_course import figures  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
QA = json.loads((ROOT / "book" / "results" / "qa.json").read_text())["metrics"]
EXAMPLES = QA["attention_examples"] + QA["attention_examples_two_facts"]

DIAGRAMS = {
    "encoder_decoder": (lambda: figures.draw_encoder_decoder(attention=False),
                        ["twenty", "three", "context $c$", "$h_0$ = bridge", "the same $c$ enters every step"]),
    "encoder_decoder_attention": (lambda: figures.draw_encoder_decoder(attention=True),
                                  ["twenty", "three", "keys $k_s$", "query", "context $c_2",
                                   "weights $\\alpha_{t,s}$"]),
    "additive_attention": (figures.draw_additive_attention,
                           ["query $q$", "$k_{1}$", "$e_{1}$", "$\\alpha_{1}$", "softmax over $s$", "as values",
                            "context $c"]),
    "attention_reader": (figures.draw_attention_reader,
                         ["Mary moved to the hallway", "Q: where is Mary ?", "bidirectional", "$q$", "$k_{2}$",
                          "weights $\\alpha_j$", "context", "answer", "last word"]),
    "story_attention_maps": (lambda: figures.plot_story_attention_maps(EXAMPLES, titles=["single"] * 3 + ["two"] * 3),
                             ["Q: where is Daniel ?", "Daniel moved to the hallway", "supporting fact",
                              "attention weight"]),
}


def _texts(fig):
    found = []
    for artist in fig.findobj(matplotlib.text.Text):
        if artist.get_visible() and artist.get_text().strip():
            found.append(artist)
    return found


def _arrow_points(arrow):
    """Points along the arrow's drawn path (shaft and head), in pixels, 2 px apart or closer."""
    path = arrow.get_path()
    polygons = path.to_polygons(arrow.get_transform(), closed_only=False)
    points = []
    for polygon in polygons:
        for a, b in zip(polygon[:-1], polygon[1:]):
            n = max(2, int(np.hypot(*(b - a)) / 2) + 1)
            points.append(a + np.linspace(0, 1, n)[:, None] * (b - a))
    return np.concatenate(points) if points else np.zeros((0, 2))


@pytest.fixture(params=sorted(DIAGRAMS))
def drawn(request):
    draw, labels = DIAGRAMS[request.param]
    fig = draw()
    fig.canvas.draw()
    return request.param, fig, labels


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")  # no "more than 20 figures" warning when run with other figure tests


def test_returns_a_white_figure_at_most_7_inches_wide(drawn):
    name, fig, _ = drawn
    assert isinstance(fig, matplotlib.figure.Figure)
    assert fig.get_figwidth() <= 7.0 + 1e-9, name
    assert matplotlib.colors.to_rgba(fig.get_facecolor()) == (1.0, 1.0, 1.0, 1.0)


def test_every_text_is_at_least_9_points(drawn):
    name, fig, _ = drawn
    small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 9]
    assert small == [], f"{name}: text under 9 pt {small}"


def test_has_the_promised_labels(drawn):
    name, fig, labels = drawn
    text = "\n".join(t.get_text() for t in _texts(fig))
    missing = [label for label in labels if label not in text]
    assert missing == [], f"{name}: labels missing {missing}"


def test_no_arrow_crosses_a_label(drawn):
    name, fig, _ = drawn
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
        labels = [t for t in ax.texts if t.get_text().strip()]
        for label in labels:
            box = label.get_window_extent(renderer).expanded(1.0, 1.0)
            for arrow in arrows:
                points = _arrow_points(arrow)
                inside = ((points[:, 0] > box.x0 + 1) & (points[:, 0] < box.x1 - 1)
                          & (points[:, 1] > box.y0 + 1) & (points[:, 1] < box.y1 - 1))
                if inside.any():
                    bad.append(label.get_text())
    assert bad == [], f"{name}: arrows cross the labels {bad}"


def test_each_box_label_fits_its_box(drawn):
    name, fig, _ = drawn
    renderer = fig.canvas.get_renderer()
    bad = []
    for ax in fig.axes:
        boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
        for label in ax.texts:
            extent = label.get_window_extent(renderer)
            centre = ((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2)
            for box in boxes:
                if box.contains(*centre) and not (box.x0 <= extent.x0 and extent.x1 <= box.x1
                                                  and box.y0 <= extent.y0 and extent.y1 <= box.y1):
                    bad.append(label.get_text())
    assert bad == [], f"{name}: labels spill out of their boxes {bad}"


def test_attention_adds_query_and_keys_to_the_plain_encoder_decoder():
    plain = "\n".join(t.get_text() for t in _texts(figures.draw_encoder_decoder(attention=False)))
    assert "query" not in plain and "keys" not in plain


def test_story_maps_mark_supporting_facts_by_more_than_colour():
    fig = figures.plot_story_attention_maps(EXAMPLES[:2])
    marked = [t.get_text() for ax in fig.axes for t in ax.texts if t.get_text().startswith("◀ ")]
    expected = sum(len(e["supporting"]) for e in EXAMPLES[:2])
    assert len(marked) == expected
    assert all(t.get_fontweight() == "bold" for ax in fig.axes for t in ax.texts if t.get_text().startswith("◀ "))


def test_story_attention_bars_mark_supporting_facts_with_hatching_and_a_label():
    example = QA["attention_examples_two_facts"][0]
    fig = figures.plot_story_attention(example)
    ax = fig.axes[0]
    hatched = [bar for bar in ax.patches if bar.get_hatch()]
    assert len(hatched) == len(example["supporting"])
    assert sum(t.get_text() == "◀ supporting" for t in ax.texts) == len(example["supporting"])


def test_accuracy_legend_sits_outside_the_bars():
    fig = figures.plot_accuracy_by_length({"2-4": {"attention": 1.0, "unidirectional": 0.5},
                                           "5-8": {"attention": 0.9, "unidirectional": 0.4}})
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1 - 1


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        figures.draw_additive_attention(S=9)
    with pytest.raises(ValueError):
        figures.draw_attention_reader(weights=(0.5, 0.5))


def test_word_pieces_split_german_number_words_and_cover_any_text():
    pieces = lambda text: [text[a:b] for a, b in figures.word_pieces(text)]  # noqa: E731
    assert pieces("dreiundzwanzig") == ["drei", "und", "zwanzig"]
    assert pieces("siebzehnhundertsechzehn") == ["sieb", "zehn", "hundert", "sech", "zehn"]
    assert pieces("einhundertx") == ["ein", "hundert", "x"]


def test_alignment_rows_by_word_piece_average_the_characters_and_still_sum_to_one():
    rng = np.random.default_rng(0)
    weights = rng.dirichlet(np.ones(2), size=len("dreiundzwanzig") + 1)
    example = {"source": ["twenty", "three"], "output": "dreiundzwanzig", "weights": weights.tolist(),
               "number": 23}
    fig = figures.plot_alignment(example, rows="pieces")
    image = fig.axes[0].images[0].get_array()
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["drei", "und", "zwanzig", ">"]
    assert np.allclose(image[0], weights[0:4].mean(axis=0)) and np.allclose(image.sum(axis=1), 1)
    with pytest.raises(ValueError):
        figures.plot_alignment(example, rows="letters")
