"""Conversion between ``torch.nn.RNN``/``torch.nn.LSTM``/``torch.nn.GRU`` and the package's parameter trees.

This is the only module that knows torch's parameter names (``weight_ih_l{k}``,
``_reverse``) and the gate orders in torch (LSTM: i, f, g, o; GRU: r, z, n).
Our trees use one bias per gate, ``b = bias_ih + bias_hh``; going back, the
bias goes to ``bias_ih`` and ``bias_hh`` gets zeros. The GRU's candidate is the
exception: its two biases do not simply add, because ``b_hn`` sits inside the
reset gate's product ``r * (U_n h + b_hn)``; they stay ``b_in`` and ``b_hn``.
"""

import numpy as np
import torch

from .notation import DIRECTIONS, LSTM_GATES, layer_directions
from .tree import tree_map

# torch stacks the LSTM's gates in the order i, f, g, o; our names for them:
TORCH_LSTM_GATE_ORDER = ("i", "f", "c", "o")
# torch stacks the GRU's gates in the order r, z, n (our GRU_GATES, the same letters)
TORCH_GRU_GATE_ORDER = ("r", "z", "n")


def _suffix(k, direction):
    return f"_l{k}" + ("_reverse" if direction == "reverse" else "")


def _numpy(t):
    return t.detach().cpu().numpy().copy()


def from_torch(module):
    """Read the parameters of a ``torch.nn.RNN``, ``torch.nn.LSTM`` or ``torch.nn.GRU`` into our tree.

    Parameters
    ----------
    module : torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU
        Any ``num_layers``, ``bidirectional``, ``nonlinearity``; ``bias=True``,
        ``batch_first`` ignored (our shapes are time-major), no ``proj_size``.

    Returns
    -------
    list of dict
        ``params[k][direction]`` as NumPy arrays in the module's dtype. RNN:
        ``W_xh (H, D_k)``, ``W_hh (H, H)``, ``b_h (H,)``. LSTM:
        ``W_f, W_i, W_c, W_o (H, D_k + H)`` acting on ``[x_t, h_prev]`` and
        ``b_f, b_i, b_c, b_o (H,)``. GRU: ``W_r, W_z, W_n (H, D_k)``,
        ``U_r, U_z, U_n (H, H)``, ``b_r, b_z, b_in, b_hn (H,)``.
    """
    kind = _kind(module)
    if not module.bias:
        raise ValueError("from_torch needs a module with bias=True (our cells always have a bias)")
    if kind == "lstm" and module.proj_size:
        raise ValueError(f"LSTM with proj_size={module.proj_size} is not supported; use proj_size=0")
    named = dict(module.named_parameters())
    directions = DIRECTIONS if module.bidirectional else DIRECTIONS[:1]
    params = []
    for k in range(module.num_layers):
        layer = {}
        for direction in directions:
            s = _suffix(k, direction)
            W_ih, W_hh = _numpy(named["weight_ih" + s]), _numpy(named["weight_hh" + s])
            b = _numpy(named["bias_ih" + s]) + _numpy(named["bias_hh" + s])
            if kind == "rnn":
                layer[direction] = {"W_xh": W_ih, "W_hh": W_hh, "b_h": b}
            elif kind == "gru":
                layer[direction] = _gru_from_torch(W_ih, W_hh, _numpy(named["bias_ih" + s]),
                                                   _numpy(named["bias_hh" + s]), module.hidden_size)
            else:
                H = module.hidden_size
                W = np.concatenate([W_ih, W_hh], axis=1)  # acts on [x_t, h_prev]
                p = {}
                for n, gate in enumerate(TORCH_LSTM_GATE_ORDER):
                    p[f"W_{gate}"] = W[n * H:(n + 1) * H].copy()
                    p[f"b_{gate}"] = b[n * H:(n + 1) * H].copy()
                ours = [f"W_{g}" for g in LSTM_GATES] + [f"b_{g}" for g in LSTM_GATES]  # in our order
                layer[direction] = {key: p[key] for key in ours}
        params.append(layer)
    return params


