"""The GRU cell, drawn in the style of the LSTM cell (:func:`lstm_course.figures.draw_lstm_cell`)."""

from ._cell import Board


def draw_gru_cell(reset="after"):
    """One GRU cell: the state line on top (kept by z, replaced by 1 - z), the gates r, z and the candidate n.

    :math:`h_{t-1}` and :math:`x_t` are drawn as separate inputs, so the picture shows which weights act on
    which: :math:`U_n` only on the state, :math:`W_n` only on the input.

    Parameters
    ----------
    reset : {"after", "before"}
        Where the reset gate acts: torch.nn.GRU's ``r * (U_n h + b_hn)`` (the product of :math:`U_n`
        and the state first, then the gate) or Cho et al.'s ``U_n (r * h)`` (the gate on the state first).

    Returns
    -------
    matplotlib.figure.Figure
        6 inches wide (about 611 px as the notebooks save it, inside the book's 623 px column), labels at 9 pt or more; every wire
        runs between box edges, clear of every label.

    See Also
    --------
    lstm_course.numpy_impl.gru_step_forward : the step this picture draws.
    """
    if reset not in ("after", "before"):
        raise ValueError(f"reset must be 'after' or 'before'; got {reset!r}")
    b = Board(height=4.2)
    Y_H, Y_MIX, Y_R, Y_N, Y_G, Y_HB, Y_X = 4.4, 3.45, 2.75, 2.2, 1.4, 0.35, -0.45
    b.frame(1.1, -0.75, 9.8, 4.95)
    # the state line: h_{t-1} -> (x z) -> (+ (1 - z) n) -> h_t
    b.box("h_prev", 0.45, Y_H, "$h_{t-1}$", "y", 0.9)
    b.box("times_z", 4.3, Y_H, "$\\times$", "r", 0.5)
    b.box("plus", 8.3, Y_H, "$+$", "r", 0.5)
    b.box("h_t", 10.55, Y_H, "$h_t$", "y", 0.8)
    b.wire(b.edge("h_prev", "right"), b.edge("times_z", "left"))
    b.wire(b.edge("times_z", "right"), b.edge("plus", "left"))
    b.wire(b.edge("plus", "right"), b.edge("h_t", "left"))
    # the gates and the candidate
    b.box("r", 2.6, Y_G, "$r_t = \\sigma$", "h", 1.15)
    b.box("z", 4.3, Y_G, "$z_t = \\sigma$", "h", 1.15)
    b.box("n", 8.3, Y_N, "$n_t = \\tanh$", "h", 1.3)
    b.box("one_minus", 6.1, Y_MIX, "$1 - z_t$", "r", 0.95)
    b.box("times_n", 8.3, Y_MIX, "$\\times$", "r", 0.5)
    b.wire(b.edge("z", "top"), b.edge("times_z", "bottom"))
    b.dot(4.3, Y_MIX)
    b.wire((4.3, Y_MIX), b.edge("one_minus", "left"))
    b.wire(b.edge("one_minus", "right"), b.edge("times_n", "left"))
    b.wire(b.edge("n", "top"), b.edge("times_n", "bottom"))
    b.wire(b.edge("times_n", "top"), b.edge("plus", "bottom"))
    # h_{t-1} runs down to its own line, which feeds r, z and the reset product
    b.dot(1.5, Y_H)
    b.wire((1.5, Y_H), (1.5, Y_HB), head=False)
    # x_t, a separate input, feeds r, z and (through W_n) the candidate
    b.box("x_t", 0.45, Y_X, "$x_t$", "x", 0.7)
    for name in ("r", "z"):
        into = b.edge(name, "bottom", -0.25)
        b.wire((1.5, Y_HB), (into[0], Y_HB), into)
        into = b.edge(name, "bottom", 0.25)
        b.wire(b.edge("x_t", "right"), (into[0], Y_X), into)
    into_n = b.edge("n", "bottom", 0.35)
    b.wire(b.edge("x_t", "right"), (into_n[0], Y_X), into_n)
    b.note(into_n[0] + 0.12, 0.95, "$W_n x_t$\n$+\\ b_{in}$", ha="left", va="center")
    if reset == "after":  # torch.nn.GRU, cuDNN: r * (U_n h + b_hn)
        b.box("U", 5.85, Y_HB, "$U_n h_{t-1} + b_{hn}$", "r", 1.95)
        b.box("times_r", 7.3, Y_HB, "$\\times$", "r", 0.5)
        b.wire((1.5, Y_HB), b.edge("U", "left"))
        b.wire(b.edge("U", "right"), b.edge("times_r", "left"))
        into = b.edge("n", "bottom", -0.35)
        b.wire(b.edge("times_r", "right"), (into[0], Y_HB), into)
        title = "The GRU, reset after (torch.nn.GRU): $r_t \\odot (U_n h + b_{hn})$"
    else:  # Cho et al. 2014: U_n (r * h)
        b.box("times_r", 5.4, Y_HB, "$\\times$", "r", 0.5)
        b.box("U", 7.2, Y_HB, "$U_n(\\cdot) + b_{hn}$", "r", 1.7)
        b.wire((1.5, Y_HB), b.edge("times_r", "left"))
        b.wire(b.edge("times_r", "right"), b.edge("U", "left"))
        into = b.edge("n", "bottom", -0.35)
        b.wire(b.edge("U", "top", into[0] - 7.2), into)
        title = "The GRU, reset before (Cho et al.): $U_n (r_t \\odot h)$"
    # r reaches the reset product from above, clear of z's wires
    down = b.edge("times_r", "top")
    b.wire(b.edge("r", "top"), (2.6, Y_R), (down[0], Y_R), down)
    return b.finish(title, (-0.3, 11.05), (-0.95, 5.1))
