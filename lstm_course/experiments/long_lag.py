"""Hochreiter & Schmidhuber (1997), sections 5.4 and 5.6: the adding problem and temporal order 6a.

Both models get the same budget (steps x batch), the same Adam optimiser and
gradient clipping; we compare success rates, not the paper's sequence counts
(it used online SGD and a truncated RTRL-like gradient).
"""

import numpy as np
import torch

from ..data.long_lag import adding_problem, temporal_order
from ..models.recurrent_net import RecurrentNet, tensor
from ..models.training import train
from .running import one_thread, over_seeds

# The 1997 cell: no forget gate, input gates started negative as in the paper (which used -3, -6 for
# adding and -2, -4 for temporal order) so that the cell does not drift before it has learned what to store.
MODELS = {"lstm": dict(kind="lstm", forget_gate=False, input_bias=-3.0), "rnn": dict(kind="rnn")}
# The modern cell (Gers et al. 2000), as torch.nn.LSTM users meet it: a forget gate, input gates
# started at zero; its forget bias started at 1 (Jozefowicz et al. 2015) and at 0 (torch's default, about).
FORGET_GATE_MODELS = {"lstm_forget_gate": dict(kind="lstm", forget_bias=1.0),
                      "lstm_forget_gate_b0": dict(kind="lstm", forget_bias=0.0)}
ADDING_BUDGETS = (600, 2000, 5000, 10000)  # steps of 64 sequences, for run_adding_budget
# run_adding_factorial: the forget gate (trainable, or pinned at 1: the 1997 cell) crossed with the biases.
FACTORIAL_INPUT_BIASES = (0.0, -3.0)
FACTORIAL_FORGET_BIASES = (1.0, 3.0, 5.0)  # b_f = 3 with b_i = -3 only (CPU time)
# Arms of the factorial that run_adding already trains (same task, budget, seeds and test sets): not rerun.
FACTORIAL_IN_ADDING = {"pinned_bi-3": "lstm", "forget_gate_bf1_bi0": "lstm_forget_gate"}
IRNN_LR = 1e-3  # Adam's step for the IRNN; the other arms use train's 1e-2
PAPER_CRITERION = 2559 / 2560  # the 1997 paper's adding result: 2,559 of 2,560 test sequences correct


def _adding_loss(model, xs, lengths, y):
    return ((model.final(xs, lengths)[:, 0] - y) ** 2).mean()


def _order_loss(model, xs, lengths, y):
    return torch.nn.functional.cross_entropy(model.final(xs, lengths), y)


def _seeds(name, task, seeds, seed, progress, make_model, loss_fn, batches, steps, evaluate, lr=1e-2, at_init=None):
    def run_one(s, rng):
        model = make_model(rng)
        start = {} if at_init is None else at_init(model, np.random.default_rng(20_000 + s))
        history = train(model, loss_fn, lambda step: batches(rng), steps, lr=lr, progress=progress)
        with torch.no_grad():
            return {**start, **evaluate(model, np.random.default_rng(10_000 + s)), "seconds": history["seconds"],
                    "losses": history["losses"]}

    return over_seeds(run_one, seed, seeds, progress, f"{task}: {name}")


def _loss_curve(runs, points=60):
    """Training loss averaged over seeds and over windows of steps: (steps, losses), ``points`` long (or one
    point per step when there are fewer steps)."""
    losses = np.mean([r["losses"] for r in runs], axis=0)
    points = min(points, len(losses))
    edges = np.linspace(0, len(losses), points + 1).astype(int)
    return [int(b) for b in edges[1:]], [float(losses[a:b].mean()) for a, b in zip(edges[:-1], edges[1:])]


def _summarise(metrics, name, runs, extra, extra_name):
    """Success rate (mean and per seed), one extra mean, and seconds per run, keyed by model name."""
    metrics[f"{name}_success_rate"] = float(np.mean([r["success"] for r in runs]))
    metrics[f"{name}_success_per_seed"] = [r["success"] for r in runs]
    metrics[f"{name}_{extra_name}"] = float(np.mean([r[extra] for r in runs]))
    metrics[f"{name}_seconds_per_run"] = float(np.mean([r["seconds"] for r in runs]))


