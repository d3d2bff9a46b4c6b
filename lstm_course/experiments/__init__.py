"""The book's experiments, run by ``python -m lstm_course run NAME``.

Each experiment is a function ``run(quick, seed, device, progress) -> dict`` of
JSON-serialisable metrics. ``--quick`` is the small version the notebooks and
CI run; the full version is what the book's saved results come from.
"""

import importlib

EXPERIMENTS = {"tagging": "lstm_course.experiments.tagging"}


def run_experiment(name, quick=False, seed=0, device="cpu", progress=None):
    """Run experiment ``name`` and return its metrics dict."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {sorted(EXPERIMENTS)}")
    module = importlib.import_module(EXPERIMENTS[name])
    return module.run(quick=quick, seed=seed, device=device, progress=progress or (lambda message: None))
