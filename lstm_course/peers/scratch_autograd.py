r"""A Torch LSTM in the style of d2l's "from scratch" section: one triple per gate, a Python loop, autograd.

Each gate has its own ``W_x (D, H)``, ``W_h (H, H)`` and ``b (H,)``; a step
computes four small products per input and four per state, and autograd
records every operation of every step. This is the code the bench compares our
Torch fast path with (:mod:`lstm_course.bench`).
"""

import torch

GATES = ("i", "f", "o", "c")


def triples(p, requires_grad=True):
    """``{gate: (W_x (D, H), W_h (H, H), b (H,))}`` as leaf tensors, from one direction of the package's parameters.

    Parameters
    ----------
    p : dict of ndarray or Tensor
        ``W_f, W_i, W_c, W_o (H, D + H)``, ``b_f, b_i, b_c, b_o (H,)``.
    """
    out = {}
    for g in GATES:
        W = torch.as_tensor(p[f"W_{g}"])
        D = W.shape[1] - W.shape[0]
        out[g] = tuple(t.T.contiguous().requires_grad_(requires_grad) if t.dim() == 2 else
                       t.clone().requires_grad_(requires_grad)
                       for t in (W[:, :D], W[:, D:], torch.as_tensor(p[f"b_{g}"])))
    return out


def forward(xs, h0, c0, gates):
    """All steps: ``xs (T, B, D)`` -> ``out (T, B, H)``, ``(h_n, c_n)``; differentiable through autograd."""
    h, c, outputs = h0, c0, []
    for x_t in xs:
        i_t, f_t, o_t = (torch.sigmoid(x_t @ gates[g][0] + h @ gates[g][1] + gates[g][2]) for g in "ifo")
        c_tilde = torch.tanh(x_t @ gates["c"][0] + h @ gates["c"][1] + gates["c"][2])
        c = f_t * c + i_t * c_tilde
        h = o_t * torch.tanh(c)
        outputs.append(h)
    return torch.stack(outputs), (h, c)
