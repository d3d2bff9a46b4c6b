r"""Vanishing and exploding gradients, measured (Bengio et al. 1994; Pascanu et al. 2013).

1. Tanh RNN: :math:`\|\partial h_T / \partial h_{T-k}\|_2` against the lag k, with
   :math:`W_{hh} = \rho Q` (Q orthogonal), beside Pascanu's bound
   :math:`(\gamma \lambda_1)^k` (:math:`\gamma = 1` for tanh, :math:`\lambda_1 = \rho`).
2. LSTM cell path: :math:`\|\partial c_T / \partial c_{T-k}\|` along the cell,
   :math:`\prod f_t`, for several forget-gate biases, and the 1997 cell (f = 1).
3. The adding problem at initialisation: :math:`\|\partial \hat y / \partial x_t\|`
   for every t, from our hand-written BPTT -- the signal that would teach the
   network to remember the marked values.
"""

import numpy as np

from ..data.long_lag import adding_problem
from ..numpy_impl import lstm_backward, lstm_forward, rnn_backward, rnn_forward
from ..params import init_lstm_params, init_rnn_params

RHOS = (0.5, 0.9, 1.0, 1.5, 3.0)
FORGET_BIASES = (0.0, 1.0, 3.0, 5.0)
LAGS = (1, 10, 25, 50, 100)
# Stated tolerances for `python -m lstm_course reproduce vanishing` (absolute, on log10 norms). At rho = 3 the
# tanh RNN's forward pass is chaotic: 100 steps amplify a last-bit difference of another CPU's BLAS into the
# saturation pattern of h_T, so its norms move by up to ~5e-5 in log10 (measured: AVX-512 record rerun on AVX2).
# Every other value is contracting or neutral and keeps the default (rel 1e-6).
TOLERANCES = {"rnn_log10_norm_rho_3.0": 1e-3}


def rnn_jacobian_norms(rho, rng, T=100, H=64, D=8, B=8):
    """Mean over the batch of log10 ||prod of step Jacobians||_2 for lags 1..T (float64)."""
    Q, _ = np.linalg.qr(rng.normal(size=(H, H)))
    params = init_rnn_params(D, H, rng=rng)
    params[0]["forward"]["W_hh"] = rho * Q
    params[0]["forward"]["W_xh"] = rng.normal(size=(H, D)) / np.sqrt(D)
    out, _, _ = rnn_forward(rng.normal(size=(T, B, D)), params)
    W_hh = params[0]["forward"]["W_hh"]
    logs = np.zeros((B, T))
    for b in range(B):
        J = np.eye(H)
        for k, t in enumerate(range(T - 1, -1, -1)):
            J = J @ ((1 - out[t, b] ** 2)[:, None] * W_hh)  # dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh
            logs[b, k] = np.log10(np.linalg.norm(J, 2))
    return logs.mean(axis=0)


def lstm_cell_path_norms(forget_bias, rng, T=100, H=64, D=8, B=8):
    """log10 of max_j prod f_t along the cell path, for lags 1..T (batch mean)."""
    params = init_lstm_params(D, H, rng=rng, forget_bias=forget_bias)
    _, _, cache = lstm_forward(rng.normal(size=(T, B, D)), params)
    f = np.stack([c.f_t for c in cache.stack.direction_caches[0][0].step_caches])  # (T, B, H)
    log_products = np.cumsum(np.log10(f[::-1]), axis=0)  # lag k = k+1 steps back from T
    return log_products.max(axis=-1).mean(axis=-1)


def adding_input_gradients(rng, T=100, H=16, B=64):
    """Mean ||d y_hat / d x_t|| over the batch, at initialisation, for RNN, LSTM (b_f = 1) and the 1997 LSTM."""
    batch = adding_problem(B, T, rng)
    xs = batch.xs[:T]  # the first T steps of every sequence (all lengths are >= T)
    readout = rng.normal(size=H) / np.sqrt(H)
    result = {}
    rnn_params = init_rnn_params(2, H, rng=rng)
    out, h_n, cache = rnn_forward(xs, rnn_params)
    d_out = np.zeros_like(out)
    d_out[-1] = readout  # y_hat = readout . h_T
    result["rnn"] = np.linalg.norm(rnn_backward(d_out, None, cache)[0], axis=-1).mean(axis=1)
    for name, bias in (("lstm_forget_bias_1", 1.0), ("lstm_1997", 1e4)):
        params = init_lstm_params(2, H, rng=rng, forget_bias=bias)
        if bias > 100:
            params[0]["forward"]["W_f"][:] = 0.0  # f_t = sigma(1e4) = 1 exactly: the 1997 cell
        out, _, cache = lstm_forward(xs, params)
        d_out = np.zeros_like(out)
        d_out[-1] = readout
        result[name] = np.linalg.norm(lstm_backward(d_out, None, None, cache)[0], axis=-1).mean(axis=1)
    return result


def run(quick=False, seed=0, device="cpu", progress=print):
    """``python -m lstm_course run vanishing``: gradient norms against the lag, for the tanh RNN and the LSTM cell."""
    rng = np.random.default_rng(seed)
    B = 2 if quick else 8
    metrics = {"lags": list(LAGS), "rhos": list(RHOS), "forget_biases": list(FORGET_BIASES)}
    for rho in RHOS:
        progress(f"tanh RNN, rho = {rho}")
        logs = rnn_jacobian_norms(rho, rng, B=B)
        metrics[f"rnn_log10_norm_rho_{rho}"] = [float(logs[k - 1]) for k in LAGS]
        metrics[f"pascanu_log10_bound_rho_{rho}"] = [float(k * np.log10(rho)) for k in LAGS]
    for b_f in FORGET_BIASES:
        progress(f"LSTM cell path, b_f = {b_f}")
        logs = lstm_cell_path_norms(b_f, rng, B=B)
        metrics[f"lstm_cell_log10_norm_bf_{b_f}"] = [float(logs[k - 1]) for k in LAGS]
    metrics["lstm_1997_cell_log10_norm"] = [0.0 for _ in LAGS]  # prod of f = 1 exactly
    grads = adding_input_gradients(rng)
    for name, g in grads.items():
        metrics[f"adding_grad_{name}"] = [float(v) for v in g]
        metrics[f"adding_grad_ratio_first10_to_last10_{name}"] = float(g[:10].mean() / g[-10:].mean())
    return metrics
