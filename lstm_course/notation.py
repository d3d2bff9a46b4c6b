r"""The book's notation, in one place that both twins share.

Pure Python: no NumPy, no torch. The NumPy reference, the Torch twin,
:mod:`lstm_course.convert`, :mod:`lstm_course.params` and the exercises all
read their names and shapes from here, so that no list of gates, directions
or nonlinearities is written twice.

- Directions of a layer: ``forward`` and ``reverse``, in torch's order.
- LSTM gates, in the order of the book's equations: forget ``f``, input ``i``,
  content ``c`` (torch's g, :math:`\tilde c_t`), output ``o``. Their weights are
  ``W_f, W_i, W_c, W_o (H, D + H)``, acting on ``[x_t, h_prev]``, and their
  biases ``b_f, b_i, b_c, b_o (H,)``.
- The RNN: ``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``, with the
  nonlinearity ``tanh`` or ``relu``, as in ``torch.nn.RNN``.
"""

DIRECTIONS = ("forward", "reverse")
LSTM_GATES = ("f", "i", "c", "o")
NONLINEARITIES = ("tanh", "relu")


def layer_directions(layer):
    """The direction names present in one layer ``{"forward": ..., "reverse": ...}``, forward first."""
    return [d for d in DIRECTIONS if d in layer]


def rnn_shapes(D, H):
    """Parameter shapes of one RNN direction with input size D and hidden size H.

    Returns
    -------
    dict
        ``{"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,)}``.
    """
    return {"W_xh": (H, D), "W_hh": (H, H), "b_h": (H,)}


def lstm_shapes(D, H):
    """Parameter shapes of one LSTM direction with input size D and hidden size H.

    Returns
    -------
    dict
        ``W_f, W_i, W_c, W_o (H, D + H)`` and ``b_f, b_i, b_c, b_o (H,)``.
    """
    shapes = {f"W_{g}": (H, D + H) for g in LSTM_GATES}
    shapes.update({f"b_{g}": (H,) for g in LSTM_GATES})
    return shapes


def check_nonlinearity(nonlinearity):
    """Raise unless ``nonlinearity`` is the string ``"tanh"`` or ``"relu"``, like ``torch.nn.RNN``.

    Raises
    ------
    TypeError
        For anything that is not a string.
    ValueError
        For any other string.
    """
    if not isinstance(nonlinearity, str):
        raise TypeError(f"nonlinearity must be the string 'tanh' or 'relu' (as in torch.nn.RNN); "
                        f"got {type(nonlinearity).__name__} {nonlinearity!r}")
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu' (as in torch.nn.RNN); got {nonlinearity!r}")
