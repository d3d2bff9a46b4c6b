"""Checkers for the LSTM chapters: one step forward, one step backward, and a question about forgetting."""

import numpy as np

from ..notation import LSTM_GATES
from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect, takes_values, type_name


def _args(rng, B, D, H):
    p = {f"W_{g}": rng.normal(size=(H, D + H)) * 0.6 for g in LSTM_GATES}
    p.update({f"b_{g}": rng.normal(size=H) * 0.5 for g in LSTM_GATES})
    return (rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(B, H)), p)


def _cases(extra=lambda rng, args: args):
    rng = np.random.default_rng(21)
    # D = H first: there a concatenation in the wrong order still has the right shape, so it can be named
    return [Case("D = H = 3, B = 2", extra(rng, _args(rng, 2, 3, 3))),
            Case("D = 2, H = 4, B = 3", extra(rng, _args(rng, 3, 2, 4)))]


def _step(x_t, h_prev, c_prev, p, order="xh", forget=True, content=np.tanh, squash_c=True, gates=LSTM_GATES):
    z = np.concatenate([x_t, h_prev] if order == "xh" else [h_prev, x_t], axis=1)
    a = {g: z @ p[f"W_{g}"].T + p[f"b_{g}"] for g in LSTM_GATES}
    f, i, c_tilde, o = sigmoid(a[gates[0]]), sigmoid(a[gates[1]]), content(a[gates[2]]), sigmoid(a[gates[3]])
    c_t = (f * c_prev if forget else c_prev) + i * c_tilde
    return o * (np.tanh(c_t) if squash_c else c_t), c_t


def reference_lstm_step(x_t, h_prev, c_prev, p):
    """The reference answer: ``(h_t, c_t)``, each (B, H)."""
    return _step(x_t, h_prev, c_prev, p)


LSTM_STEP_MISTAKES = [
    Mistake("concatenation in the wrong order", "the weights act on [x_t, h_prev], the lower layer's output "
            "first (as in the lecture's [h_t^(k-1), h_{t-1}^(k)]): np.concatenate([x_t, h_prev], axis=1).",
            lambda x, h, c, p: _step(x, h, c, p, order="hx")),
    Mistake("missing forget gate", "the old cell state must be scaled by the forget gate: c_t = f_t * c_prev + "
            "i_t * c_tilde (without f_t this is the 1997 cell, which cannot reset).",
            lambda x, h, c, p: _step(x, h, c, p, forget=False)),
    Mistake("sigmoid where tanh belongs", "the content c_tilde uses tanh, so it can be negative; only the gates "
            "f, i, o use the sigmoid.", lambda x, h, c, p: _step(x, h, c, p, content=sigmoid)),
    Mistake("h = o * c without the tanh", "the output squashes the cell first: h_t = o_t * tanh(c_t).",
            lambda x, h, c, p: _step(x, h, c, p, squash_c=False)),
    Mistake("forget and input gates swapped", "W_f/b_f make the forget gate (it multiplies c_prev) and W_i/b_i "
            "the input gate (it multiplies c_tilde).", lambda x, h, c, p: _step(x, h, c, p, gates=("i", "f", "c", "o"))),
    Mistake("output and input gates swapped", "W_o/b_o make the output gate (it multiplies tanh(c_t)) and "
            "W_i/b_i the input gate.", lambda x, h, c, p: _step(x, h, c, p, gates=("f", "o", "c", "i"))),
]


