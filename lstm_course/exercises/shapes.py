"""A checkable question about shapes: a 2-layer bidirectional RNN."""

import numpy as np

from ._harness import _text, protect, takes_values, type_name

SHAPE_QUESTION = (
    "A 2-layer bidirectional RNN with input size D = 3 and hidden size H = 5 reads xs of shape "
    "(T, B, D) = (7, 4, 3). Give the shapes of out, h_n, W_xh of layer 0, W_xh of layer 1 and W_hh of layer 1."
)

EXPECTED_SHAPES = {"out": (7, 4, 10), "h_n": (4, 4, 5), "W_xh_0": (5, 3), "W_xh_1": (5, 10), "W_hh_1": (5, 5)}

# wrong answers we have seen, and what they reveal
SHAPE_MISTAKES = {
    ("out", (4, 7, 10)): "that is the batch_first layout; our shapes are time-major (T, B, ...), as torch.nn's default.",
    ("out", (7, 4, 5)): "a bidirectional layer concatenates [forward; reverse]: the feature size is num_directions * H.",
    ("h_n", (2, 4, 5)): "h_n holds one final state per layer *and* direction: L * num_directions = 4 rows.",
    ("h_n", (2, 4, 10)): "h_n keeps directions as separate rows (L * num_directions, B, H); it does not concatenate them.",
    ("h_n", (4, 5)): "h_n keeps the batch: (L * num_directions, B, H).",
    ("W_xh_0", (3, 5)): "weights keep the maths orientation (out, in): W_xh is (H, D).",
    ("W_xh_1", (5, 5)): "layer 1 reads the concatenated output of layer 0, of size num_directions * H = 10.",
    ("W_xh_1", (10, 5)): "weights are (out, in) = (H, num_directions * H).",
    ("W_hh_1", (10, 10)): "each direction has its own W_hh of shape (H, H); directions are not merged.",
}


@protect
@takes_values
def check_rnn_shapes(answer, report=print):
    """Check the answer to ``SHAPE_QUESTION``.

    Parameters
    ----------
    answer : dict
        Keys ``"out"``, ``"h_n"``, ``"W_xh_0"``, ``"W_xh_1"``, ``"W_hh_1"``, each a tuple of ints
        (``None`` for "not answered yet").

    Returns
    -------
    bool
        True when every shape is right; prints what is wrong otherwise. Never raises.
    """
    if not isinstance(answer, dict):
        report(f"Shapes: expected a dict with keys {list(EXPECTED_SHAPES)}; got {type_name(answer)}.")
        return False
    messages = []
    unknown = [key for key in answer if key not in EXPECTED_SHAPES]
    if unknown:
        messages.append(f"  unknown keys {[_text(key, 40) for key in unknown]}: use {list(EXPECTED_SHAPES)}.")
    for key, expected in EXPECTED_SHAPES.items():
        given = answer.get(key)
        if given is None:
            messages.append(f"  {key}: not answered yet.")
            continue
        if isinstance(given, (str, bytes, dict, set)) or not hasattr(given, "__iter__"):
            messages.append(f"  {key}: expected a tuple of integers such as (7, 4, 3); got {type_name(given)}.")
            continue
        given = tuple(given)
        if not all(isinstance(n, (int, np.integer)) and not isinstance(n, (bool, np.bool_)) for n in given):
            messages.append(f"  {key}: expected a tuple of integers; got {_text(given, 80)} (sizes are whole "
                            "numbers: write 7, not 7.0).")
            continue
        given = tuple(int(n) for n in given)
        if given != expected:
            why = SHAPE_MISTAKES.get((key, given), "count the axes: (time, batch, features) for sequences, "
                                                  "(layers * directions, batch, H) for states, (out, in) for weights.")
            messages.append(f"  {key}: {given} is not right: {why}")
    if messages:
        report("Shapes: not yet.\n" + "\n".join(messages))
        return False
    report("Shapes: all correct.")
    return True