@one_thread
def run_adding(quick=False, seed=0, device="cpu", progress=print, T=100, backend="twin"):
    """Adding problem at T = 100: fraction of 2,560 test sequences with ``|error| < 0.04``, per model.

    ``backend`` runs the recurrence: our Torch twin (default) or ``"nn"`` (``torch.nn``).
    """
    steps, seeds, B, H = (30, 1, 64, 32) if quick else (600, 5, 64, 32)

    def batches(rng):
        b = adding_problem(B, T, rng)
        return tensor(b.xs, device), b.lengths, tensor(b.targets, device)

    def evaluate(model, rng):
        test = adding_problem(2560, T, rng)
        error = model.final(tensor(test.xs, device), test.lengths)[:, 0].cpu().numpy() - test.targets
        return {"success": float(np.mean(np.abs(error) < 0.04)), "mse": float(np.mean(error ** 2))}

    metrics = {"T": T, "steps": steps, "batch_size": B, "hidden_size": H, "seeds": seeds,
               "sequences_per_run": steps * B, "target_variance": 1 / 24, "backend": backend}
    for name, kw in {**MODELS, **FORGET_GATE_MODELS}.items():
        runs = _seeds(name, "adding", seeds, seed, progress, lambda rng: RecurrentNet(D=2, H=H, C=1, rng=rng, backend=backend, **kw).to(device),
                      _adding_loss, batches, steps, evaluate)
        _summarise(metrics, name, runs, "mse", "test_mse")
        metrics["loss_curve_steps"], metrics[f"{name}_loss_curve"] = _loss_curve(runs)
    return metrics


def run_adding_budget(quick=False, seed=0, device="cpu", progress=print, T=100, backend="twin"):
    """The forget-gate LSTM (b_f = 1) on the adding problem with growing budgets: success rate per budget.

    Same task, batch, hidden size, optimiser and clipping as :func:`run_adding`;
    each budget is a fresh training run (not a checkpoint of a longer one);
    ``backend``: our Torch twin (default) or ``"nn"``.
    """
    budgets, seeds, B, H = ((100, 300), 1, 64, 32) if quick else (ADDING_BUDGETS, 1, 64, 32)

    def batches(rng):
        b = adding_problem(B, T, rng)
        return tensor(b.xs, device), b.lengths, tensor(b.targets, device)

    def evaluate(model, rng):
        test = adding_problem(2560, T, rng)
        error = model.final(tensor(test.xs, device), test.lengths)[:, 0].cpu().numpy() - test.targets
        return {"success": float(np.mean(np.abs(error) < 0.04)), "mse": float(np.mean(error ** 2))}

    metrics = {"T": T, "budgets_steps": list(budgets), "batch_size": B, "hidden_size": H, "seeds": seeds,
               "backend": backend}
    for name in ("lstm_forget_gate",):
        kw, rates, per_seed = FORGET_GATE_MODELS[name], [], []
        for steps in budgets:
            runs = _seeds(name, f"adding, {steps} steps", seeds, seed, progress,
                          lambda rng: RecurrentNet(D=2, H=H, C=1, rng=rng, backend=backend, **kw).to(device),
                          _adding_loss, batches, steps, evaluate)
            rates.append(float(np.mean([r["success"] for r in runs])))
            per_seed.append([r["success"] for r in runs])
        metrics[f"{name}_success_rate_by_budget"] = rates
        metrics[f"{name}_success_per_seed_by_budget"] = per_seed
    return metrics


def factorial_arms():
    """The arms :func:`run_adding_factorial` trains: name -> ``RecurrentNet`` keyword arguments.

    The factorial crosses the forget gate, pinned at 1 (``pinned_bi{b_i}``: the 1997 cell) or trainable
    and started at ``b_f`` (``forget_gate_bf{b_f}_bi{b_i}``), with the input-gate bias ``b_i``, over
    ``FACTORIAL_FORGET_BIASES`` and ``FACTORIAL_INPUT_BIASES`` (``b_f = 3`` only with ``b_i = -3``, for
    CPU time). The arms :func:`run_adding` already trains on the same seeds (``FACTORIAL_IN_ADDING``)
    are left out; ``irnn`` is the identity-initialised ReLU RNN (Le et al. 2015), to set beside the
    tanh RNN of :func:`run_adding`.
    """
    arms = {f"pinned_bi{b_i:g}": dict(kind="lstm", forget_gate=False, input_bias=b_i)
            for b_i in FACTORIAL_INPUT_BIASES}
    for b_i in FACTORIAL_INPUT_BIASES:
        for b_f in FACTORIAL_FORGET_BIASES if b_i else FACTORIAL_FORGET_BIASES[::2]:
            arms[f"forget_gate_bf{b_f:g}_bi{b_i:g}"] = dict(kind="lstm", forget_bias=b_f, input_bias=b_i)
    arms = {name: kw for name, kw in arms.items() if name not in FACTORIAL_IN_ADDING}
    return {**arms, "irnn": dict(kind="irnn")}


def _input_gradient_ratio(T, device):
    """At initialisation: mean ||d y_hat / d x_t|| over the first ten steps over the last ten's (a batch of 64)."""
    def ratio(model, rng):
        xs = tensor(adding_problem(64, T, rng).xs[:T], device).requires_grad_(True)
        (grad,) = torch.autograd.grad(model(xs)[0][-1, :, 0].sum(), xs)
        g = grad.norm(dim=-1).mean(dim=1)
        return {"grad_ratio_at_init": float(g[:10].mean() / g[-10:].mean())}
    return ratio


