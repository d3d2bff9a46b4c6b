"""The encoder–decoder figures draw from saved-result dicts and return a Figure."""

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from lstm_course.figures import (plot_accuracy_by_length, plot_alignment, plot_alignments,  # noqa: E402
                                 plot_beam_curves, plot_story_attention)


def test_seq2seq_figures_return_figures():
    example = {"number": 23, "source": ["twenty", "three"], "output": "drei",
               "weights": [[0.1, 0.9]] * 4 + [[0.5, 0.5]]}
    by_length = {"0-29": {"attention": 1.0, "no_attention": 0.5}, "30+": {"attention": 0.9, "no_attention": 0.1}}
    beams = {"1": 0.9, "5": 0.95}
    story = {"story": ["Mary went to the kitchen .", "John moved to the office ."], "question": "where is Mary ?",
             "answer": "kitchen", "supporting": [0], "weights": [0.8, 0.2]}
    figures = [plot_alignment(example), plot_alignments([example, example]),
               plot_accuracy_by_length(by_length, {"0-29": 3, "30+": 4}),
               plot_accuracy_by_length(by_length, ylabel="character error rate"),
               plot_beam_curves({"attention": (beams, {"1": -0.5, "5": -0.4})}), plot_story_attention(story)]
    assert all(isinstance(f, Figure) for f in figures)
