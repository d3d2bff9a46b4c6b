"""Checkers for the variants chapter: one GRU step, and a prediction of which ablation hurts most."""

import numpy as np

from ..notation import LSTM_VARIANTS
from ..numpy_impl.activations import sigmoid
from ._harness import Case, Hints, Mistake, _text, both, check_function, measurement, protect, takes_values


def _args(rng, B, D, H):
    p = {f"W_{g}": rng.normal(size=(H, D)) * 0.7 for g in "rzn"}
    p.update({f"U_{g}": rng.normal(size=(H, H)) * 0.7 for g in "rzn"})
    p.update({key: rng.normal(size=H) * 0.8 for key in ("b_r", "b_z", "b_in", "b_hn")})
    return (rng.normal(size=(B, D)), rng.normal(size=(B, H)) * 1.5, p)


def _cases():
    rng = np.random.default_rng(15)
    return [Case("D = H = 3, B = 2", _args(rng, 2, 3, 3)), Case("D = 2, H = 4, B = 3", _args(rng, 3, 2, 4))]


def _step(x_t, h_prev, p, reset="after", keep="z", gate=sigmoid, squash=np.tanh, fold_b_hn=False):
    r = gate(x_t @ p["W_r"].T + h_prev @ p["U_r"].T + p["b_r"])
    z = gate(x_t @ p["W_z"].T + h_prev @ p["U_z"].T + p["b_z"])
    if reset == "after" and fold_b_hn:  # b_hn added to b_in, outside the reset gate
        n = squash(x_t @ p["W_n"].T + p["b_in"] + p["b_hn"] + r * (h_prev @ p["U_n"].T))
    elif reset == "after":
        n = squash(x_t @ p["W_n"].T + p["b_in"] + r * (h_prev @ p["U_n"].T + p["b_hn"]))
    else:
        n = squash(x_t @ p["W_n"].T + p["b_in"] + (r * h_prev) @ p["U_n"].T + p["b_hn"])
    return (1 - z) * n + z * h_prev if keep == "z" else z * n + (1 - z) * h_prev


def _mistakes(reset):
    other = "before" if reset == "after" else "after"
    asked = {"after": "r * (h_prev @ U_n.T + b_hn), as torch.nn.GRU", "before": "(r * h_prev) @ U_n.T + b_hn, "
             "as Cho et al. 2014"}[reset]
    folded = [Mistake("b_hn folded into b_in", "in torch.nn.GRU's formulation the reset gate multiplies "
                      "(h_prev U_n^T + b_hn), the bias included: n = tanh(x_t W_n^T + b_in + r * (h_prev U_n^T + "
                      "b_hn)). Adding b_hn to b_in puts it outside the reset gate, so a closed gate (r = 0) no longer "
                      "removes it; the two biases can be merged only in the reset='before' formulation.",
                      lambda x, h, p: _step(x, h, p, reset, fold_b_hn=True))] if reset == "after" else []
    zoo = folded + [
        Mistake("z and 1 - z swapped", "in this book's (and torch.nn.GRU's) convention the update gate z keeps the "
                "old state: h_t = (1 - z) * n + z * h_prev. Some papers (Bahdanau et al.'s decoder) write it the "
                "other way round; both learn, but the weights are not interchangeable.",
                lambda x, h, p: _step(x, h, p, reset, keep="1-z")),
        Mistake("the other reset formulation", f"this exercise asks for reset='{reset}': {asked}. Your step "
                f"matches reset='{other}'; the two differ numerically for the same weights.",
                lambda x, h, p: _step(x, h, p, other)),
        Mistake("sigmoid and tanh swapped", "the gates r and z are sigmoids (between 0 and 1, they scale); the "
                "candidate n is a tanh (between -1 and 1, it is new content).",
                lambda x, h, p: _step(x, h, p, reset, gate=np.tanh, squash=sigmoid)),
    ]
    swapped, other_reset = zoo[len(folded)], zoo[len(folded) + 1]
    return zoo + [both(swapped, other_reset, lambda x, h, p: _step(x, h, p, other, keep="1-z"))]


