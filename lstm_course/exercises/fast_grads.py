"""Checkers for "Making it fast": the weight gradients as one product after the loop, and a GRU's FLOP count."""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, protect


def _h_prev(hs, h0):
    return np.concatenate([h0[None], hs[:-1]], axis=0)  # h_prev[t] = h_(t-1)


def reference_batched_weight_grads(dZ, xs, hs, h0):
    """The reference answer: ``(dW_x (4H, D), dW_h (4H, H), db (4H,))`` from the stored ``dZ``.

    ``dZ (T, B, 4H)``: the gradient of the pre-activations of every step; ``xs (T, B, D)``;
    ``hs (T, B, H)``: the outputs ``h_1 .. h_T``; ``h0 (B, H)``: the initial state. One product each
    over all ``T B`` rows: ``dW_x = dZ^T X``, ``dW_h = dZ^T H_prev``, ``db = 1^T dZ``.
    """
    T, B, G = dZ.shape
    rows = dZ.reshape(T * B, G)
    h_prev = _h_prev(hs, h0)
    return rows.T @ xs.reshape(T * B, -1), rows.T @ h_prev.reshape(T * B, -1), rows.sum(axis=0)


def _per(dZ, xs, hs, h0, keep):
    """The three gradients with the axes in ``keep`` ("t" or "b") not summed over (a mistake)."""
    h_prev = _h_prev(hs, h0)
    out = "".join(keep)
    return (np.einsum(f"tbg,tbd->{out}gd", dZ, xs), np.einsum(f"tbg,tbd->{out}gd", dZ, h_prev),
            np.einsum(f"tbg->{out}g", dZ))


def _with_hs(dZ, xs, hs, h0):
    dW_x, _, db = reference_batched_weight_grads(dZ, xs, hs, h0)
    T, B, G = dZ.shape
    return dW_x, dZ.reshape(T * B, G).T @ hs.reshape(T * B, -1), db


def _transposed(dZ, xs, hs, h0):
    dW_x, dW_h, db = reference_batched_weight_grads(dZ, xs, hs, h0)
    return dW_x.T, dW_h.T, db


BATCHED_GRADS_MISTAKES = [
    Mistake("the sum over time forgotten", "each step adds dz_t^T [x_t, h_(t-1)] to the same weights, because "
            "the weights are shared across steps: sum over t as well (reshape dZ to (T B, 4H) and X to (T B, D) "
            "so that one product sums over both).", lambda *a: _per(*a, keep="t")),
    Mistake("the sum over batch forgotten", "every sequence of the batch uses the same weights: the gradient "
            "sums over the B rows too; one product over the T B rows does both sums.",
            lambda *a: _per(*a, keep="b")),
    Mistake("h_t used instead of h_prev", "step t's gates read h_(t-1), not h_t: the matrix that multiplies "
            "dZ for W_h is [h_0, h_1, ..., h_(T-1)], hs shifted down by one step with h0 in front.", _with_hs),
    Mistake("the transpose on the wrong side", "dW_x has the shape of W_x, (4H, D): dZ^T X, with dZ's "
            "(T B, 4H) rows transposed, not X^T dZ.", _transposed),
]


def _grads_cases():
    rng = np.random.default_rng(23)
    cases = []
    for label, T, B, D, H in (("T = 4, B = 3, D = 2, H = 3", 4, 3, 2, 3), ("T = 3, B = 2, D = 5, H = 2", 3, 2, 5, 2)):
        cases.append(Case(label, (rng.normal(size=(T, B, 4 * H)), rng.normal(size=(T, B, D)),
                                  np.tanh(rng.normal(size=(T, B, H))), np.tanh(rng.normal(size=(B, H))))))
    return cases


