"""Checkers for the stacked and bidirectional chapters: a stack by hand, and the reverse pass."""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, protect


def _layer(xs, p, h0, order):
    """Run one tanh layer over the time steps in ``order``; outputs land at their own time index."""
    out, h = np.zeros(xs.shape[:2] + h0.shape[-1:]), h0
    for t in order:
        h = np.tanh(xs[t] @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        out[t] = h
    return out, h


def _stack(xs, layers, h0, feed_xs=False, same_h0=False, reverse_h_n=False, first_out=False):
    layer_input, finals, outs = xs, [], []
    for k, p in enumerate(layers):
        out, h = _layer(xs if feed_xs and k else layer_input, p, h0[0] if same_h0 else h0[k], range(len(xs)))
        finals.append(h)
        outs.append(out)
        layer_input = out
    h_n = np.stack(finals[::-1] if reverse_h_n else finals)
    return (outs[0] if first_out else layer_input), h_n


def reference_stacked_forward(xs, layers, h0):
    """Reference: ``(out (T, B, H) of the top layer, h_n (L, B, H))`` of a tanh stack."""
    return _stack(xs, layers, h0)


def _stack_args(rng, T, B, D, H, L):
    layers = [{"W_xh": rng.normal(size=(H, D if k == 0 else H)) * 0.6, "W_hh": rng.normal(size=(H, H)) * 0.6,
               "b_h": rng.normal(size=H)} for k in range(L)]
    return (rng.normal(size=(T, B, D)), layers, rng.normal(size=(L, B, H)))


STACK_MISTAKES = [
    Mistake("every layer reads xs", "layer k must read the outputs of layer k-1 at the same step, not the input "
            "xs: h_t^(k) = tanh(W_xh^(k) h_t^(k-1) + ...).", lambda xs, l, h0: _stack(xs, l, h0, feed_xs=True)),
    Mistake("out from the first layer", "out holds the outputs of the *last* layer; the lower layers' outputs "
            "are internal.", lambda xs, l, h0: _stack(xs, l, h0, first_out=True)),
    Mistake("h_n in the wrong order", "h_n is layer-major: row k is the final state of layer k, bottom first.",
            lambda xs, l, h0: _stack(xs, l, h0, reverse_h_n=True)),
    Mistake("one h0 for all layers", "each layer starts from its own initial state h0[k].",
            lambda xs, l, h0: _stack(xs, l, h0, same_h0=True)),
]


@protect
def check_stacked_forward(fn, report=print):
    """Check ``fn(xs (T, B, D), layers, h0 (L, B, H)) -> (out (T, B, H), h_n (L, B, H))`` for a tanh stack.

    ``layers[k]`` holds ``W_xh``, ``W_hh``, ``b_h`` of layer k. Returns True
    only when right; explains the likely mistake otherwise; never raises.
    """
    rng = np.random.default_rng(11)
    cases = [Case("T = 5, B = 2, D = H = 3, L = 3", _stack_args(rng, 5, 2, 3, 3, 3)),
             Case("T = 4, B = 3, D = 2, H = 4, L = 2", _stack_args(rng, 4, 3, 2, 4, 2))]
    return check_function(
        fn, title="Stacked RNN", arg_names=("xs", "layers", "h0"), cases=cases,
        reference=reference_stacked_forward, mistakes=STACK_MISTAKES,
        output_names=("out", "h_n"),
        hints=STACK_HINTS, report=report)


STACK_HINTS = Hints(
    nudge="compare with the chapter's stacked step equation: what does layer k read at step t, and where does "
          "it start? out (T, B, H) holds the outputs of which layer? h_n (L, B, H) holds one final state per layer.",
    formula="h_t^(k) = tanh(W_xh^(k) h_t^(k-1) + W_hh^(k) h_{t-1}^(k) + b_h^(k)) with h_t^(0) = x_t and h_0^(k) = "
            "h0[k]; out[t] = the top layer's h_t; h_n[k] = layer k's state after the last step.")
check_stacked_forward.hints = STACK_HINTS


def _reverse(xs, p, h0, lengths, rereverse=True, use_lengths=True, h_n_from_out=False, zero_padding=True):
    T = xs.shape[0]
    out = np.zeros(xs.shape[:2] + h0.shape[-1:])
    h_n = np.zeros_like(h0)
    for b in range(xs.shape[1]):
        n = int(lengths[b]) if use_lengths else T
        o, h = _layer(xs[:n, b:b + 1], p, h0[b:b + 1], range(n - 1, -1, -1))
        out[:n, b] = o[:, 0] if rereverse else o[::-1, 0]
        if not zero_padding:
            out[n:, b] = o[-1, 0]
        h_n[b] = o[-1, 0] if h_n_from_out else h[0]
    return out, h_n


def reference_reverse_direction(xs, p, h0, lengths):
    """Reference: the reverse direction of a padded batch, ``(out (T, B, H), h_n (B, H))``."""
    return _reverse(xs, p, h0, lengths)


REVERSE_MISTAKES = [
    Mistake("reverse outputs not re-reversed", "you processed the sequence backwards but stored the outputs in "
            "processing order. out[t] must be the reverse state *at time t* (after reading x_T ... x_t), so that "
            "it lines up with the forward state at t when the two are concatenated.",
            lambda xs, p, h0, n: _reverse(xs, p, h0, n, rereverse=False)),
    Mistake("reverse started at the padded end", "the reverse direction must start at each sequence's own last "
            "step, lengths[b] - 1, not at T - 1: otherwise it reads the padding first and its state is wrong "
            "everywhere.", lambda xs, p, h0, n: _reverse(xs, p, h0, n, use_lengths=False)),
    Mistake("wrong final state", "h_n of the reverse direction is its state after reading x_1, i.e. out[0], not "
            "out[-1] (which is its state after its first step).",
            lambda xs, p, h0, n: _reverse(xs, p, h0, n, h_n_from_out=True)),
]


@protect
def check_reverse_direction(fn, report=print):
    """Check ``fn(xs (T, B, D), p, h0 (B, H), lengths (B,)) -> (out (T, B, H), h_n (B, H))``.

    The reverse direction of a tanh RNN over a padded batch: it starts at each
    sequence's true end, outputs are zero at padded steps, and ``out[t]`` is the
    state at time t. Never raises.
    """
    rng = np.random.default_rng(12)

    def args(T, B, D, H, lengths):
        p = {"W_xh": rng.normal(size=(H, D)) * 0.6, "W_hh": rng.normal(size=(H, H)) * 0.6, "b_h": rng.normal(size=H)}
        xs = rng.normal(size=(T, B, D))
        xs[np.arange(T)[:, None] >= np.array(lengths)[None, :]] = rng.normal(size=D)  # padding is not zeros
        return (xs, p, rng.normal(size=(B, H)), np.array(lengths))

    cases = [Case("T = 5, B = 3, lengths = [5, 3, 1]", args(5, 3, 2, 3, [5, 3, 1])),
             Case("T = 4, B = 2, lengths = [2, 4]", args(4, 2, 3, 2, [2, 4]))]
    return check_function(
        fn, title="Reverse direction", arg_names=("xs", "p", "h0", "lengths"), cases=cases,
        reference=reference_reverse_direction, mistakes=REVERSE_MISTAKES,
        output_names=("out", "h_n"),
        hints=REVERSE_HINTS, report=report)


REVERSE_HINTS = Hints(
    nudge="the reverse direction reads each sequence from its own last real step back to the first (the "
          "chapter's bidirectional equations). At which index does each state go in out (T, B, H), what is in "
          "the padded steps, and which state is h_n (B, H)?",
    formula="for each b, from h = h0[b], for t = lengths[b] - 1 down to 0: h = tanh(W_xh xs[t, b] + W_hh h + "
            "b_h) and out[t, b] = h; out[t, b] = 0 for t >= lengths[b]; h_n[b] = the state after t = 0.")
check_reverse_direction.hints = REVERSE_HINTS
