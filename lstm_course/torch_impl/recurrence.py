"""Layers, directions and padding for any recurrent cell (Torch, autograd).

The Torch twin of :mod:`lstm_course.numpy_impl.recurrence`: the same state
tuples, the same layer-major ``h_n`` and the same padding semantics
(``pack_padded_sequence``). Gradients come from autograd.
"""

import torch

from ..notation import layer_directions


def lengths_to_mask(lengths, T, device):
    """``(T, B)`` boolean mask, True where ``t < lengths[b]``."""
    lengths = torch.as_tensor(list(lengths), device=device)
    return torch.arange(T, device=device)[:, None] < lengths[None, :]


def direction_forward(step_forward, xs, state0, p, masks, reverse):
    """Run one direction: returns ``(out (T, B, H), state_n)``."""
    T = xs.shape[0]
    state, outs = state0, [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        new_state = step_forward(xs[t], state, p)
        if masks is not None:  # padded rows keep their state and output zeros
            m = masks[t][:, None]
            new_state = tuple(torch.where(m, s_new, s_old) for s_new, s_old in zip(new_state, state))
            outs[t] = torch.where(m, new_state[0], torch.zeros_like(new_state[0]))
        else:
            outs[t] = new_state[0]
        state = new_state
    return torch.stack(outs), state


def stack_forward(step_forward, xs, params, states0, lengths):
    """Run a stack of (bi)directional layers, as the NumPy twin does.

``xs`` is (T, B, D) and ``states0`` (num_layers*num_directions, B, H) (a pair for the LSTM);
returns ``out`` (T, B, num_directions*H) and the final states in the shape of ``states0``."""
    T = xs.shape[0]
    masks = None if lengths is None else lengths_to_mask(lengths, T, xs.device)
    layer_input = xs
    states_n = [[None] * s.shape[0] for s in states0]
    for k, layer in enumerate(params):
        directions = layer_directions(layer)
        outs = []
        for d, direction in enumerate(directions):
            index = k * len(directions) + d  # layer-major, like torch.nn
            state0 = tuple(s[index] for s in states0)
            out, state_n = direction_forward(
                step_forward, layer_input, state0, layer[direction], masks, direction == "reverse"
            )
            for s_n, s in zip(states_n, state_n):
                s_n[index] = s
            outs.append(out)
        layer_input = torch.cat(outs, dim=-1)  # (T, B, num_directions * H)
    return layer_input, tuple(torch.stack(s) for s in states_n)
