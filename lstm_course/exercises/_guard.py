"""Run learner code safely: a time limit, nothing escapes but KeyboardInterrupt, and checkers that never raise.

:func:`call_learner` runs one call of learner code and turns whatever happens
into a value; :func:`protect` wraps a whole checker. Both are re-exported by
:mod:`lstm_course.exercises._harness`, and ``lstm_course.exercises`` applies
:func:`protect` to every ``check_*`` name in its ``__all__``.
"""

import builtins
import functools
import inspect
import operator

import numpy as np

from . import runner

TIME_LIMIT = 10.0  # seconds one call of learner code may take; every case is tiny, so this means "never returns"


class TimeLimitExceeded(BaseException):
    """Raised inside learner code running past :data:`TIME_LIMIT` (a BaseException: ``except Exception`` misses it)."""


def call_learner(fn, *args):
    """Call learner code in a child process: ``(output, None)``, or ``(None, failure)``.

    ``output`` is plain data (see :mod:`lstm_course.exercises.runner`), and
    ``failure`` a :class:`runner.Failure` saying how the call ended instead:
    an exception, ``sys.exit()``, a time-out after :data:`TIME_LIMIT` seconds,
    ``os._exit`` or a signal. ``KeyboardInterrupt`` is re-raised.
    """
    return runner.run(fn, *args, limit=TIME_LIMIT)


def not_attempted(error):
    """Whether ``error`` (a :class:`runner.Failure` or an exception) is the seed's ``raise NotImplementedError``."""
    return isinstance(error, NotImplementedError) or (isinstance(error, runner.Failure) and error.not_implemented)


_text = runner._text  # ``str(value)`` that never raises, shortened to ``limit`` characters


def describe_error(error):
    """One sentence about what the learner's code did instead of returning (a :class:`runner.Failure` or an
    exception)."""
    if isinstance(error, runner.Failure):
        limit = TIME_LIMIT if error.limit is None else error.limit
        if error.kind == "raised":
            if error.not_implemented:
                return describe_error(NotImplementedError())
            if error.system_exit:
                return describe_error(SystemExit())
            return f"your function raised {error.type_name}" + (f": {error.message}" if error.message else "")
        if error.kind == "timeout" and error.returned:
            return (f"your function returned, but reading what it returned did not finish within {limit:g} s and "
                    "was stopped (an endless __iter__, __len__, __eq__ or __array__, or a generator?); return "
                    "NumPy arrays, numbers or tuples of them")
        if error.kind == "timeout":
            return describe_error(TimeLimitExceeded(limit))
        if error.kind == "exit":
            return (f"your function called os._exit({error.code}), which ends the process at once: return a value "
                    "instead")
        if error.kind == "signal":
            try:
                name = f" ({signal_name(error.code)})"
            except Exception:  # noqa: BLE001
                name = ""
            return (f"your function was killed by signal {error.code}{name} (os.kill, or out of memory?) and "
                    "returned nothing")
        return f"its result could not be read back: {error.message}"
    if isinstance(error, NotImplementedError):
        return "not attempted yet. Replace `raise NotImplementedError` with your code, then run this cell again"
    if isinstance(error, SystemExit):
        return ("your function called sys.exit() (or exit()/quit()), which stops a program: return a value "
                "instead")
    if isinstance(error, TimeLimitExceeded):
        limit = error.args[0] if error.args else TIME_LIMIT
        return (f"your function did not return within {limit:g} s and was stopped (an endless loop?); on "
                "these small cases a correct answer takes milliseconds")
    message = _text(error)
    return f"your function raised {type(error).__name__}" + (f": {message}" if message else "")


def signal_name(number):
    """``"SIGKILL"`` for 9, and so on."""
    import signal

    return signal.Signals(number).name


def _safe_report(report, message):
    try:
        report(message)
    except Exception:  # noqa: BLE001  (a broken report callable must not hide the message)
        print(message)


_SNAPSHOT = {}