@protect
def check_gru_step(fn, reset="after", report=print):
    """Check ``fn(x_t, h_prev, p) -> h_t`` against the GRU step in the formulation ``reset``.

    ``x_t (B, D)``, ``h_prev (B, H)``; ``p`` holds ``W_r, W_z, W_n (H, D)``,
    ``U_r, U_z, U_n (H, H)`` and ``b_r, b_z, b_in, b_hn (H,)``. ``reset`` is
    ``"after"`` (torch.nn.GRU) or ``"before"`` (Cho et al. 2014). Returns True
    only when right; names the likely mistake otherwise; never raises.
    """
    if reset not in ("after", "before"):
        report(f"GRU step: reset must be 'after' (torch.nn.GRU) or 'before' (Cho et al.); got {_text(reset, 40)}.")
        return False
    return check_function(
        fn, title=f"GRU step (reset {reset})", arg_names=("x_t", "h_prev", "p"), cases=_cases(),
        reference=lambda x, h, p: _step(x, h, p, reset), mistakes=_mistakes(reset), output_names=("h_t",),
        hints=gru_hints(reset), report=report)


def gru_hints(reset="after"):
    """The staged hints of the GRU step in the formulation ``reset``."""
    term = {"after": "r * (h_prev U_n^T + b_hn)", "before": "(r * h_prev) U_n^T + b_hn"}[reset]
    return Hints(
        nudge=f"compare with the chapter's GRU equations: two sigmoid gates (r and z) and a tanh candidate n. Where "
              f"does the reset gate act in the formulation reset='{reset}', and which of n and h_prev does z keep? "
              "Every product has a batch in rows; h_t is (B, H).",
        formula=f"r = sigmoid(x_t W_r^T + h_prev U_r^T + b_r), z = sigmoid(x_t W_z^T + h_prev U_z^T + b_z); "
                f"n = tanh(x_t W_n^T + b_in + {term}); h_t = (1 - z) * n + z * h_prev.")


check_gru_step.hints = gru_hints("after")


ABLATIONS = LSTM_VARIANTS[1:]
GREFF_WORST = ("no_forget_gate", "no_output_activation")  # "most critical" in Greff et al.'s abstract


@protect
@takes_values
def check_worst_ablation(answer, measured=None, report=print):
    """Which single change to the LSTM hurts most?

    Parameters
    ----------
    answer : str
        One of ``ABLATIONS`` (``"peephole"``, ``"cifg"``, ``"no_forget_gate"``, ...).
    measured : dict, optional
        ``{variant: validation bits/char}`` (``val_bpc_by_variant`` of ``run
        variants``). Without it the answer is checked against Greff et al.'s
        finding (before the results); with it, against the worst of our
        measured variants (after the results).
    """
    if answer is None:
        report(f"Not answered yet: name one of {list(ABLATIONS)}.")
        return False
    if not isinstance(answer, str) or answer.strip().lower() not in ABLATIONS:
        report(f"Give one of {list(ABLATIONS)} as a string; got {_text(answer, 60)}.")
        return False
    answer = answer.strip().lower()
    if measured is None:
        if answer in GREFF_WORST:
            report("Correct, by Greff et al. (2017): removing the forget gate or the output activation hurt most "
                   "on all three of their tasks.")
            return True
        why = {"peephole": "adding peepholes is not an ablation that hurts; Greff et al. found removing them "
                           "cost little.",
               "cifg": "coupling the input and forget gates cost little in Greff et al.'s runs, with fewer "
                       "parameters."}.get(answer, "that one hurt on some tasks, but not the most on all of them.")
        report(f"Not quite: {why} Hint: which part lets the cell reset itself, and which keeps h_t bounded?")
        return False
    if not isinstance(measured, dict) or not all(measurement(measured.get(v)) is not None for v in ABLATIONS):
        report(f"measured must be a dict with a number for each of {list(ABLATIONS)}, such as "
               "results['val_bpc_by_variant'] (finite numbers: no NaN, inf or booleans).")
        return False
    measured = {v: measurement(measured[v]) for v in ABLATIONS}
    worst = max(ABLATIONS, key=lambda v: measured[v])
    if answer == worst:
        report(f"Correct: in our runs {worst} has the highest validation bits/char, {measured[worst]:.3f}.")
        return True
    report(f"Not in our runs: {answer} reached {measured[answer]:.3f} bits/char; one variant did worse. "
           "Read the strip plot from the top.")
    return False
