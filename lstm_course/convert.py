"""Conversion between ``torch.nn.RNN``/``torch.nn.LSTM`` and the package's parameter trees.

This is the only module that knows torch's parameter names (``weight_ih_l{k}``,
``_reverse``) and the LSTM's gate order in torch (i, f, g, o). Our trees use one
bias per gate, ``b = bias_ih + bias_hh``; going back, the bias goes to
``bias_ih`` and ``bias_hh`` gets zeros.
"""

import numpy as np
import torch

from .notation import DIRECTIONS, LSTM_GATES, layer_directions
from .tree import tree_map

# torch stacks the LSTM's gates in the order i, f, g, o; our names for them:
TORCH_LSTM_GATE_ORDER = ("i", "f", "c", "o")


def _suffix(k, direction):
    return f"_l{k}" + ("_reverse" if direction == "reverse" else "")


def _numpy(t):
    return t.detach().cpu().numpy().copy()


def from_torch(module):
    """Read the parameters of a ``torch.nn.RNN`` or ``torch.nn.LSTM`` into our tree.

    Parameters
    ----------
    module : torch.nn.RNN or torch.nn.LSTM
        Any ``num_layers``, ``bidirectional``, ``nonlinearity``; ``bias=True``,
        ``batch_first`` ignored (our shapes are time-major), no ``proj_size``.

    Returns
    -------
    list of dict
        ``params[k][direction]`` as NumPy arrays in the module's dtype. RNN:
        ``W_xh (H, D_k)``, ``W_hh (H, H)``, ``b_h (H,)``. LSTM:
        ``W_f, W_i, W_c, W_o (H, D_k + H)`` acting on ``[x_t, h_prev]`` and
        ``b_f, b_i, b_c, b_o (H,)``.
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
        RNN or LSTM parameters as returned by :func:`from_torch`.

    Returns
    -------
    dict of ndarray
        Keyed like ``module.named_parameters()``: ``weight_ih_l0``,
        ``weight_hh_l0``, ``bias_ih_l0`` (our bias), ``bias_hh_l0`` (zeros),
        and ``..._reverse`` for the reverse direction.
    """
    out = {}
    for k, layer in enumerate(tree):
        for direction in layer_directions(layer):
            p, s = layer[direction], _suffix(k, direction)
            if "W_xh" in p:
                W_ih, W_hh, b = p["W_xh"], p["W_hh"], p["b_h"]
            else:
                H = p["b_f"].shape[0]
                D_in = p["W_f"].shape[1] - H
                W = np.concatenate([p[f"W_{g}"] for g in TORCH_LSTM_GATE_ORDER], axis=0)  # (4H, D_in + H)
                W_ih, W_hh = W[:, :D_in], W[:, D_in:]
                b = np.concatenate([p[f"b_{g}"] for g in TORCH_LSTM_GATE_ORDER])
            out["weight_ih" + s] = np.array(W_ih)
            out["weight_hh" + s] = np.array(W_hh)
            out["bias_ih" + s] = np.array(b)
            out["bias_hh" + s] = np.zeros_like(b)
    return out


def load_into(module, tree):
    """Copy our parameters into a ``torch.nn.RNN``/``torch.nn.LSTM`` in place; returns ``module``."""
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
    list of dict of Tensor, same structure.
    """
    def convert(a):
        t = torch.as_tensor(np.asarray(a), device=device)
        t = t.to(dtype) if dtype is not None else t
        return t.clone().requires_grad_(requires_grad)

    return tree_map(convert, tree)


def to_numpy(tree):
    """A tree of tensors (or their ``.grad``) back to NumPy arrays."""
    return tree_map(lambda t: t.detach().cpu().numpy(), tree)


def _kind(module):
    if isinstance(module, torch.nn.LSTM):
        return "lstm"
    if isinstance(module, torch.nn.RNN):
        return "rnn"
    raise TypeError(f"expected torch.nn.RNN or torch.nn.LSTM; got {type(module).__name__}")


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