@protect
def check_batched_weight_grads(fn, report=print):
    """Check ``fn(dZ, xs, hs, h0) -> (dW_x, dW_h, db)``, the weight gradients after the backward loop.

    ``dZ (T, B, 4H)``, ``xs (T, B, D)``, ``hs (T, B, H)`` (the outputs ``h_1 .. h_T``), ``h0 (B, H)``;
    returns ``dW_x (4H, D)``, ``dW_h (4H, H)``, ``db (4H,)``. Returns True only when right; names the likely
    mistake otherwise; never raises.
    """
    return check_function(
        fn, title="batched weight gradients", arg_names=("dZ", "xs", "hs", "h0"), cases=_grads_cases(),
        reference=reference_batched_weight_grads, mistakes=BATCHED_GRADS_MISTAKES,
        output_names=("dW_x", "dW_h", "db"),
        hints=Hints(nudge="the weights are shared by every step and every sequence, so each gradient is a sum "
                          "over t and over the batch; the shapes to return are those of W_x (4H, D), W_h (4H, H) "
                          "and b (4H,). Which h does step t's pre-activation read?",
                    formula="with dZ as (T B, 4H) rows, X as (T B, D) and H_prev = [h0, h_1, ..., h_(T-1)] as "
                            "(T B, H): dW_x = dZ^T X, dW_h = dZ^T H_prev, db = the column sums of dZ."),
        report=report)


def reference_gru_flops(T, B, D, H):
    """The reference answer: FLOPs of one GRU layer's matrix products, one direction, forward plus backward.

    Three gates (r, z, n), each with an input product ``(B, D) x (D, H)`` and a recurrent product
    ``(B, H) x (H, H)`` per step: ``2 T B (D + H) 3H`` forward; the backward pass makes two products of the
    same size for each (the inputs' and the weights' gradients): ``18 T B (D + H) H`` in all.
    """
    return 18 * T * B * (D + H) * H


GRU_FLOPS_MISTAKES = [
    Mistake("the LSTM's four gates", "the GRU has three gate matrices (reset, update, candidate), not four: "
            "scale the LSTM's count by 3/4.", lambda T, B, D, H: 24 * T * B * (D + H) * H),
    Mistake("a multiply-add counted as one FLOP", "a multiply-add is two floating-point operations: an "
            "(m, k) @ (k, n) product costs 2 m k n.", lambda T, B, D, H: 9 * T * B * (D + H) * H),
    Mistake("the forward pass only", "the backward pass makes two products of each forward product's size: "
            "one for the gradient of the inputs and the state, one for the weights.",
            lambda T, B, D, H: 6 * T * B * (D + H) * H),
    Mistake("one backward product", "backward needs the gradient of both operands of each product: two "
            "products, not one.", lambda T, B, D, H: 12 * T * B * (D + H) * H),
    Mistake("the recurrent part left out", "each gate also multiplies h_(t-1), through U_r, U_z, U_n (H, H): "
            "the width is D + H, not D.", lambda T, B, D, H: 18 * T * B * D * H),
]


@protect
def check_gru_flops(fn, report=print):
    """Check ``fn(T, B, D, H) -> FLOPs`` of one GRU layer's matrix products, forward plus full backward.

    One direction; a multiply-add counts two; the elementwise work is left out. Returns True only when
    right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="GRU FLOP count", arg_names=("T", "B", "D", "H"),
        cases=[Case("a small layer", (3, 2, 5, 7)), Case("a layer with D < H", (4, 3, 2, 6))],
        reference=reference_gru_flops, mistakes=GRU_FLOPS_MISTAKES, output_names=("flops",),
        hints=Hints(nudge="list the GRU's matrix products of one step (chapter 18: which matrices, of which "
                          "shapes), count 2 m k n per (m, k) @ (k, n) product, then ask what the backward pass "
                          "adds, as this chapter did for the LSTM.",
                    formula="forward per step: 3 gates x [(B, D) @ (D, H) + (B, H) @ (H, H)] = 2 B (D + H) 3H; "
                            "forward plus backward is three times the forward, over T steps."),
        report=report)
