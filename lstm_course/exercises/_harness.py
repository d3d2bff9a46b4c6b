"""The machinery behind every checker: run the learner's function safely, then explain.

A checker never raises on a learner's function. It calls it on fresh copies of
fixed cases, catches whatever happens, checks that no input was modified in
place, compares with the reference and, when they differ, tries a list of known
mistakes (the "bug zoo" of ``pitfalls.md``) to name the likely cause.
"""

import copy
from typing import Callable, NamedTuple

import numpy as np

from ..tree import tree_items

TOLERANCE = 1e-8  # float64 cases of size ~1: a correct answer agrees to ~1e-15


class Mistake(NamedTuple):
    """A known wrong implementation and what to tell a learner whose answer matches it."""

    name: str
    explanation: str
    fn: Callable


class Case(NamedTuple):
    name: str
    args: tuple  # positional arguments for the function under test


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def _flatten(out):
    """Outputs as a list of float64 arrays (dicts flattened in sorted key order)."""
    arrays = []
    for item in _as_tuple(out):
        if isinstance(item, dict):
            arrays.extend(np.asarray(item[key], dtype=np.float64) for key in sorted(item))
        else:
            arrays.append(np.asarray(item, dtype=np.float64))
    return arrays


def _same(a, b):
    fa, fb = _flatten(a), _flatten(b)
    return len(fa) == len(fb) and all(x.shape == y.shape and np.allclose(x, y, rtol=0, atol=TOLERANCE)
                                      for x, y in zip(fa, fb))


def _describe_args(names, args):
    parts = []
    for name, arg in zip(names, args):
        if isinstance(arg, dict):
            parts.append(f"{name} = {{" + ", ".join(f"{k}: {np.shape(v)}" for k, v in arg.items()) + "}")
        else:
            parts.append(f"{name} {np.shape(arg)}")
    return ", ".join(parts)


def _mutated(pairs):
    """Names of the arguments whose contents changed: ``pairs`` holds (name, before, after)."""
    changed = []
    for name, b, a in pairs:
        after = dict(tree_items(a, name))
        changed += [path for path, value in tree_items(b, name) if not np.array_equal(value, after[path])]
    return changed


def _call(fn, args):
    try:
        return fn(*args), None
    except NotImplementedError as error:
        return None, error
    except Exception as error:  # a checker must survive anything a learner writes
        return None, error


def check_function(fn, *, title, arg_names, cases, reference, mistakes, check_output, hints,
                   report=print):
    """Run ``fn`` on every case; return True only if it matches ``reference`` everywhere.

    ``check_output(out, expected) -> str | None`` describes a structural problem
    (wrong type, count or shape) or returns None.
    """
    if not callable(fn):
        report(f"{title}: expected a function, got {type(fn).__name__}.")
        return False
    for case in cases:
        args = copy.deepcopy(case.args)
        before = list(zip(arg_names, copy.deepcopy(case.args), args))
        out, error = _call(fn, args)
        where = f"on the case '{case.name}' ({_describe_args(arg_names, case.args)})"
        if isinstance(error, NotImplementedError):
            report(f"{title}: not attempted yet. Replace `raise NotImplementedError` with your code, "
                   f"then run this cell again.\nHint: {hints}")
            return False
        if error is not None:
            report(f"{title}: your function raised {type(error).__name__}: {error}\n  {where}.\n"
                   f"Hint: {hints}")
            return False
        changed = _mutated(before)
        if changed:
            report(f"{title}: your function modified its input {', '.join(changed)} in place {where}. "
                   "Callers (and backpropagation) still need the original values: compute new arrays "
                   "instead of writing into the arguments (avoid +=, *=, [...] = on inputs).")
            return False
        expected = reference(*copy.deepcopy(case.args))
        problem = check_output(out, expected)
        if problem is None and _same(out, expected):
            continue
        for mistake in mistakes:
            wrong, wrong_error = _call(mistake.fn, copy.deepcopy(case.args))
            if wrong_error is None and _flatten_ok(out) and _same(out, wrong):
                report(f"{title}: not yet right {where}.\nLikely cause ({mistake.name}): {mistake.explanation}")
                return False
        if problem is not None:
            report(f"{title}: {problem} {where}.\nHint: {hints}")
            return False
        err = max(float(np.max(np.abs(x - y))) for x, y in zip(_flatten(out), _flatten(expected)))
        report(f"{title}: the values differ from the reference by up to {err:.3g} {where}, "
               f"and the difference matches none of the common mistakes.\nHint: {hints}")
        return False
    report(f"{title}: correct on all {len(cases)} cases.")
    return True


def _flatten_ok(out):
    try:
        _flatten(out)
        return True
    except Exception:
        return False


def shape_problem(out, expected, names):
    """Describe a mismatch in the number, type or shapes of outputs, or return None."""
    if isinstance(expected, tuple) and (not isinstance(out, tuple) or len(out) != len(expected)):
        got = f"a tuple of {len(out)}" if isinstance(out, tuple) else type(out).__name__
        return f"expected a tuple ({', '.join(names)}); got {got}"
    outs, exps = _as_tuple(out), _as_tuple(expected)
    for name, o, e in zip(names, outs, exps):
        if isinstance(e, dict):
            if not isinstance(o, dict) or sorted(o) != sorted(e):
                got = sorted(o) if isinstance(o, dict) else type(o).__name__
                return f"{name} must be a dict with keys {sorted(e)}; got {got}"
            for key in e:
                if np.shape(o[key]) != np.shape(e[key]):
                    return f"{name}['{key}'] has shape {np.shape(o[key])}, expected {np.shape(e[key])}"
        elif o is None:
            return f"{name} is None: did you forget a `return`?"
        elif not hasattr(o, "shape") and not isinstance(o, (list, float)):
            return f"{name} must be an array; got {type(o).__name__}"
        elif np.shape(o) != np.shape(e):
            return f"{name} has shape {np.shape(o)}, expected {np.shape(e)}"
    return None
