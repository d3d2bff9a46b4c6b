"""Random initial parameters, in the package's tree layout (NumPy; no torch needed)."""

import numpy as np

from .notation import DIRECTIONS, LSTM_GATES, gru_shapes, lstm_variant_shapes


def _uniform(rng, bound, shape, dtype):
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def init_rnn_params(D, H, num_layers=1, bidirectional=False, rng=None, dtype=np.float64):
    """Parameters of a (stacked, bidirectional) RNN, drawn like ``torch.nn.RNN``.

    Every entry is uniform in ``[-1/sqrt(H), 1/sqrt(H)]``.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes.
    num_layers : int
    bidirectional : bool
    rng : numpy.random.Generator, optional
        Explicit generator; ``default_rng(0)`` if omitted.
    dtype : numpy dtype

    Returns
    -------
    list of dict
        ``params[k][direction]`` with ``W_xh (H, D_k)``, ``W_hh (H, H)``, ``b_h (H,)``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    bound = 1.0 / np.sqrt(H)
    directions = DIRECTIONS if bidirectional else DIRECTIONS[:1]
    params, D_in = [], D
    for _ in range(num_layers):
        params.append({
            direction: {
                "W_xh": _uniform(rng, bound, (H, D_in), dtype),
                "W_hh": _uniform(rng, bound, (H, H), dtype),
                "b_h": _uniform(rng, bound, (H,), dtype),
            }
            for direction in directions
        })
        D_in = len(directions) * H
    return params


def init_lstm_params(D, H, num_layers=1, bidirectional=False, rng=None, dtype=np.float64, forget_bias=0.0):
    """Parameters of a (stacked, bidirectional) LSTM.

    Weights are uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` as in ``torch.nn.LSTM``;
    ``b_f`` is additionally shifted by ``forget_bias`` (1.0 is a common choice
    that makes the cell remember by default).

    Returns
    -------
    list of dict
        ``params[k][direction]`` with ``W_f, W_i, W_c, W_o (H, D_k + H)`` acting
        on ``[x_t, h_prev]`` and ``b_f, b_i, b_c, b_o (H,)``.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    bound = 1.0 / np.sqrt(H)
    directions = DIRECTIONS if bidirectional else DIRECTIONS[:1]
    params, D_in = [], D
    for _ in range(num_layers):
        layer = {}
        for direction in directions:
            p = {f"W_{g}": _uniform(rng, bound, (H, D_in + H), dtype) for g in LSTM_GATES}
            p.update({f"b_{g}": _uniform(rng, bound, (H,), dtype) for g in LSTM_GATES})
            p["b_f"] = p["b_f"] + np.asarray(forget_bias, dtype=dtype)
            layer[direction] = p
        params.append(layer)
        D_in = len(directions) * H
    return params


def _init_tree(shapes_of, D, H, num_layers, bidirectional, rng, dtype):
    rng = np.random.default_rng(0) if rng is None else rng
    bound = 1.0 / np.sqrt(H)
    directions = DIRECTIONS if bidirectional else DIRECTIONS[:1]
    params, D_in = [], D
    for _ in range(num_layers):
        params.append({direction: {key: _uniform(rng, bound, shape, dtype) for key, shape in shapes_of(D_in, H).items()}
                       for direction in directions})
        D_in = len(directions) * H
    return params


def init_gru_params(D, H, num_layers=1, bidirectional=False, rng=None, dtype=np.float64):
    """Parameters of a (stacked, bidirectional) GRU, every entry uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` like ``torch.nn.GRU``.

    Returns
    -------
    list of dict
        ``params[k][direction]`` with ``W_r, W_z, W_n (H, D_k)``, ``U_r, U_z, U_n (H, H)``,
        ``b_r, b_z, b_in, b_hn (H,)``.
    """
    return _init_tree(gru_shapes, D, H, num_layers, bidirectional, rng, dtype)


def init_lstm_variant_params(D, H, variant="lstm", num_layers=1, bidirectional=False, rng=None, dtype=np.float64,
                             forget_bias=0.0):
    """Parameters of an LSTM variant (see ``lstm_course.notation.lstm_variant_shapes``).

    Uniform in ``[-1/sqrt(H), 1/sqrt(H)]``; ``b_f`` (where the variant has a
    forget gate) is shifted by ``forget_bias``.

    Returns
    -------
    list of dict
        ``params[k][direction]`` with the variant's keys.
    """
    params = _init_tree(lambda D_in, H_: lstm_variant_shapes(D_in, H_, variant), D, H, num_layers, bidirectional,
                        rng, dtype)
    for layer in params:
        for p in layer.values():
            if "b_f" in p:
                p["b_f"] = p["b_f"] + np.asarray(forget_bias, dtype=dtype)
    return params


def init_readout(H_in, C, rng, dtype=np.float64):
    r"""A linear readout :math:`W_{hy} h + b_y` from ``H_in`` features to ``C`` outputs.

    ``W_hy`` is uniform in ``[-1/sqrt(H_in), 1/sqrt(H_in)]`` (as ``torch.nn.Linear``
    draws it); ``b_y`` starts at zero.

    Parameters
    ----------
    H_in, C : int
        Input features (``num_directions * H`` after a bidirectional layer) and outputs.
    rng : numpy.random.Generator
    dtype : numpy dtype

    Returns
    -------
    dict
        ``W_hy (C, H_in)``, ``b_y (C,)``.
    """
    bound = 1.0 / np.sqrt(H_in)
    return {"W_hy": rng.uniform(-bound, bound, size=(C, H_in)).astype(dtype), "b_y": np.zeros(C, dtype=dtype)}
