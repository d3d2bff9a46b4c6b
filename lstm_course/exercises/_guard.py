"""Run learner code safely: a time limit, nothing escapes but KeyboardInterrupt, and checkers that never raise.

:func:`call_learner` runs one call of learner code and turns whatever happens
into a value; :func:`protect` wraps a whole checker. Both are re-exported by
:mod:`lstm_course.exercises._harness`, and ``lstm_course.exercises`` applies
:func:`protect` to every ``check_*`` name in its ``__all__``.
"""

import functools
import inspect
import signal
import threading
import time

import numpy as np

TIME_LIMIT = 10.0  # seconds one call of learner code may take; every case is tiny, so this means "never returns"


class TimeLimitExceeded(BaseException):
    """Raised inside learner code running past :data:`TIME_LIMIT` (a BaseException: ``except Exception`` misses it)."""


def _importing(frame):
    """Whether the interrupted code is inside an import; the alarm then waits for its next tick."""
    while frame is not None:
        if frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        frame = frame.f_back
    return False


def _run_with_signal(fn, args, limit):
    """Main thread on Unix: an interval timer raises inside the learner's code, again every 0.2 s until it stops."""
    state = {"active": True, "fired": False}

    def on_alarm(signum, frame):
        if state["active"] and not _importing(frame):  # never break a module half-imported (torch would crash)
            state["fired"] = True
            raise TimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, limit, 0.2)  # returns the timer it replaces
    start = time.monotonic()
    try:
        out = fn(*args)
    finally:
        state["active"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer_delay > 0:  # someone else's timer was running: give it back, less the time spent here
            signal.setitimer(signal.ITIMER_REAL, max(outer_delay - (time.monotonic() - start), 1e-3), outer_interval)
    if state["fired"]:  # the learner's code caught the first alarm and went on
        raise TimeLimitExceeded()
    return out


def _run_in_thread(fn, args, limit):
    """Elsewhere: run in a daemon thread and stop waiting after ``limit`` (the thread cannot be killed)."""
    result = {}

    def target():
        try:
            result["out"] = fn(*args)
        except BaseException as error:  # noqa: BLE001  (handed to the caller below)
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        raise TimeLimitExceeded()
    if "error" in result:
        raise result["error"]
    return result["out"]


def call_learner(fn, *args):
    """Call learner code: ``(output, None)``, or ``(None, error)`` for anything it raised or did.

    ``error`` is the exception: a ``SystemExit`` for ``sys.exit()``, a
    :class:`TimeLimitExceeded` after :data:`TIME_LIMIT` seconds.
    ``KeyboardInterrupt`` is re-raised.
    """
    limit = TIME_LIMIT
    in_main = threading.current_thread() is threading.main_thread()
    try:
        if hasattr(signal, "setitimer") and in_main:
            return _run_with_signal(fn, args, limit), None
        return _run_in_thread(fn, args, limit), None
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001  (a checker must survive anything a learner writes)
        return None, error


def _text(value, limit=300):
    """``str(value)`` that never raises, shortened to ``limit`` characters."""
    try:
        text = str(value)
    except Exception:  # noqa: BLE001
        text = f"<a {type(value).__name__} that cannot be printed>"
    return text if len(text) <= limit else text[:limit] + " ..."


def describe_error(error):
    """One sentence about what the learner's code did instead of returning."""
    if isinstance(error, NotImplementedError):
        return "not attempted yet. Replace `raise NotImplementedError` with your code, then run this cell again"
    if isinstance(error, SystemExit):
        return ("your function called sys.exit() (or exit()/quit()), which stops a program: return a value "
                "instead")
    if isinstance(error, TimeLimitExceeded):
        return (f"your function did not return within {TIME_LIMIT:g} s and was stopped (an endless loop?); on "
                "these small cases a correct answer takes milliseconds")
    message = _text(error)
    return f"your function raised {type(error).__name__}" + (f": {message}" if message else "")


def _safe_report(report, message):
    try:
        report(message)
    except Exception:  # noqa: BLE001  (a broken report callable must not hide the message)
        print(message)


def protect(checker):
    """Wrap a checker so that it never raises: what escapes it is explained, and it returns False.

    ``KeyboardInterrupt`` still goes through. A checker called with the wrong
    arguments says how to call it. Applying it twice changes nothing.
    """
    if getattr(checker, "never_raises", False):
        return checker
    signature = inspect.signature(checker)

    @functools.wraps(checker)
    def guarded(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            _safe_report(kwargs.get("report", print), f"{checker.__name__}: {error}. Call it as "
                         f"{checker.__name__}{signature}.")
            return False
        report = bound.arguments.get("report", print)
        try:
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
