"""The book's experiments, run by ``python -m lstm_course run NAME``.

Each experiment is a function ``run(quick, seed, device, progress, **options) -> dict``
of JSON-serialisable metrics, registered below by name. ``--quick`` is the
small version the notebooks and CI run; the full version is what the book's
saved results come from. The experiments that train a model of
:mod:`lstm_course.models` with a recurrent core also take ``backend="twin"|"nn"``
(:func:`takes_backend`): our Torch twin by default, ``torch.nn`` for comparison.
An experiment states its own thread policy
(:func:`lstm_course.experiments.running.one_thread`); the registry knows none.
"""

import importlib
import inspect

EXPERIMENTS = {  # name: (module, function)
    "tagging": ("lstm_course.experiments.tagging", "run"),
    "adding": ("lstm_course.experiments.long_lag", "run_adding"),
    "adding-budget": ("lstm_course.experiments.long_lag", "run_adding_budget"),
    "adding-factorial": ("lstm_course.experiments.long_lag", "run_adding_factorial"),
    "temporal-order": ("lstm_course.experiments.long_lag", "run_temporal_order"),
    "reber": ("lstm_course.experiments.reber", "run_reber"),
    "forget-gate": ("lstm_course.experiments.reber", "run_forget_gate"),
    "vanishing": ("lstm_course.experiments.vanishing", "run"),
    "charlm": ("lstm_course.experiments.charlm", "run"),
    "ngram": ("lstm_course.experiments.ngram", "run"),
    "clipping": ("lstm_course.experiments.clipping", "run"),
    "crossval": ("lstm_course.experiments.crossval", "run"),
    "captioning": ("lstm_course.experiments.captioning", "run"),
    "captioning-attention": ("lstm_course.experiments.attend", "run"),
    "captioning-digits": ("lstm_course.experiments.digits", "run"),
    "audio": ("lstm_course.experiments.audio", "run"),
    "audio-instruments": ("lstm_course.experiments.instruments", "run"),
    "translate": ("lstm_course.experiments.translate", "run"),
    "translate-beams": ("lstm_course.experiments.translate", "run_beams"),
    "translate-bible": ("lstm_course.experiments.bible", "run"),
    "qa": ("lstm_course.experiments.qa", "run"),
    "qa-curve": ("lstm_course.experiments.qa", "run_curve"),
    "variants": ("lstm_course.experiments.variants", "run"),
    "forget-bias": ("lstm_course.experiments.forget_bias", "run"),
    "pos": ("lstm_course.experiments.pos", "run"),
    "reviews": ("lstm_course.experiments.reviews", "run"),
}


def _function(name):
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; choose one of {sorted(EXPERIMENTS)}")
    module, function = EXPERIMENTS[name]
    return getattr(importlib.import_module(module), function)


def takes_backend(name):
    """Whether experiment ``name`` takes ``backend="twin"|"nn"`` (it trains a recurrent core of :mod:`lstm_course.models`)."""
    return "backend" in inspect.signature(_function(name)).parameters


def torch_threads(name):
    """The torch thread count experiment ``name`` fixes for itself (1 under ``one_thread``), or None."""
    return getattr(_function(name), "torch_threads", None)


def run_experiment(name, quick=False, seed=0, device="cpu", progress=None, **options):
    """Run experiment ``name`` and return its metrics dict.

    Each experiment sets its own thread policy (see
    :func:`lstm_course.experiments.running.one_thread`).
    """
    run = _function(name)
    return run(quick=quick, seed=seed, device=device, progress=progress or (lambda message: None), **options)
