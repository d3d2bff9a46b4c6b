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


# The GRU (Cho et al. 2014), in torch.nn.GRU's gate order: reset r, update z, candidate n.
GRU_GATES = ("r", "z", "n")
# Where the reset gate acts: "after" the recurrent product, r * (U_n h + b_hn) (torch.nn.GRU, cuDNN),
# or "before" it, U_n (r * h) (Cho et al. 2014, eq. 8).
GRU_RESET_FORMS = ("after", "before")


def gru_shapes(D, H):
    """Parameter shapes of one GRU direction with input size D and hidden size H.

    Returns
    -------
    dict
        ``W_r, W_z, W_n (H, D)`` for the input, ``U_r, U_z, U_n (H, H)`` for the
        recurrence, ``b_r, b_z, b_in, b_hn (H,)``: the candidate keeps two biases,
        because in torch's form ``b_hn`` sits inside the reset gate's product.
    """
    shapes = {f"W_{g}": (H, D) for g in GRU_GATES}
    shapes.update({f"U_{g}": (H, H) for g in GRU_GATES})
    shapes.update({"b_r": (H,), "b_z": (H,), "b_in": (H,), "b_hn": (H,)})
    return shapes


def check_reset(reset):
    """Raise ``ValueError`` unless ``reset`` is ``"after"`` (torch.nn.GRU) or ``"before"`` (Cho et al.)."""
    if not isinstance(reset, str) or reset not in GRU_RESET_FORMS:
        raise ValueError(f"reset must be 'after' (torch.nn.GRU, cuDNN) or 'before' (Cho et al. 2014); got {reset!r}")


# LSTM variants of Greff et al. (2017), each a small change to the cell; "lstm" is the cell of the book
# (torch.nn.LSTM: no peepholes, Greff's NP). Peepholes (Gers & Schmidhuber 2000) add diagonal weights
# p_f, p_i on c_{t-1} and p_o on c_t.
LSTM_VARIANTS = ("lstm", "peephole", "cifg", "no_forget_gate", "no_input_gate", "no_output_gate",
                 "no_input_activation", "no_output_activation")


def lstm_variant_shapes(D, H, variant="lstm"):
    """Parameter shapes of one direction of an LSTM variant.

    Returns
    -------
    dict
        :func:`lstm_shapes` without the gate a variant removes (``cifg``: no
        ``W_i, b_i``, as ``i_t = 1 - f_t``; ``no_forget_gate``: no ``W_f, b_f``;
        ``no_input_gate``: no ``W_i, b_i``; ``no_output_gate``: no ``W_o, b_o``),
        plus ``p_f, p_i, p_o (H,)`` for ``peephole``.
    """
    check_variant(variant)
    shapes = lstm_shapes(D, H)
    removed = {"cifg": "i", "no_forget_gate": "f", "no_input_gate": "i", "no_output_gate": "o"}.get(variant)
    if removed:
        del shapes[f"W_{removed}"], shapes[f"b_{removed}"]
    if variant == "peephole":
        shapes.update({"p_f": (H,), "p_i": (H,), "p_o": (H,)})
    return shapes


def check_variant(variant):
    """Raise ``ValueError`` unless ``variant`` is one of ``LSTM_VARIANTS``."""
    if not isinstance(variant, str) or variant not in LSTM_VARIANTS:
        raise ValueError(f"variant must be one of {list(LSTM_VARIANTS)}; got {variant!r}")


def attention_shapes(H_q, H_k, A):
    """Expected parameter shapes: ``W_q (A, H_q)``, ``W_k (A, H_k)``, ``v (A,)``."""
    return {"W_q": (A, H_q), "W_k": (A, H_k), "v": (A,)}
