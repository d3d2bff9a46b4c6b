"""Embedded Reber grammar (Hochreiter & Schmidhuber 1997, section 5.1) and its continual version,
where the forget gate matters (Gers, Schmidhuber & Cummins 2000)."""

import numpy as np
import torch

from ..data.reber import embedded_reber_sets, outer_positions, reber_stream
from ..models.recurrent_net import RecurrentNet, tensor
from ..models.training import train
from .running import one_thread, over_seeds


def _masked_bce(model, xs, legal, mask):
    """Binary cross-entropy against the set of legal next symbols, at the steps in ``mask``."""
    logits, _ = model(xs)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, legal, reduction="none").sum(-1)
    return (loss * mask).sum() / mask.sum()


def _stream_bce(model, xs, legal, state):
    """Binary cross-entropy on one chunk of a stream, starting from ``state``; returns ``(loss, state)`` to carry on."""
    logits, state = model(xs, state)
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, legal), state


def _all_predicted(model, data, device):
    """Per string: is every next symbol predicted? (the k most active outputs are exactly the k legal ones)."""
    with torch.no_grad():
        scores, _ = model(tensor(data.xs, device))
    scores = scores.cpu().numpy()
    legal = data.legal.astype(bool)
    k = legal.sum(-1, keepdims=True)
    rank = (-scores).argsort(-1).argsort(-1)  # 0 = most active
    ok = np.all((rank < k) == legal, axis=-1)  # (T, B)
    ok |= np.arange(data.xs.shape[0])[:, None] >= (data.lengths - 1)[None, :]  # nothing to predict there
    return ok.all(axis=0)


@one_thread
def run_reber(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """Embedded Reber: a seed is solved when every symbol of 256 training and 256 test strings is predicted.

    ``backend`` runs the recurrence: our Torch twin (default) or ``"nn"`` (``torch.nn``).
    """
    steps, seeds, B, H = (300, 1, 32, 16) if quick else (4000, 10, 32, 16)
    metrics = {"steps": steps, "batch_size": B, "hidden_size": H, "seeds": seeds, "sequences_per_run": steps * B,
               "backend": backend}
    for name, kw in {"lstm": dict(kind="lstm", forget_gate=False), "rnn": dict(kind="rnn")}.items():
        def run_one(s, rng):
            train_set, test_set = embedded_reber_sets(rng)
            model = RecurrentNet(D=7, H=H, C=7, rng=rng, backend=backend, **kw).to(device)
            mask = tensor(np.arange(train_set.xs.shape[0])[:, None] < (train_set.lengths - 1)[None, :], device)

            def batches(step):
                rows = rng.integers(0, train_set.xs.shape[1], size=B)
                return (tensor(train_set.xs[:, rows], device), tensor(train_set.legal[:, rows], device), mask[:, rows])

            history = train(model, _masked_bce, batches, steps, progress=progress)
            right = np.concatenate([_all_predicted(model, d, device) for d in (train_set, test_set)])
            return bool(right.all()), float(right.mean()), history["seconds"]

        solved, strings_right, seconds = map(list, zip(*over_seeds(run_one, seed, seeds, progress, f"reber: {name}")))
        metrics[f"{name}_solved_fraction"] = float(np.mean(solved))
        metrics[f"{name}_solved_per_seed"] = solved
        metrics[f"{name}_strings_fully_predicted"] = float(np.mean(strings_right))
        metrics[f"{name}_seconds_per_run"] = float(np.mean(seconds))
    return metrics


@one_thread
def run_forget_gate(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """Continual embedded Reber: one stream, never reset; LSTM with and without forget gate.

    Trained by truncated BPTT on chunks of parallel streams, the state carried
    (detached) from chunk to chunk. Reported: accuracy of the outer T/P
    predictions on a long fresh stream, and the cell-state norm along it. ``backend``: our Torch
    twin (default) or ``"nn"``.
    """
    steps, seeds, B, H, chunk, test_strings = (150, 1, 16, 8, 50, 200) if quick else (3000, 5, 16, 8, 50, 800)
    metrics = {"steps": steps, "batch_size": B, "hidden_size": H, "chunk": chunk, "seeds": seeds, "backend": backend}
    for name, kw in {"forget_gate": dict(forget_gate=True, forget_bias=1.0), "no_forget_gate": dict(forget_gate=False)}.items():
        def run_one(s, rng):
            stream = reber_stream(B, steps * chunk // 8 + 10, rng)
            model = RecurrentNet("lstm", 7, H, 7, rng, backend=backend, **kw).to(device)
            xs_all, legal_all = tensor(stream.xs, device), tensor(stream.legal, device)

            def batches(step):
                return xs_all[step * chunk:(step + 1) * chunk], legal_all[step * chunk:(step + 1) * chunk]

            # the state is carried across chunks, never reset (detached: truncated BPTT)
            history = train(model, _stream_bce, batches, steps, progress=progress, carry_state=True)
            acc, norm = _stream_eval(model, np.random.default_rng(20_000 + s), device, test_strings)
            return acc, norm, history["seconds"]

        runs = over_seeds(run_one, seed, seeds, progress, f"forget-gate: {name}")
        accuracy, norms, seconds = map(list, zip(*runs))
        metrics[f"{name}_outer_accuracy"] = float(np.mean(accuracy))
        metrics[f"{name}_outer_accuracy_per_seed"] = accuracy
        metrics[f"{name}_cell_norm_along_stream"] = np.mean(norms, axis=0).tolist()
        metrics[f"{name}_seconds_per_run"] = float(np.mean(seconds))
    metrics["test_strings"] = test_strings
    metrics["cell_norm_positions_fraction"] = np.linspace(0, 1, 10).tolist()
    return metrics


def _stream_eval(model, rng, device, strings):
    """On a fresh stream of ``strings`` embedded strings: outer T/P accuracy, and mean |c| at 10 evenly spaced positions."""
    stream = reber_stream(1, strings, rng)
    T = stream.xs.shape[0]
    xs = tensor(stream.xs, device)
    with torch.no_grad():
        logits, hc, cells = [], None, []
        for t in range(T):  # one step at a time, to read the cell state along the way
            out, hc = model(xs[t:t + 1], hc)
            logits.append(out[0, 0].cpu().numpy())
            cells.append(hc[1].abs().cpu().numpy().ravel())
    logits = np.array(logits)
    outer = outer_positions(stream.texts, T)[:, 0]
    target = stream.legal[:, 0].argmax(-1)
    accuracy = float(np.mean(logits[outer].argmax(-1) == target[outer]))
    positions = np.linspace(0, T - 1, 10).astype(int)
    return accuracy, [float(cells[t].mean()) for t in positions]
