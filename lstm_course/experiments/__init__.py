"""The book's experiments, run by ``python -m lstm_course run NAME``.

Each experiment is a function ``run(quick, seed, device, progress) -> dict`` of
JSON-serialisable metrics. ``--quick`` is the small version the notebooks and
CI run; the full version is what the book's saved results come from.
"""

import importlib

EXPERIMENTS = {  # name: (module, function)
    "tagging": ("lstm_course.experiments.tagging", "run"),
    "adding": ("lstm_course.experiments.long_lag", "run_adding"),
    "temporal-order": ("lstm_course.experiments.long_lag", "run_temporal_order"),
    "reber": ("lstm_course.experiments.reber", "run_reber"),
    "forget-gate": ("lstm_course.experiments.reber", "run_forget_gate"),
    "vanishing": ("lstm_course.experiments.vanishing", "run"),
    "charlm": ("lstm_course.experiments.charlm", "run"),
    "translate": ("lstm_course.experiments.translate", "run"),
    "qa": ("lstm_course.experiments.qa", "run"),
}


def run_experiment(name, quick=False, seed=0, device="cpu", progress=None, **options):
    """Run experiment ``name`` and return its metrics dict."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {sorted(EXPERIMENTS)}")
    module, function = EXPERIMENTS[name]
    run = getattr(importlib.import_module(module), function)
    import torch

    threads = torch.get_num_threads()
    if name not in ("tagging", "charlm"):
        # these networks are tiny: one thread is faster than two fighting over small matrices
        torch.set_num_threads(1)
    try:
        return run(quick=quick, seed=seed, device=device, progress=progress or (lambda message: None), **options)
    finally:
        torch.set_num_threads(threads)
