"""Checker for the GRU's backward step (torch.nn.GRU's form, reset after the recurrent product)."""

import numpy as np

from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, check_function, protect
from .variants import _args as _gru_args


def _cases():
    rng = np.random.default_rng(18)
    cases = []
    for name, (B, D, H) in (("D = H = 3, B = 2", (2, 3, 3)), ("D = 2, H = 4, B = 3", (3, 2, 4))):
        x_t, h_prev, p = _gru_args(rng, B, D, H)
        cases.append(Case(name, (rng.normal(size=(B, H)), x_t, h_prev, p)))
    return cases


def _backward(dh_t, x_t, h_prev, p, r_on_u=True, keep="z", fold_b_hn=False, b_hn_as_b_in=False, direct=True):
    """One GRU step's backward, written out; the switches make the mistakes of the zoo.

    ``fold_b_hn`` recomputes the forward step with b_hn outside the reset product (added to b_in) and
    differentiates that; the other switches change one line of the backward pass.
    """
    r = sigmoid(x_t @ p["W_r"].T + h_prev @ p["U_r"].T + p["b_r"])
    z = sigmoid(x_t @ p["W_z"].T + h_prev @ p["U_z"].T + p["b_z"])
    u = h_prev @ p["U_n"].T + (0.0 if fold_b_hn else p["b_hn"])  # what the reset gate scales
    n = np.tanh(x_t @ p["W_n"].T + p["b_in"] + (p["b_hn"] if fold_b_hn else 0.0) + r * u)
    keep_old = z if keep == "z" else 1 - z  # h_t = (1 - z) n + z h_prev; swapped: z n + (1 - z) h_prev
    dh_prev = dh_t * keep_old if direct else np.zeros_like(h_prev)
    da_n = dh_t * (1 - keep_old) * (1 - n ** 2)
    da_z = dh_t * (h_prev - n) * z * (1 - z) * (1 if keep == "z" else -1)
    du = da_n * r if r_on_u else da_n
    da_r = da_n * u * r * (1 - r)
    grads = {f"W_{g}": d.T @ x_t for g, d in (("r", da_r), ("z", da_z), ("n", da_n))}
    grads.update(U_r=da_r.T @ h_prev, U_z=da_z.T @ h_prev, U_n=du.T @ h_prev, b_r=da_r.sum(axis=0),
                 b_z=da_z.sum(axis=0), b_in=da_n.sum(axis=0),
                 b_hn=(da_n if fold_b_hn or b_hn_as_b_in else du).sum(axis=0))
    dh_prev = dh_prev + du @ p["U_n"] + da_r @ p["U_r"] + da_z @ p["U_z"]
    dx_t = da_r @ p["W_r"] + da_z @ p["W_z"] + da_n @ p["W_n"]
    return dx_t, dh_prev, {key: grads[key] for key in p}


def reference_gru_step_backward(dh_t, x_t, h_prev, p):
    """The reference answer: ``(dx_t (B, D), dh_prev (B, H), grads)``, ``grads`` with the keys of ``p``."""
    return _backward(dh_t, x_t, h_prev, p)


GRU_BACKWARD_MISTAKES = [
    Mistake("reset gate missing on the U_n h path", "in torch.nn.GRU's form the candidate reads r_t * (U_n h_prev "
            "+ b_hn), so the gradient reaching U_n h_prev + b_hn is da_n * r_t, not da_n: it scales dU_n, db_hn and "
            "the term du @ U_n in dh_prev.",
            lambda dh, x, h, p: _backward(dh, x, h, p, r_on_u=False)),
    Mistake("z and 1 - z swapped", "in this book's convention z keeps the old state: h_t = (1 - z) * n + z * h_prev. "
            "So dh_prev gets dh_t * z, the candidate gets dh_t * (1 - z), and da_z = dh_t * (h_prev - n) * z * (1 - z).",
            lambda dh, x, h, p: _backward(dh, x, h, p, keep="1-z")),
    Mistake("b_hn folded into b_in", "b_hn sits inside the reset product, r_t * (U_n h_prev + b_hn); adding it to b_in "
            "outside the product is a different function (see 'Agreement with torch.nn.GRU'). Recompute the forward "
            "step with b_hn inside.", lambda dh, x, h, p: _backward(dh, x, h, p, fold_b_hn=True)),
    Mistake("b_hn's gradient taken as b_in's", "db_in = da_n.sum(axis=0), but b_hn is scaled by r_t: "
            "db_hn = (da_n * r_t).sum(axis=0), the same sum as dU_n's rows.",
            lambda dh, x, h, p: _backward(dh, x, h, p, b_hn_as_b_in=True)),
    Mistake("dh_prev misses the direct path through z * h_prev", "h_t = (1 - z) * n + z * h_prev reads h_prev "
            "directly: dh_prev starts from dh_t * z before the three paths through U_r, U_z and U_n are added. That "
            "direct term is the GRU's gradient highway, the LSTM's dc_prev = dc * f_t.",
            lambda dh, x, h, p: _backward(dh, x, h, p, direct=False)),
]

GRU_BACKWARD_HINTS = Hints(
    nudge="Recompute r, z and n from x_t, h_prev and p, then go back one equation at a time. h_t = (1 - z) * n + "
          "z * h_prev sends dh_t three ways: into n, into z, and straight into h_prev. Return dx_t (B, D), "
          "dh_prev (B, H) and grads, a dict with the keys and shapes of p.",
    formula="u = h_prev @ U_n.T + b_hn; da_n = dh_t * (1 - z) * (1 - n**2); da_z = dh_t * (h_prev - n) * z * (1 - z); "
            "du = da_n * r; da_r = da_n * u * r * (1 - r); dW_g = da_g.T @ x_t (g = r, z, n); dU_r = da_r.T @ h_prev, "
            "dU_z = da_z.T @ h_prev, dU_n = du.T @ h_prev; db_r, db_z, db_in, db_hn = the batch sums of da_r, da_z, "
            "da_n, du; dh_prev = dh_t * z + du @ U_n + da_r @ U_r + da_z @ U_z; dx_t = da_r @ W_r + da_z @ W_z + "
            "da_n @ W_n.")


@protect
def check_gru_step_backward(fn, report=print):
    """Check ``fn(dh_t, x_t, h_prev, p) -> (dx_t, dh_prev, grads)``: one GRU step backward, torch.nn.GRU's form.

    Parameters
    ----------
    fn : callable
        ``dh_t (B, H)``, ``x_t (B, D)``, ``h_prev (B, H)``; ``p`` holds ``W_r, W_z, W_n (H, D)``,
        ``U_r, U_z, U_n (H, H)`` and ``b_r, b_z, b_in, b_hn (H,)``. It returns ``dx_t (B, D)``,
        ``dh_prev (B, H)`` and ``grads``, a dict with the keys and shapes of ``p``.
    report : callable
        Receives the explanation (``print`` by default).

    Returns
    -------
    bool
        True only when right on every case; otherwise the likely mistake is named. Never raises.
    """
    return check_function(
        fn, title="GRU step backward", arg_names=("dh_t", "x_t", "h_prev", "p"), cases=_cases(),
        reference=reference_gru_step_backward, mistakes=GRU_BACKWARD_MISTAKES,
        output_names=("dx_t", "dh_prev", "grads"), hints=GRU_BACKWARD_HINTS, report=report)