def snapshot(modules):
    """Remember every function of ``modules`` (and the builtins), so that :func:`tampered` can tell if one is replaced.

    ``lstm_course.exercises`` calls it once, at import, with NumPy and the
    course's own modules: a learner's cell that then assigns, say,
    ``np.allclose = lambda *a, **k: True`` cannot make a checker pass.
    """
    for module in (builtins, *modules):
        name = getattr(module, "__name__", "?")
        functions = {key: value for key, value in vars(module).items() if callable(value) and not key.startswith("__")
                     and (module is not builtins or key in _BUILTINS)}
        _SNAPSHOT[name] = (module, list(functions), list(functions.values()))


# the builtins the checkers compare with (a kernel replaces others, such as input, in every cell)
_BUILTINS = {"abs", "all", "any", "bool", "callable", "dict", "float", "getattr", "hasattr", "int", "isinstance",
             "issubclass", "len", "list", "map", "max", "min", "next", "range", "repr", "round", "set", "sorted",
             "str", "sum", "tuple", "type", "zip"}


def tampered():
    """``"numpy.allclose"`` if a remembered function was replaced since :func:`snapshot` (the first), else None."""
    for name, (module, keys, values) in _SNAPSHOT.items():
        now = list(map(vars(module).get, keys))
        if any(map(operator.is_not, now, values)):  # identity only: a replacement's __eq__ is never called
            return next(f"{name}.{key}" for key, a, b in zip(keys, now, values) if a is not b)
    return None


def takes_values(checker):
    """Mark a checker whose arguments are the learner's values (not functions): :func:`protect` then reads
    them in a child process first, so that the checker only ever sees plain data."""
    checker.takes_values = True
    return checker


def protect(checker):
    """Wrap a checker so that it never raises: what escapes it is explained, and it returns False.

    ``KeyboardInterrupt`` still goes through. A checker called with the wrong
    arguments says how to call it. Before it runs, a replaced NumPy or course
    function (see :func:`tampered`) is named, and the check refused; the
    values given to a :func:`takes_values` checker are read in a child
    process. Applying it twice changes nothing.
    """
    if getattr(checker, "never_raises", False):
        return checker
    signature = inspect.signature(checker)
    reads_values = getattr(checker, "takes_values", False)

    @functools.wraps(checker)
    def guarded(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            _safe_report(kwargs.get("report", print), f"{checker.__name__}: {error}. Call it as "
                         f"{checker.__name__}{signature}.")
            return False
        report = bound.arguments.get("report", print)
        replaced = tampered()
        if replaced is not None:
            _safe_report(report, f"{checker.__name__}: your answer could not be checked: {replaced} was replaced "
                         "after lstm_course.exercises was imported (by code run in this notebook?). Restart the "
                         "kernel, and leave NumPy's and the course's functions as they are.")
            return False
        try:
            if reads_values:
                names = [name for name in bound.arguments if name != "report"]
                values, failure = runner.read_values(*(bound.arguments[name] for name in names), limit=TIME_LIMIT)
                if failure is not None:
                    what = describe_error(failure).replace("your function returned, but ", "")
                    _safe_report(report, f"{checker.__name__}: your answer could not be checked: {what}.")
                    return False
                bound.arguments.update(zip(names, values))
                args, kwargs = bound.args, bound.kwargs
            result = checker(*args, **kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001  (the promise: never raise for any learner code)
            what = describe_error(error) if isinstance(error, (SystemExit, TimeLimitExceeded)) else \
                f"using it raised {type(error).__name__}: {_text(error)}"
            _safe_report(report, f"{checker.__name__}: your answer could not be checked: {what}.")
            return False
        return isinstance(result, (bool, np.bool_)) and bool(result)

    guarded.never_raises = True
    return guarded


def protect_checkers(namespace, names):
    """Apply :func:`protect` to every ``check_*`` callable of ``names`` in ``namespace`` (a module's globals)."""
    for name in names:
        if name.startswith("check_") and callable(namespace.get(name)):
            namespace[name] = protect(namespace[name])