@protect
def check_lstm_step(fn, report=print):
    """Check ``fn(x_t, h_prev, c_prev, p) -> (h_t, c_t)``.

    ``x_t (B, D)``, ``h_prev, c_prev (B, H)``; ``p`` holds ``W_f, W_i, W_c, W_o
    (H, D + H)`` acting on ``[x_t, h_prev]`` and ``b_f, b_i, b_c, b_o (H,)``.
    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(
        fn, title="LSTM step", arg_names=("x_t", "h_prev", "c_prev", "p"), cases=_cases(),
        reference=reference_lstm_step, mistakes=LSTM_STEP_MISTAKES,
        output_names=("h_t", "c_t"),
        hints=LSTM_STEP_HINTS, report=report)


LSTM_STEP_HINTS = Hints(
    nudge="compare with the chapter's LSTM equations (forget, input, content and output, then the cell update): "
          "which three use the sigmoid and which the tanh, and what multiplies c_prev? Every weight acts on the "
          "concatenation [x_t, h_prev] of shape (B, D + H); return (h_t, c_t), each (B, H).",
    formula="v = [x_t, h_prev]; f_t, i_t, o_t = sigmoid(v W_g^T + b_g), each with its own W_g and b_g; c_tilde = "
            "tanh(v W_c^T + b_c); c_t = f_t * c_prev + i_t * c_tilde; h_t = o_t * tanh(c_t).")
check_lstm_step.hints = LSTM_STEP_HINTS


def reference_lstm_step_backward(dh_t, dc_t, x_t, h_prev, c_prev, p):
    """The reference answer: ``(dx_t, dh_prev, dc_prev, grads)`` for one LSTM step."""
    return _backward(dh_t, dc_t, x_t, h_prev, c_prev, p)


def _backward(dh_t, dc_t, x_t, h_prev, c_prev, p, through_h=True, tanh_prime=True, scale_by_f=True):
    D = x_t.shape[1]
    z = np.concatenate([x_t, h_prev], axis=1)
    f, i, o = (sigmoid(z @ p[f"W_{g}"].T + p[f"b_{g}"]) for g in "fio")
    c_tilde = np.tanh(z @ p["W_c"].T + p["b_c"])
    tanh_c = np.tanh(f * c_prev + i * c_tilde)
    dc = dc_t + (dh_t * o * ((1 - tanh_c ** 2) if tanh_prime else 1) if through_h else 0)
    dz = {"f": dc * c_prev * f * (1 - f), "i": dc * c_tilde * i * (1 - i), "c": dc * i * (1 - c_tilde ** 2),
          "o": dh_t * tanh_c * o * (1 - o)}
    grads = {**{f"W_{g}": dz[g].T @ z for g in LSTM_GATES}, **{f"b_{g}": dz[g].sum(axis=0) for g in LSTM_GATES}}
    d_z = sum(dz[g] @ p[f"W_{g}"] for g in LSTM_GATES)
    return d_z[:, :D], d_z[:, D:], dc * f if scale_by_f else dc, grads


LSTM_STEP_BACKWARD_MISTAKES = [
    Mistake("cell gradient misses the path through h_t", "c_t also reaches the loss through h_t = o_t tanh(c_t): "
            "dc = dc_t + dh_t * o_t * (1 - tanh(c_t)**2).",
            lambda dh, dc, x, h, c, p: _backward(dh, dc, x, h, c, p, through_h=False)),
    Mistake("missing tanh derivative on the cell path", "from h_t to c_t the gradient passes through tanh: "
            "multiply by (1 - tanh(c_t)**2).", lambda dh, dc, x, h, c, p: _backward(dh, dc, x, h, c, p, tanh_prime=False)),
    Mistake("dc_prev not scaled by the forget gate", "c_t = f_t * c_prev + ..., so dc_prev = dc * f_t: the "
            "forget gate decides how much gradient flows back along the cell.",
            lambda dh, dc, x, h, c, p: _backward(dh, dc, x, h, c, p, scale_by_f=False)),
]


@protect
def check_lstm_step_backward(fn, report=print):
    """Check ``fn(dh_t, dc_t, x_t, h_prev, c_prev, p) -> (dx_t, dh_prev, dc_prev, grads)``.

    ``grads`` has the keys and shapes of ``p``. Never raises.
    """
    def add_upstream(rng, args):
        x_t, h_prev, c_prev, p = args
        return (rng.normal(size=h_prev.shape), rng.normal(size=h_prev.shape), x_t, h_prev, c_prev, p)

    return check_function(
        fn, title="LSTM step backward", arg_names=("dh_t", "dc_t", "x_t", "h_prev", "c_prev", "p"),
        cases=_cases(add_upstream), reference=reference_lstm_step_backward, mistakes=LSTM_STEP_BACKWARD_MISTAKES,
        output_names=("dx_t", "dh_prev", "dc_prev", "grads"),
        hints=LSTM_STEP_BACKWARD_HINTS, report=report)


LSTM_STEP_BACKWARD_HINTS = Hints(
    nudge="recompute the forward step first. c_t reaches the loss along two paths (dc_t, and dh_t through "
          "h_t = o_t tanh(c_t)); each gate's pre-activation gradient is its upstream times its activation's "
          "derivative (the chapter's backward equations). Return dx_t (B, D), dh_prev (B, H), dc_prev (B, H) and "
          "grads keyed like p.",
    formula="dc = dc_t + dh_t * o_t * (1 - tanh(c_t)^2); dz_f = dc * c_prev * f(1 - f), dz_i = dc * c_tilde * "
            "i(1 - i), dz_c = dc * i * (1 - c_tilde^2), dz_o = dh_t * tanh(c_t) * o(1 - o); dW_g = dz_g^T [x_t, "
            "h_prev], db_g = the batch sum of dz_g; [dx_t, dh_prev] = the sum over g of dz_g W_g; dc_prev = dc * f_t.")
check_lstm_step_backward.hints = LSTM_STEP_BACKWARD_HINTS


FORGET_FASTER = {
    ("forget", "decrease bias"): None,
    ("forget", "increase bias"): "a larger forget bias pushes f_t towards 1, so the cell keeps more of c_{t-1}: "
                                 "it forgets more slowly.",
    ("input", "increase bias"): "the input gate decides how much new content enters; it does not remove old content.",
    ("input", "decrease bias"): "less new content enters, but the old content stays: that is not forgetting.",
    ("output", "increase bias"): "the output gate only decides how much of the cell is shown in h_t; c_t keeps its memory.",
    ("output", "decrease bias"): "hiding the cell from h_t does not erase it: c_t still carries the memory.",
}


@protect
@takes_values
def check_forget_faster(gate, change, report=print):
    """Which gate, and which change to its bias, makes the cell forget faster?

    Parameters
    ----------
    gate : {"forget", "input", "output"}
    change : {"increase bias", "decrease bias"}
    """
    if gate is None or change is None:
        report("Forget faster: not answered yet. Choose a gate and a change to its bias.")
        return False
    if not isinstance(gate, str) or not isinstance(change, str):
        report(f"Forget faster: give the gate and the change as strings, such as check_forget_faster('input', "
               f"'increase bias'); got {type_name(gate)} and {type_name(change)}.")
        return False
    key = (gate.strip().lower(), change.strip().lower())
    if key not in FORGET_FASTER:
        report(f"Forget faster: choose gate from {['forget', 'input', 'output']} and change from "
               f"{['increase bias', 'decrease bias']}; got {(gate, change)!r}.")
        return False
    if FORGET_FASTER[key] is None:
        report("Forget faster: correct. With f_t = sigma(... + b_f), a lower b_f gives a smaller f_t, and the "
               "cell keeps f_t^k of what it held k steps ago.")
        return True
    report(f"Forget faster: not that one: {FORGET_FASTER[key]}")
    return False