def to_torch(tree):
    """Map our parameters (or gradients of the same structure) to torch's names.

    Parameters
    ----------
    tree : list of dict
        RNN, LSTM or GRU parameters as returned by :func:`from_torch`.

    Returns
    -------
    dict of ndarray
        Keyed like ``module.named_parameters()``: ``weight_ih_l0``,
        ``weight_hh_l0``, ``bias_ih_l0`` (our bias), ``bias_hh_l0`` (zeros;
        for the GRU, zeros for r and z and ``b_hn`` for n), and ``..._reverse`` for the reverse
        direction. Shapes are torch's: ``weight_ih_l{k}`` (G*H, D_in), ``weight_hh_l{k}`` (G*H, H),
        biases (G*H,), with G = 1 for the RNN, 4 for the LSTM (gates stacked i, f, g, o) and 3 for
        the GRU (r, z, n).
    """
    out = {}
    for k, layer in enumerate(tree):
        for direction in layer_directions(layer):
            p, s = layer[direction], _suffix(k, direction)
            if "W_xh" in p:
                W_ih, W_hh, b = p["W_xh"], p["W_hh"], p["b_h"]
            elif "b_hn" in p:
                W_ih, W_hh, b, b_hh = _gru_to_torch(p)
            else:
                H = p["b_f"].shape[0]
                D_in = p["W_f"].shape[1] - H
                W = np.concatenate([p[f"W_{g}"] for g in TORCH_LSTM_GATE_ORDER], axis=0)  # (4H, D_in + H)
                W_ih, W_hh = W[:, :D_in], W[:, D_in:]
                b = np.concatenate([p[f"b_{g}"] for g in TORCH_LSTM_GATE_ORDER])
            out["weight_ih" + s] = np.array(W_ih)
            out["weight_hh" + s] = np.array(W_hh)
            out["bias_ih" + s] = np.array(b)
            out["bias_hh" + s] = b_hh if "b_hn" in p else np.zeros_like(b)
    return out


def _gru_from_torch(W_ih, W_hh, b_ih, b_hh, H):
    """One GRU direction from torch's stacked (r, z, n) tensors: r and z biases add, n's two stay apart."""
    p = {}
    for n, gate in enumerate(TORCH_GRU_GATE_ORDER):
        p[f"W_{gate}"] = W_ih[n * H:(n + 1) * H].copy()
        p[f"U_{gate}"] = W_hh[n * H:(n + 1) * H].copy()
    p["b_r"], p["b_z"] = b_ih[:H] + b_hh[:H], b_ih[H:2 * H] + b_hh[H:2 * H]
    p["b_in"], p["b_hn"] = b_ih[2 * H:].copy(), b_hh[2 * H:].copy()
    return p


def _gru_to_torch(p):
    """``(weight_ih, weight_hh, bias_ih, bias_hh)`` of one GRU direction, stacked in torch's order r, z, n."""
    W_ih = np.concatenate([p[f"W_{g}"] for g in TORCH_GRU_GATE_ORDER], axis=0)  # (3H, D_in)
    W_hh = np.concatenate([p[f"U_{g}"] for g in TORCH_GRU_GATE_ORDER], axis=0)  # (3H, H)
    zeros = np.zeros_like(p["b_r"])
    return W_ih, W_hh, np.concatenate([p["b_r"], p["b_z"], p["b_in"]]), np.concatenate([zeros, zeros, p["b_hn"]])


def load_into(module, tree):
    """Copy our parameters into a ``torch.nn.RNN``/``LSTM``/``GRU`` in place; returns ``module``.

``tree`` is a list of ``num_layers`` dicts ``{direction: {name: array}}`` in our shapes
(``W_xh (H, D)``, ``W_hh (H, H)``, ``b_h (H,)``; ``W_f (H, D + H)``, ``b_f (H,)``, ...), as
:func:`from_torch` returns them; they must match the module's sizes."""
    state = {name: torch.as_tensor(value) for name, value in to_torch(tree).items()}
    expected = dict(module.named_parameters())
    if sorted(state) != sorted(expected):
        raise ValueError(f"parameter names differ: module has {sorted(expected)}, tree gives {sorted(state)}")
    with torch.no_grad():
        for name, value in state.items():
            if tuple(value.shape) != tuple(expected[name].shape):
                raise ValueError(f"{name}: module expects shape {tuple(expected[name].shape)}, tree gives {tuple(value.shape)}")
            expected[name].copy_(value)
    return module