@one_thread
def run_adding_factorial(quick=False, seed=0, device="cpu", progress=print, T=100, backend="twin", arms=None):
    """Adding problem at T = 100: the forget gate (trainable or pinned at 1) crossed with its biases, per seed.

    Every arm of :func:`factorial_arms` gets :func:`run_adding`'s task, batch, hidden size, steps, seeds,
    clipping and test draws (so its saved arms ``FACTORIAL_IN_ADDING`` complete the design); all but the
    IRNN (Adam at ``IRNN_LR``) train with Adam at 1e-2. The seed
    fixes both the training batches and the test set, so the arms are paired by seed. Also reported per
    arm: the gradient ratio first ten steps / last ten at initialisation (as in ``vanishing``), and how
    many seeds reach the paper's ``PAPER_CRITERION``. ``backend``: our Torch twin (default) or ``"nn"``.
    ``arms``: names of :func:`factorial_arms` to run (default all), to split the run over processes;
    each arm's numbers do not depend on which others run.
    """
    steps, seeds, B, H = (25, 1, 64, 32) if quick else (600, 5, 64, 32)

    def batches(rng):
        b = adding_problem(B, T, rng)
        return tensor(b.xs, device), b.lengths, tensor(b.targets, device)

    def evaluate(model, rng):
        test = adding_problem(2560, T, rng)
        error = model.final(tensor(test.xs, device), test.lengths)[:, 0].cpu().numpy() - test.targets
        return {"success": float(np.mean(np.abs(error) < 0.04)), "mse": float(np.mean(error ** 2))}

    every = factorial_arms()
    if arms is not None and (isinstance(arms, str) or not set(arms) <= set(every)):
        raise ValueError(f"expected arms among {sorted(every)}; got {arms!r}")
    arms = every if arms is None else {name: every[name] for name in arms}
    metrics = {"T": T, "steps": steps, "batch_size": B, "hidden_size": H, "seeds": seeds, "test_sequences": 2560,
               "sequences_per_run": steps * B, "target_variance": 1 / 24, "paper_criterion": PAPER_CRITERION,
               "irnn_lr": IRNN_LR, "lr": 1e-2, "backend": backend, "arms": arms, "in_adding": FACTORIAL_IN_ADDING}
    for name, kw in arms.items():
        runs = _seeds(name, "adding factorial", seeds, seed, progress,
                      lambda rng: RecurrentNet(D=2, H=H, C=1, rng=rng, backend=backend, **kw).to(device),
                      _adding_loss, batches, steps, evaluate, lr=IRNN_LR if name == "irnn" else 1e-2,
                      at_init=_input_gradient_ratio(T, device))
        _summarise(metrics, name, runs, "mse", "test_mse")
        metrics[f"{name}_grad_ratio_at_init_per_seed"] = [r["grad_ratio_at_init"] for r in runs]
        metrics[f"{name}_seeds_meeting_paper_criterion"] = int(sum(r["success"] >= PAPER_CRITERION for r in runs))
    return metrics


@one_thread
def run_temporal_order(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """Temporal order 6a (length 100-110): fraction of 2,560 test sequences correct by the paper's rule.

    Correct means every output is within 0.3 of its target (softmax probabilities against one-hot).
    ``backend``: our Torch twin (default) or ``"nn"``.
    """
    steps, seeds, B, H = (30, 1, 64, 32) if quick else (600, 5, 64, 32)

    def batches(rng):
        b = temporal_order(B, rng)
        return tensor(b.xs, device), b.lengths, torch.as_tensor(b.targets, device=device)

    def evaluate(model, rng):
        test = temporal_order(2560, rng)
        p = torch.softmax(model.final(tensor(test.xs, device), test.lengths), -1).cpu().numpy()
        target = np.eye(4)[test.targets]
        return {"success": float(np.mean(np.all(np.abs(p - target) < 0.3, axis=1))),
                "argmax_accuracy": float(np.mean(p.argmax(1) == test.targets))}

    metrics = {"steps": steps, "batch_size": B, "hidden_size": H, "seeds": seeds, "chance": 0.25,
               "sequences_per_run": steps * B, "backend": backend}
    for name, kw in MODELS.items():
        runs = _seeds(name, "temporal order", seeds, seed, progress,
                      lambda rng: RecurrentNet(D=8, H=H, C=4, rng=rng, backend=backend, **kw).to(device),
                      _order_loss, batches, steps, evaluate)
        _summarise(metrics, name, runs, "argmax_accuracy", "argmax_accuracy")
    return metrics
