"""Evidence: the statistical protocol every experiment's conclusions use (:mod:`lstm_course.evidence.protocol`).

A low layer: it imports NumPy (and SciPy lazily, inside the functions), never the experiments.
"""
