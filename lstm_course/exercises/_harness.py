"""The machinery behind every checker: run the learner's function safely, then explain.

A checker never raises on a learner's function or answer. Two layers make
that true, and a new checker gets both for free (both live in
:mod:`lstm_course.exercises._guard` and are re-exported here):

- :func:`call_learner` runs one call of learner code with a time limit
  (``_guard.TIME_LIMIT`` seconds), and turns whatever happens (an exception,
  ``sys.exit()``, a function that never returns) into a value; only
  ``KeyboardInterrupt`` goes through, so the learner can still stop a cell;
- :func:`protect` wraps a whole checker (``lstm_course.exercises`` applies it
  to every ``check_*`` name in its ``__all__``): anything that still escapes
  becomes one explanation and ``False``, and a checker called with the wrong
  arguments says how to call it.

:func:`check_function` is the common checker for "write this function": it
calls it on fresh copies of fixed cases, checks that no input was modified in
place, reads the outputs (count, type, dtype, shape, NaN) with messages that
name each problem, compares with the reference and, when they differ, tries a
list of known mistakes (the "bug zoo" of ``pitfalls.md``) on each output
separately, so that two mistakes in two outputs are both named (and
:func:`both` names two mistakes made in one output). Its hints are staged
(:class:`Hints`): a nudge before any attempt, the formula after a wrong one.
"""

import copy
import itertools
import warnings
from typing import Callable, NamedTuple

import numpy as np

from . import runner
from ._guard import (TimeLimitExceeded, _text, call_learner, describe_error, not_attempted, protect,  # noqa: F401
                     protect_checkers, takes_values)
from .runner import Opaque, TensorInfo, type_name

def _call(fn, args):
    """The older calling convention, ``_call(fn, (arg, ...))``: :func:`call_learner` with the arguments unpacked."""
    return call_learner(fn, *args)


TOLERANCE = 1e-8  # float64 cases of size ~1: a correct answer agrees to ~1e-15


class Mistake(NamedTuple):
    """A known wrong implementation and what to tell a learner whose answer matches it."""

    name: str
    explanation: str
    fn: Callable
    parts: tuple = ()  # for two mistakes made at once (see :func:`both`), the names of the two


def both(first, second, fn):
    """A :class:`Mistake` for two known mistakes made at once: ``fn`` makes both; the report explains each."""
    return Mistake(f"{first.name} + {second.name}", f"two mistakes at once. First ({first.name}): "
                   f"{first.explanation} Second ({second.name}): {second.explanation}", fn,
                   (first.name, second.name))


def _simplest(found):
    """``found`` without a pair of mistakes when one of its two already explains the output alone."""
    alone = {m.name for m in found if not m.parts}
    return [m for m in found if not (set(m.parts) & alone)]


class Hints(NamedTuple):
    """Staged hints for one exercise: a nudge first, the formula only after a wrong attempt.

    ``nudge`` is shown before any attempt (the seed's ``raise NotImplementedError``): what to compare, which
    shape, which equation of the chapter. ``formula`` is shown after a wrong attempt: the equations to
    implement, still not the code. The full solution stays in the notebook's hidden dropdown.
    """

    nudge: str
    formula: str


def stage_hint(hints, attempted):
    """The hint to show: ``hints.nudge`` before an attempt, ``hints.formula`` after one.

    ``hints`` may also be a plain string (an exercise whose one hint is already only a nudge).
    """
    if isinstance(hints, Hints):
        return hints.formula if attempted else hints.nudge
    return str(hints)


def clause(text):
    """``text`` without its trailing full stop, to be followed by more punctuation (no "..", never raises)."""
    text = _text(text).rstrip()
    return text[:-1] if text.endswith(".") and not text.endswith("...") else text


class Case(NamedTuple):
    name: str
    args: tuple  # positional arguments for the function under test


