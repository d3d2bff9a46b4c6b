"""How an experiment runs: one seed after another, and on how many threads.

An experiment module states its own thread policy by decorating its ``run``
functions with :func:`one_thread`; the registry in
:mod:`lstm_course.experiments` names no experiment.
"""

import functools

import numpy as np


def over_seeds(run_one, seed, seeds, progress=None, label=""):
    """``[run_one(s, rng) for s in seed, ..., seed + seeds - 1]``, each with its own ``rng = default_rng(s)``.

    Parameters
    ----------
    run_one : callable
        ``run_one(s, rng) -> result`` trains and evaluates one model; its
        training draws come from ``rng`` (``s`` may seed a separate test set).
    seed, seeds : int
        The first seed and how many.
    progress : callable, optional
        Told ``"{label}, seed {s}"`` before each run.

    Returns
    -------
    list
        One result per seed, in order.
    """
    results = []
    for s in range(seed, seed + seeds):
        if progress is not None:
            progress(f"{label}, seed {s}")
        results.append(run_one(s, np.random.default_rng(s)))
    return results


def one_thread(run):
    """Decorate an experiment's ``run`` to use one torch thread, restoring the count afterwards.

    For the tiny networks of the long-time-lag experiments one thread is
    faster than two fighting over small matrices.
    """
    @functools.wraps(run)
    def single_threaded(*args, **kwargs):
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return run(*args, **kwargs)
        finally:
            torch.set_num_threads(threads)

    single_threaded.torch_threads = 1  # what the saved record's device_detail reports
    return single_threaded
