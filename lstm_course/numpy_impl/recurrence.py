"""Layers, directions and padding for any recurrent cell (NumPy).

A cell is a pair ``step_forward(x_t, state, p) -> (state, cache)`` and
``step_backward(d_state, cache) -> (dx_t, d_state_prev, grads)``, where
``state`` is a tuple whose first entry is the output ``h_t`` (the RNN's state is
``(h,)``, the LSTM's ``(h, c)``). This module runs such a cell over time, in both
directions, through a stack of layers, and back again, so that the RNN and the
LSTM share one tested implementation of stacking and padding.

Padding follows ``torch.nn.utils.rnn.pack_padded_sequence``: at a padded step
(``t >= lengths[b]``) the state of sequence b is carried unchanged and its
output is zero, so the forward direction ends at each sequence's own end and
the reverse direction starts there.
"""

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..notation import layer_directions


class DirectionCache(NamedTuple):
    """What one direction of one layer keeps for its backward pass."""

    step_caches: list  # step_caches[t]: the cell's cache at time t
    reverse: bool


class StackCache(NamedTuple):
    """What a whole stack keeps: the input of each layer and each direction's cache."""

    layer_inputs: list  # layer_inputs[k]: (T, B, D_in) input of layer k
    direction_caches: list  # direction_caches[k][d]: DirectionCache
    masks: np.ndarray | None  # (T, B) True where t < lengths[b]; None without lengths
    hidden_size: int


def lengths_to_mask(lengths, T):
    """``(T, B)`` boolean mask, True where ``t < lengths[b]``."""
    return np.arange(T)[:, None] < np.asarray(lengths)[None, :]


def _time_order(T, reverse):
    return range(T - 1, -1, -1) if reverse else range(T)


def direction_forward(step_forward, xs, state0, p, masks, reverse):
    """Run one direction: returns ``(out (T, B, H), state_n, DirectionCache)``."""
    T = xs.shape[0]
    state, caches = state0, [None] * T
    out = np.zeros(xs.shape[:2] + state0[0].shape[-1:], dtype=xs.dtype)
    for t in _time_order(T, reverse):
        new_state, caches[t] = step_forward(xs[t], state, p)
        if masks is not None:  # padded rows keep their state
            m = masks[t][:, None]
            new_state = tuple(np.where(m, s_new, s_old) for s_new, s_old in zip(new_state, state))
            out[t] = np.where(m, new_state[0], 0)
        else:
            out[t] = new_state[0]
        state = new_state
    return out, state, DirectionCache(caches, reverse)


def direction_backward(step_backward, d_out, d_state_n, cache, masks, p_like):
    """Backpropagate through one direction: returns ``(d_xs, d_state0, grads)``.

``d_out`` is (T, B, H) and ``d_state_n`` the gradient of the final state (B, H) (a tuple for
the LSTM's ``(h, c)``); ``d_xs`` comes back (T, B, D), ``d_state0`` (B, H), and ``grads`` has the
keys and shapes of the direction's parameters."""
    T = d_out.shape[0]
    grads = {key: np.zeros_like(value) for key, value in p_like.items()}
    d_xs = None
    d_state = d_state_n
    for t in reversed(_time_order(T, cache.reverse)):
        m = None if masks is None else masks[t][:, None]  # (B, 1): rows that took step t
        # the gradient reaching h_t: from the output at t, plus from step t+1 (in d_state)
        d_h_from_output = d_out[t] if m is None else np.where(m, d_out[t], 0)
        d_h_from_next = d_state[0]
        d_new = (d_h_from_output + d_h_from_next,) + tuple(d_state[1:])
        d_active = d_new if m is None else tuple(np.where(m, d, 0) for d in d_new)
        dx_t, d_prev, d_p = step_backward(d_active, cache.step_caches[t])
        if m is not None:  # a padded step passed its state through unchanged
            d_prev = tuple(np.where(m, dp, dn) for dp, dn in zip(d_prev, d_new))
        if d_xs is None:
            d_xs = np.zeros((T,) + dx_t.shape, dtype=dx_t.dtype)
        d_xs[t] = dx_t
        for key in grads:
            grads[key] += d_p[key]
        d_state = d_prev
    return d_xs, d_state, grads