def as_array(value, name):
    """Read one learner output as a real floating array: ``(array, None)`` or ``(None, problem)``.

    Integer arrays become float64; float32 and float16 are kept as they are,
    so that the caller can name them.
    """
    if value is None:
        return None, f"{name} is None: did you forget a `return`?"
    module = value.module if isinstance(value, Opaque) else (type(value).__module__ or "")
    if isinstance(value, TensorInfo) or module.split(".")[0] == "torch":
        return None, (f"{name} is a torch {type_name(value)}; this exercise works in NumPy: compute with "
                      "NumPy arrays and return one")
    if isinstance(value, Opaque) and value.dtype is not None:
        return None, (f"{name} is not an array of numbers (NumPy reads your ndarray as dtype "
                      f"{value.dtype}: rows of different lengths, or things that are not floats?)"
                      if value.dtype == "object" else f"{name} must hold numbers; got dtype {value.dtype}")
    if isinstance(value, (str, bytes, dict, set, Opaque)) or callable(value):
        return None, f"{name} must be an array; got {type_name(value)}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value)
    except Exception as error:  # noqa: BLE001
        return None, f"{name} cannot be read as an array ({type(error).__name__}: {_text(error, 120)})"
    kind = array.dtype.kind
    if kind == "O":
        return None, (f"{name} is not an array of numbers (NumPy reads your {type(value).__name__} as dtype "
                      "object: rows of different lengths, or things that are not floats?)")
    if kind == "c":
        return None, f"{name} holds complex numbers (dtype {array.dtype}); the answer is real"
    if kind == "b":
        return None, f"{name} holds booleans; expected numbers"
    if kind in "iu":
        return array.astype(np.float64), None
    if kind != "f":
        return None, f"{name} must hold numbers; got dtype {array.dtype}"
    return array, None