def load_readout(linear, readout):
    """Copy a readout ``{"W_hy" (C, H_in), "b_y" (C,)}`` into a ``torch.nn.Linear(H_in, C)`` in place; returns it."""
    for name, key in (("weight", "W_hy"), ("bias", "b_y")):
        target = getattr(linear, name)
        if tuple(target.shape) != tuple(readout[key].shape):
            raise ValueError(f"{key}: the Linear layer expects shape {tuple(target.shape)}, "
                             f"the readout gives {tuple(readout[key].shape)}")
        with torch.no_grad():
            target.copy_(torch.as_tensor(readout[key]))
    return linear


def to_tensors(tree, device="cpu", dtype=None, requires_grad=False):
    """The same tree as tensors, for :mod:`lstm_course.torch_impl`.

    Parameters
    ----------
    tree : list of dict of ndarray
    device : str or torch.device
    dtype : torch.dtype, optional
        Defaults to the arrays' own dtype.
    requires_grad : bool
        Make every leaf a fresh leaf tensor that records gradients.

    Returns
    -------
    list of dict of Tensor, same structure, each leaf the same shape as its array.
    """
    def convert(a):
        t = torch.as_tensor(np.asarray(a), device=device)
        t = t.to(dtype) if dtype is not None else t
        return t.clone().requires_grad_(requires_grad)

    return tree_map(convert, tree)


def to_numpy(tree):
    """A tree of tensors (or their ``.grad``) back to NumPy arrays, each leaf keeping the same shape."""
    return tree_map(lambda t: t.detach().cpu().numpy(), tree)


def _kind(module):
    if isinstance(module, torch.nn.LSTM):
        return "lstm"
    if isinstance(module, torch.nn.RNN):
        return "rnn"
    if isinstance(module, torch.nn.GRU):
        return "gru"
    raise TypeError(f"expected torch.nn.RNN, torch.nn.LSTM or torch.nn.GRU; got {type(module).__name__}")


def tensor_tree(module):
    """The parameters of a ``torch.nn.RNN``/``torch.nn.LSTM`` as our tree of tensors, still attached to the module.

    Unlike :func:`from_torch` nothing is copied out: every leaf is a slice (or
    sum, for the bias) of the module's own parameters, so a loss computed with
    our Torch twin on this tree backpropagates into the module's parameters.

    Parameters
    ----------
    module : torch.nn.RNN or torch.nn.LSTM
        As in :func:`from_torch`.

    Returns
    -------
    list of dict of Tensor
        RNN: ``W_xh (H, D_k)``, ``W_hh (H, H)``, ``b_h (H,)``; LSTM:
        ``W_f, W_i, W_c, W_o (H, D_k + H)`` and ``b_f, b_i, b_c, b_o (H,)``.
    """
    kind, H = _kind(module), module.hidden_size
    named = dict(module.named_parameters())
    params = []
    for k in range(module.num_layers):
        layer = {}
        for direction in (DIRECTIONS if module.bidirectional else DIRECTIONS[:1]):
            s = _suffix(k, direction)
            W_ih, W_hh, b = named["weight_ih" + s], named["weight_hh" + s], named["bias_ih" + s] + named["bias_hh" + s]
            if kind == "rnn":
                layer[direction] = {"W_xh": W_ih, "W_hh": W_hh, "b_h": b}
                continue
            W = torch.cat([W_ih, W_hh], dim=1)  # (4H, D_k + H), acting on [x_t, h_prev]
            gate_rows = {g: slice(n * H, (n + 1) * H) for n, g in enumerate(TORCH_LSTM_GATE_ORDER)}
            layer[direction] = {**{f"W_{g}": W[gate_rows[g]] for g in LSTM_GATES},
                                **{f"b_{g}": b[gate_rows[g]] for g in LSTM_GATES}}
        params.append(layer)
    return params