def stack_forward(step_forward, xs, params, states0, lengths):
    """Run a stack of (bi)directional layers.

    Parameters
    ----------
    step_forward : callable
        ``(x_t, state, p) -> (state, cache)``.
    xs : ndarray, shape (T, B, D)
    params : list of dict
        ``params[k][direction]`` holds the cell parameters of layer k.
    states0 : tuple of ndarray, each (L * num_directions, B, H)
    lengths : sequence of int or None

    Returns
    -------
    out : ndarray, shape (T, B, num_directions * H)
    states_n : tuple of ndarray, each (L * num_directions, B, H)
    cache : StackCache
    """
    T = xs.shape[0]
    masks = None if lengths is None else lengths_to_mask(lengths, T)
    H = states0[0].shape[-1]
    layer_input, layer_inputs, direction_caches = xs, [], []
    states_n = [np.empty_like(s) for s in states0]
    for k, layer in enumerate(params):
        directions = layer_directions(layer)
        outs, caches = [], []
        for d, direction in enumerate(directions):
            index = k * len(directions) + d  # h_n is layer-major, like torch.nn
            state0 = tuple(s[index] for s in states0)
            out, state_n, cache = direction_forward(
                step_forward, layer_input, state0, layer[direction], masks, direction == "reverse"
            )
            for s_n, s in zip(states_n, state_n):
                s_n[index] = s
            outs.append(out)
            caches.append(cache)
        layer_inputs.append(layer_input)
        direction_caches.append(caches)
        layer_input = np.concatenate(outs, axis=-1)  # (T, B, num_directions * H): [forward; reverse]
    return layer_input, tuple(states_n), StackCache(layer_inputs, direction_caches, masks, H)


def stack_backward(step_backward, d_out, d_states_n, cache, params):
    """Backpropagate through the stack: returns ``(d_xs, d_states0, grads)``.

``d_out`` is (T, B, num_directions*H) and each of ``d_states_n`` is
(num_layers*num_directions, B, H); ``d_xs`` comes back (T, B, D).

    ``grads`` has the structure of ``params``.
    """
    H = cache.hidden_size
    d_states0 = [np.zeros_like(s) for s in d_states_n]
    grads = [None] * len(params)
    d_layer_output = d_out
    for k in reversed(range(len(params))):
        directions = layer_directions(params[k])
        d_layer_input = np.zeros_like(cache.layer_inputs[k])
        grads[k] = {}
        for d, direction in enumerate(directions):
            index = k * len(directions) + d
            d_out_direction = d_layer_output[..., d * H:(d + 1) * H]
            d_state_n = tuple(s[index] for s in d_states_n)
            d_xs, d_state0, grads[k][direction] = direction_backward(
                step_backward, d_out_direction, d_state_n, cache.direction_caches[k][d],
                cache.masks, params[k][direction],
            )
            d_layer_input += d_xs
            for d_s0, d_s in zip(d_states0, d_state0):
                d_s0[index] = d_s
        d_layer_output = d_layer_input
    return d_layer_output, tuple(d_states0), grads


def upstream_gradients(d_out, named_d_states, x0, num_layers, num_directions, H):
    """Check a stack's upstream gradients at the public edge; a missing final-state gradient is zeros.

    Parameters
    ----------
    d_out : ndarray, shape (T, B, num_directions * H)
    named_d_states : sequence of (str, ndarray or None)
        The final-state gradients by name (``("d_h_n", d_h_n)``, and ``("d_c_n", d_c_n)`` for the
        LSTM), each (num_layers * num_directions, B, H) or None.
    x0 : ndarray, shape (T, B, D)
        The stack's input, for the batch size and the dtype.
    num_layers, num_directions, H : int

    Returns
    -------
    tuple of ndarray
        The final-state gradients, each (num_layers * num_directions, B, H).
    """
    T, B = x0.shape[:2]
    _validate.check_shape(d_out, (T, B, num_directions * H), "d_out", like=x0)
    shape = (num_layers * num_directions, B, H)
    d_states = []
    for name, d in named_d_states:
        d = np.zeros(shape, dtype=x0.dtype) if d is None else d
        _validate.check_shape(d, shape, name, like=x0)
        d_states.append(d)
    return tuple(d_states)
