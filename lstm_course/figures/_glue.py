"""Glue a result into the book's prose, rounded so that it reads the same on every machine.

A float that passed through BLAS, an FFT or a reduction can differ in its 15th to 17th digit from one
CPU kernel to another. nbval compares glued values as text, so a glued ``0.8081810459108986`` fails on a
machine that computes ``...987``. The prose never shows more than a few digits, so the value is rounded to
``digits`` significant digits (6 unless told) before it is glued: nbval then compares what a reader sees.
"""

import math
import numbers

import numpy as np

DIGITS = 6


def round_significant(value, digits=DIGITS):
    """``value`` with every float in it rounded to ``digits`` significant digits.

    Parameters
    ----------
    value : float, int, bool, str, NumPy scalar or array, or a list, tuple or dict of these
        What is to be glued. Floats (Python or NumPy, alone, in an array of any shape, or nested in a
        list, tuple or dict) are rounded; integers, booleans, strings, NaN and infinities are returned
        as they are (NumPy integers and booleans as Python ones, NumPy floats as Python floats).
    digits : int
        Significant digits kept, at least 1.

    Returns
    -------
    object
        The same structure (an array keeps its shape), floats rounded.

    Raises
    ------
    ValueError
        If ``digits`` is not an integer of at least 1.
    """
    if isinstance(digits, bool) or not isinstance(digits, numbers.Integral) or digits < 1:
        raise ValueError(f"digits must be an integer of at least 1, got {digits!r}")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if not math.isfinite(value) else float(f"{value:.{digits}g}")
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f":
            return value
        return np.array([round_significant(v, digits) for v in value.ravel().tolist()],
                        dtype=value.dtype).reshape(value.shape)
    if isinstance(value, dict):
        return {k: round_significant(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(round_significant(v, digits) for v in value)
    return value


def glue(name, value, display=False, digits=DIGITS):
    """Glue ``value`` under ``name`` for the prose (myst-nb's ``glue``), its floats rounded first.

    Parameters
    ----------
    name : str
        The key the prose cites: ``{glue:text}`name:.3f```.
    value : object
        What is glued; see :func:`round_significant` for what is rounded.
    display : bool
        Also show it in the cell's output (myst-nb's ``display``); the book glues silently.
    digits : int
        Significant digits kept, at least 1; the prose must not format more than this.

    Returns
    -------
    None
        The value is recorded in the cell's output, where myst-nb finds it.

    Raises
    ------
    ValueError
        If ``name`` is not a non-empty string, or ``digits`` is not an integer of at least 1.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    rounded = round_significant(value, digits)
    from myst_nb import glue as myst_glue  # only notebooks need myst-nb; the package imports without it

    myst_glue(name, rounded, display=display)


def glue_claim(name, results_dir=None):
    """Decide one claim of the book from the saved runs and glue its verdict and figures.

    Glues ``claim-<name>-verdict`` (``"supported"``, ``"contradicted"`` or ``"inconclusive"``),
    ``-effect``, ``-low``, ``-high``, ``-n`` and ``-p`` (the p-value, NaN where the claim has no test),
    so that a chapter writes, for example, ``{glue:text}`claim-ch16-gain-raises-pitch-accuracy-effect:.2f```.

    Parameters
    ----------
    name : str
        A claim registered in ``lstm_course.evidence.chapters``.
    results_dir : path-like, optional
        Where the run records are (``book/results`` by default).

    Returns
    -------
    dict
        The evaluated claim (:func:`lstm_course.evidence.claims.evaluate`).
    """
    from lstm_course.evidence.claims import evaluate

    result = evaluate(name, results_dir)
    glue(f"claim-{name}-verdict", result["verdict"])
    for key in ("effect", "low", "high", "n"):
        glue(f"claim-{name}-{key}", result[key])
    glue(f"claim-{name}-p", float("nan") if result["p_value"] is None else result["p_value"])
    return result