def measurement(value):
    """A measured number as a finite float, or None for anything else (a bool, NaN, inf, an array, a string)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    number = float(value)
    return number if np.isfinite(number) else None


def read_outputs(out, expected, names):
    """Read the learner's ``out`` against the reference's ``expected``.

    Returns ``(pairs, None)`` with ``pairs`` a list of ``(name, learner array,
    reference array)``, or ``(None, problem)`` naming a wrong count or type.
    """
    expected_items = list(expected) if isinstance(expected, tuple) else [expected]
    names = list(names) + [f"output {k + 1}" for k in range(len(names), len(expected_items))]
    wanted = ", ".join(names[:len(expected_items)])
    if len(expected_items) > 1:
        if out is None:
            return None, f"your function returned None: did you forget a `return`? Return a tuple ({wanted})"
        if not isinstance(out, (tuple, list)):
            return None, f"expected a tuple of {len(expected_items)} values ({wanted}); got {type_name(out)}"
        if len(out) != len(expected_items):
            return None, (f"expected {len(expected_items)} returned values ({wanted}); got "
                          f"{len(out)} values")
        out_items = list(out)
    elif isinstance(out, tuple):
        return None, (f"expected one array, {names[0]}; got a tuple of {len(out)} values. Return {names[0]} only "
                      f"(the package's *_step_forward functions return ({names[0]}, cache); here return just "
                      f"{names[0]})")
    else:
        out_items = [out]
    pairs = []
    for name, o, e in zip(names, out_items, expected_items):
        if isinstance(e, dict):
            if not isinstance(o, dict):
                return None, f"{name} must be a dict with keys {sorted(e)}; got {type_name(o)}"
            if set(o) != set(e):
                got = sorted(_text(key, 40) for key in o)
                return None, f"{name} must be a dict with keys {sorted(e)}; got keys {got}"
            for key in sorted(e):
                array, problem = as_array(o[key], f"{name}['{key}']")
                if problem:
                    return None, problem
                pairs.append((f"{name}['{key}']", array, np.asarray(e[key], dtype=np.float64)))
        else:
            array, problem = as_array(o, name)
            if problem:
                return None, problem
            pairs.append((name, array, np.asarray(e, dtype=np.float64)))
    return pairs, None


def _close(pairs, atol=TOLERANCE, rtol=0.0):
    return all(np.allclose(np.asarray(a, dtype=np.float64), e, rtol=rtol, atol=atol) for _, a, e in pairs)


def _matches_mistake(pairs, wrong, names):
    """Whether the learner's outputs equal a mistake's outputs (same shapes, within TOLERANCE); kept for callers."""
    wrong_pairs, problem = read_outputs(wrong, wrong, names)
    return problem is None and len(wrong_pairs) == len(pairs) and all(
        _same_values(a, w) for (_, a, _), (_, w, _) in zip(pairs, wrong_pairs))


def _flatten(out):
    """Outputs as a list of float64 arrays (dicts flattened in sorted key order); our own outputs only."""
    arrays = []
    for item in (out if isinstance(out, tuple) else (out,)):
        if isinstance(item, dict):
            arrays.extend(np.asarray(item[key], dtype=np.float64) for key in sorted(item))
        else:
            arrays.append(np.asarray(item, dtype=np.float64))
    return arrays


def _describe_args(names, args):
    parts = []
    for name, arg in zip(names, args):
        if isinstance(arg, dict):
            parts.append(f"{name} = {{" + ", ".join(f"{k}: {np.shape(v)}" for k, v in arg.items()) + "}")
        elif isinstance(arg, (list, tuple)) and arg and isinstance(arg[0], dict):
            parts.append(f"{name} = [{len(arg)} dicts]")
        elif isinstance(arg, (int, float)) and not isinstance(arg, bool):
            parts.append(f"{name} = {arg}")
        elif callable(arg):
            parts.append(f"{name} = a function")
        elif isinstance(arg, list) and len(arg) <= 8 and all(type(v) is int for v in arg):
            parts.append(f"{name} = {arg}")
        else:
            parts.append(f"{name} {np.shape(arg)}")
    return ", ".join(parts)


def _changed(before, after, path):
    """Paths where the plain value ``after`` differs from ``before`` (entries removed, added or changed)."""
    if isinstance(before, dict):
        if not isinstance(after, dict):
            return [path]
        changed = []
        for key in before:
            sub = f"{path}.{key}" if path else f"{key}"
            changed += _changed(before[key], after[key], sub) if key in after else [f"{sub} (removed)"]
        return changed + [f"{path}.{key} (added)" if path else f"{key} (added)" for key in after if key not in before]
    if isinstance(before, (list, tuple)):
        if type(after) is not type(before):
            return [path]
        changed = [item for k, (b, a) in enumerate(zip(before, after)) for item in _changed(b, a, f"{path}[{k}]")]
        changed += [f"{path}[{k}] (removed)" for k in range(len(after), len(before))]
        return changed + [f"{path}[{k}] (added)" for k in range(len(before), len(after))]
    return [] if runner._same(before, after) else [path]


def _mutated(pairs):
    """Names of the arguments whose contents changed: ``pairs`` holds (name, before, after), plain data."""
    return [item for name, before, after in pairs for item in _changed(before, after, name)]


def _precision_problem(pairs):
    """A float32/float16 output: say so, and whether its values are right to that precision."""
    for name, array, expected in pairs:
        if array.dtype.itemsize < 8:
            tol = 1e-2 if array.dtype.itemsize <= 2 else 1e-4
            close = _close(pairs, atol=tol, rtol=tol)
            return (f"{name} is {array.dtype}: compute in float64 (the inputs are float64; a cast such as "
                    f".astype(np.float32) or dtype=np.float32 loses precision). Its values "
                    + ("agree with the reference to {0} precision, so only the dtype is wrong".format(array.dtype)
                       if close else f"also differ from the reference beyond {array.dtype} rounding"))
    return None


def _nan_problem(pairs):
    for name, array, _ in pairs:
        n_nan, n_inf = int(np.isnan(array).sum()), int(np.isinf(array).sum())
        if n_nan or n_inf:
            what = " and ".join(part for part in (f"NaN in {n_nan}" if n_nan else "",
                                                  f"inf in {n_inf}" if n_inf else "") if part)
            return (f"{name} holds {what} of its {array.size} entries (an overflow, a division by zero, or an "
                    "uninitialised array such as np.empty?)")
    return None


def global_rng_leak(moved, advice):
    """The message for a learner call that changed a global random state (``moved``: names from
    :attr:`runner.Result.global_rng`), ending with ``advice`` (such as "use the rng argument")."""
    which = " and ".join({"numpy": "NumPy's global random state: it called np.random.seed or np.random.*",
                          "random": "Python's global random state: it called random.seed or random.*"}[name]
                         for name in moved)
    return f"your function changed {which}; {advice}"


def check_function(fn, *, title, arg_names, cases, reference, mistakes, check_output=None, hints,
                   report=print, output_names=None, global_rng_advice=None):
    """Run ``fn`` on every case; return True only if it matches ``reference`` everywhere.

    ``hints`` is a :class:`Hints` (the nudge before an attempt, the formula after a wrong one) or one string.
    ``output_names`` name the returned values in messages. ``check_output(out,
    expected) -> str | None`` may add a structural check of its own (it runs
    after the outputs have been read, and may not raise).

    When the outputs have the right structure but wrong values, each output is
    diagnosed on its own: the report has one line per wrong output, naming
    the known mistakes (``mistakes``) that reproduce *that* output, or saying
    that it matches none, and it says which outputs are right. Outputs that
    equal the reference's in another order are named as a swapped return.

    ``global_rng_advice`` (a clause such as "use the rng argument") makes a
    call that changes NumPy's or Python's global random state a mistake, named
    with that advice (for exercises that promise "never np.random.*").
    """
    hint = stage_hint(hints, attempted=True)
    if not callable(fn):
        report(f"{title}: expected a function, got {type_name(fn)}.")
        return False
    results, failure = runner.run_calls(fn, [copy.deepcopy(case.args) for case in cases])
    for n, case in enumerate(cases):
        where = f"on the case '{case.name}' ({_describe_args(arg_names, case.args)})"
        if n == len(results):
            if not_attempted(failure):
                report(f"{title}: {describe_error(failure)}.\nHint: {stage_hint(hints, attempted=False)}")
                return False
            report(f"{title}: {describe_error(failure)}\n  {where}.\nHint: {hint}")
            return False
        out, after = results[n]
        changed = _mutated(list(zip(arg_names, runner.to_plain(tuple(case.args)), after)))
        if changed:
            report(f"{title}: your function modified its input {', '.join(changed)} in place {where}. "
                   "Callers (and backpropagation) still need the original values: compute new arrays "
                   "instead of writing into the arguments (avoid +=, *=, [...] =, del on inputs).")
            return False
        moved = getattr(results[n], "global_rng", ())
        if global_rng_advice is not None and moved:
            report(f"{title}: {global_rng_leak(moved, global_rng_advice)}; seen {where}.")
            return False
        expected = reference(*copy.deepcopy(case.args))
        count = len(expected) if isinstance(expected, tuple) else 1
        names = list(output_names or (["your output"] if count == 1 else []))
        names += [f"output {k + 1}" for k in range(len(names), count)]
        names = names[:count]
        order = _swapped_order(out, expected, names)
        if order is not None:
            report(f"{title}: your values are right but you returned them in the order ({', '.join(order)}); "
                   f"expected ({', '.join(names)}) {where}. Return them in that order.")
            return False
        pairs, problem = read_outputs(out, expected, names)
        if problem is None:
            problem = next((f"{name} has shape {a.shape}, expected {e.shape}" for name, a, e in pairs
                            if a.shape != e.shape), None)
        if problem is None and check_output is not None:
            extra = _own(check_output, out, expected)
            problem = extra if isinstance(extra, str) else None
        if problem is None and _close(pairs) and all(a.dtype.itemsize >= 8 for _, a, _ in pairs):
            continue
        wrongs = []  # (mistake, its pairs) for every mistake whose outputs have the learner's structure
        if pairs is not None:
            for mistake in mistakes:
                wrong = _own(mistake.fn, *copy.deepcopy(case.args))
                wrong_pairs, bad = read_outputs(wrong, wrong, names) if wrong is not None else (None, "none")
                if bad is None and [name for name, _, _ in wrong_pairs] == [name for name, _, _ in pairs] and not all(
                        _same_values(w, e) for (_, w, _), (_, _, e) in zip(wrong_pairs, pairs)):
                    wrongs.append((mistake, wrong_pairs))  # (a mistake that gives the right answer here says nothing)
            whole = [m for m, wp in wrongs if all(_same_values(a, w) for (_, a, _), (_, w, _) in zip(pairs, wp))]
            if whole and (problem is not None or _precision_problem(pairs) or _nan_problem(pairs)):
                report(f"{title}: not yet right {where}.\n{_likely(whole)}\nHint: {hint}")
                return False
        problem = problem or _precision_problem(pairs) or _nan_problem(pairs)
        if problem is not None:
            report(f"{title}: {problem} {where}.\nHint: {hint}")
            return False
        report(f"{title}: not yet right {where}.\n{_diagnose(pairs, names, wrongs)}\nHint: {hint}")
        return False
    report(f"{title}: correct on all {len(cases)} cases.")
    return True


def _same_values(a, w):
    return a.shape == w.shape and np.allclose(np.asarray(a, dtype=np.float64), w, rtol=0, atol=TOLERANCE)


def _likely(found, indent=""):
    """``Likely cause (name): explanation`` for one mistake; each of several on its own line."""
    found = _simplest(found)
    if len(found) == 1:
        return f"{indent}Likely cause ({found[0].name}): {found[0].explanation}"
    return f"{indent}Likely cause, one of {len(found)} known mistakes that give this:\n" + "\n".join(
        f"{indent}  ({m.name}): {m.explanation}" for m in found)


def _group(pair_name, names):
    """The index of the output a pair belongs to (``grads['W']`` belongs to ``grads``)."""
    return next(k for k, name in enumerate(names) if pair_name == name or pair_name.startswith(name + "["))


def _diagnose(pairs, names, wrongs):
    """One line per wrong output: the known mistakes that reproduce that output, or none; the right ones named."""
    groups = {}
    for k, (name, a, e) in enumerate(pairs):
        groups.setdefault(_group(name, names), []).append(k)
    right = [names[g] for g, ks in groups.items() if all(_same_values(pairs[k][1], pairs[k][2]) for k in ks)]
    wrong = [g for g in groups if names[g] not in right]
    found = {g: _simplest([m for m, wp in wrongs if all(_same_values(pairs[k][1], wp[k][1]) for k in groups[g])])
             for g in wrong}
    tail = f"\nRight: {', '.join(right)}." if right else ""
    common = [m for m in found[wrong[0]] if all(m in found[g] for g in wrong)] if wrong else []
    if len(wrong) == 1 or common:  # one mistake that explains every wrong output is the likeliest
        where = "" if len(names) == 1 else f"Wrong: {', '.join(names[g] for g in wrong)}.\n"
        if common:
            return where + _likely(common) + tail
        return where + _none(pairs, groups, wrong[0], names) + tail
    lines, told = [], set()
    for g in wrong:
        if not found[g]:
            lines.append(f"- {_none(pairs, groups, g, names)}")
        elif all(m.name in told for m in found[g]):
            lines.append(f"- {names[g]}: likely cause ({' or '.join(m.name for m in found[g])}), as above.")
        else:
            lines.append(f"- {names[g]}: " + _likely(found[g], indent="  ").lstrip())
            told.update(m.name for m in found[g])
    return (f"{len(wrong)} of your {len(names)} outputs are wrong:\n" + "\n".join(lines)
            + tail)


def _none(pairs, groups, g, names):
    name, err = max(((pairs[k][0], float(np.max(np.abs(pairs[k][1] - pairs[k][2])))) for k in groups[g]),
                    key=lambda item: item[1])
    inside = f" (in {name})" if name != names[g] else ""
    return (f"{names[g]} differs from the reference by up to {err:.3g}{inside}, and the difference matches none of "
            "the common mistakes.")


def _swapped_order(out, expected, names):
    """The names in the order the learner returned them, when ``out`` is the reference's outputs reordered."""
    if not isinstance(expected, tuple) or len(expected) < 2 or not isinstance(out, (tuple, list)) or \
            len(out) != len(expected) or any(isinstance(e, dict) for e in expected):
        return None
    learner = [as_array(o, "x")[0] for o in out]
    reference = [np.asarray(e, dtype=np.float64) for e in expected]
    if any(a is None for a in learner):
        return None
    equal = [[_same_values(a, e) for e in reference] for a in learner]
    if all(equal[j][j] for j in range(len(out))):
        return None
    for order in itertools.permutations(range(len(out))):
        if all(equal[j][order[j]] for j in range(len(out))):
            return [names[k] for k in order]
    return None


def _own(fn, *args):
    """Call one of the checker's own functions (a mistake, a structural check) here, on plain data: its
    output, or None if it raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args)
    except Exception:  # noqa: BLE001
        return None


def shape_problem(out, expected, names):
    """Describe a mismatch in the number, type or shapes of outputs, or return None (never raises)."""
    pairs, problem = read_outputs(out, expected, names)
    if problem is not None:
        return problem
    return next((f"{name} has shape {a.shape}, expected {e.shape}" for name, a, e in pairs if a.shape != e.shape),
                None)
