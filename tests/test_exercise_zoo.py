"""A zoo of hostile learner code: every checker in ``lstm_course.exercises.__all__`` survives each one with a message.

The checkers are discovered, not listed, so a checker added later is covered
as soon as it is exported. Each hostile value goes into every argument of a
checker (and, for checkers of several arguments, next to plausible strings
taken from the checker's own module, such as question keys). A checker must
return ``False`` (a bool), report at least one line, and raise nothing; only
``KeyboardInterrupt`` goes through.
"""

import inspect
import pathlib
import sys

import numpy as np
import pytest

import lstm_course.exercises as exercises
from lstm_course.exercises import _guard, _harness

CHECKERS = {name: getattr(exercises, name) for name in exercises.__all__
            if name.startswith("check_") and callable(getattr(exercises, name))}


class Nasty:
    """An answer whose every operation raises."""

    def _boom(self, *args, **kwargs):
        raise RuntimeError("nasty")

    __eq__ = __ne__ = __lt__ = __hash__ = __len__ = __iter__ = __bool__ = __float__ = __int__ = __index__ = _boom
    __array__ = __getitem__ = __str__ = __repr__ = __getattr__ = _boom


class AnythingDict(dict):
    """A dict that claims every key and hands back a Nasty."""

    def get(self, key, default=None):
        return Nasty()

    def __getitem__(self, key):
        return Nasty()

    def __contains__(self, key):
        return True


class UnprintableError(Exception):
    def __str__(self):
        raise RuntimeError("cannot print me")


class CustomBaseException(BaseException):
    pass


def _raises(error):
    def fn(*args, **kwargs):
        raise error
    return fn


def _never_returns(*args, **kwargs):
    while True:
        pass


def _later(*args, calls=[0]):
    calls[0] += 1
    if calls[0] > 3:
        raise ValueError("only on a later call")
    return 0


def _deletes_keys(*args):
    for arg in args:
        for item in (arg if isinstance(arg, list) else [arg]):
            if isinstance(item, dict):
                item.clear()
    return args[0] if args else None


def _writes_nan(*args):
    for arg in args:
        if isinstance(arg, np.ndarray) and arg.dtype.kind == "f":
            arg[...] = np.nan
    return args[0] if args else None


def _zeroes_module(*args):
    for arg in args:
        if hasattr(arg, "parameters"):
            import torch

            with torch.no_grad():
                for p in arg.parameters():
                    p.zero_()
    return None


def _calls_backward(*args):
    for arg in args:
        if hasattr(arg, "parameters"):
            sum(p.sum() for p in arg.parameters()).backward()
    return None


def _grad_tensor(*args):
    import torch

    return torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)


def _generator(*args):
    yield 0


HOSTILE = {
    "raises ValueError": _raises(ValueError("boom")),
    "raises NotImplementedError": _raises(NotImplementedError()),
    "raises an unprintable error": _raises(UnprintableError()),
    "raises a BaseException subclass": _raises(CustomBaseException()),
    "raises SystemExit": _raises(SystemExit(3)),
    "calls sys.exit()": lambda *args: sys.exit(),
    "never returns": _never_returns,
    "raises only on a later call": _later,
    "returns None": lambda *args: None,
    "returns object()": lambda *args: object(),
    "returns a Nasty": lambda *args: Nasty(),
    "returns a string": lambda *args: "h_t",
    "returns a ragged list": lambda *args: [[1.0, 2.0], [3.0]],
    "returns an object array": lambda *args: np.array([np.zeros(2), "x"], dtype=object),
    "returns complex": lambda *args: np.asarray(args[0]) + 1j if args and isinstance(args[0], np.ndarray) else 1j,
    "returns float32": lambda *args: np.asarray(args[0], dtype=np.float32) if args and isinstance(args[0], np.ndarray)
    else np.float32(0.5),
    "returns NaN": lambda *args: np.full((2, 3), np.nan),
    "returns a bool array": lambda *args: np.ones((2, 3), dtype=bool),
    "returns a tuple of seven": lambda *args: tuple(np.zeros((2, 3)) for _ in range(7)),
    "returns (first argument, cache)": lambda *args: (args[0] if args else None, {"cache": 1}),
    "returns a dict": lambda *args: {"a": 1},
    "returns a generator": _generator,
    "returns a float": lambda *args: 2.5,
    "returns -1": lambda *args: -1,
    "returns True": lambda *args: True,
    "returns a huge int": lambda *args: 10 ** 30,
    "returns its first argument": lambda *args: args[0] if args else None,
    "deletes keys from its dict arguments": _deletes_keys,
    "writes NaN into its array arguments": _writes_nan,
    "zeroes the model's weights in place": _zeroes_module,
    "calls backward()": _calls_backward,
    "returns a tensor that requires grad": _grad_tensor,
}
ANSWERS = {
    "None": None, "object()": object(), "Nasty": Nasty(), "AnythingDict": AnythingDict(), "an int": 3,
    "a float": 2.5, "NaN": float("nan"), "True": True, "a string": "zzz", "an empty string": "", "bytes": b"a",
    "a list": [1, 2], "a set": {1}, "float shapes": (7.0, 4.0, 10.0), "an array": np.array([1, 2]),
    "an object array": np.array([None, "x"], dtype=object), "a dict": {"x": 1}, "a dict of Nasty": {"out": Nasty()},
}
HOSTILE.update({f"answer: {name}": value for name, value in ANSWERS.items()})


def _slots(checker):
    return [p.name for p in inspect.signature(checker).parameters.values()
            if p.name != "report" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _plausible_strings(checker):
    """Strings a checker expects, read from its module: dict keys and tuple items (question names, gates...)."""
    module = sys.modules[inspect.unwrap(checker).__module__]
    found = set()
    for value in vars(module).values():
        if isinstance(value, dict):
            for key in value:
                found.update(k for k in (key if isinstance(key, tuple) else (key,)) if isinstance(k, str))
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value) and len(value) < 20:
            found.update(value)
    return sorted(found)[:30]


# Beside every plausible string (every question key of a multiple-choice checker), these hostile values; the
# others beside the first few strings only. Each call forks a child: the full cross product (50 values x 2
# slots x 30 strings) took about 10 s per checker of two arguments.
EVERY_STRING = ("raises ValueError", "returns None", "returns a Nasty", "answer: None",
                "answer: Nasty", "answer: AnythingDict", "answer: a string", "answer: NaN", "answer: a dict of Nasty",
                "answer: an object array")
FIRST_STRINGS = 3


def _calls(checker):
    """Argument tuples to try: every hostile value in every slot, alone or beside plausible strings."""
    slots = _slots(checker)
    strings = _plausible_strings(checker)
    for name, value in HOSTILE.items():
        yield name, (value,) * len(slots)
        if len(slots) > 1:
            for k in range(len(slots)):
                for text in (strings if name in EVERY_STRING else strings[:FIRST_STRINGS]):
                    yield f"{name} in slot {k} beside {text!r}", tuple(value if j == k else text
                                                                       for j in range(len(slots)))


def test_the_zoo_finds_every_exported_checker():
    assert {"check_rnn_step", "check_tbptt_step", "check_answer", "check_rnn_shapes"} <= set(CHECKERS)
    assert all(getattr(checker, "never_raises", False) for checker in CHECKERS.values())


def survive(name):
    """Every call of the zoo on checker ``name``: the list of what went wrong (empty when it survived them all)."""
    checker, failures = CHECKERS[name], []
    for label, args in _calls(checker):
        messages = []
        try:
            result = checker(*args, report=messages.append)
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001
            failures.append(f"{label}: raised {type(error).__name__}")
            continue
        text = "\n".join(map(str, messages))
        if result is not False:
            failures.append(f"{label}: returned {result!r}, not False")
        elif not text.strip():
            failures.append(f"{label}: said nothing")
        elif "Traceback" in text or "by up to 0 " in text:
            failures.append(f"{label}: {text}")
    return failures


# The zoo makes about 9,000 checker calls, and a checker runs learner code in a forked child. A fork copies the
# parent's address space: from pytest's process, with torch and the notebooks' state in it, a fork costs several
# times what it costs from a fresh one (see runner.py). So the zoo runs in fresh processes of its own, two at once
# (CI has two cores, and this process only waits), each checker's verdict reported back to its own test below.
WORKERS = 2
WORKER = """
import json, sys
sys.path.insert(0, sys.argv[1])
import test_exercise_zoo as zoo
from lstm_course.exercises import _guard
_guard.TIME_LIMIT = 0.3
names = sys.argv[2:]
# checkers that import torch here go last: once torch is in this process, every later fork costs more
names.sort(key=lambda name: name in zoo.USES_TORCH)
results = {}
for name in names:
    results[name] = zoo.survive(name)
sys.__stdout__.write("\\nZOO " + json.dumps(results) + "\\n")
"""
USES_TORCH = {"check_tbptt_loop"}


@pytest.fixture(scope="module")
def zoo():
    import json
    import os
    import subprocess

    names = sorted(CHECKERS)
    shares = [names[k::WORKERS] for k in range(WORKERS)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(pathlib.Path(__file__).parent), *share],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
               for share in shares]
    results = {}
    for share, worker in zip(shares, workers):
        out, err = worker.communicate(timeout=900)
        line = next((line for line in reversed(out.splitlines()) if line.startswith("ZOO ")), None)
        assert worker.returncode == 0 and line, \
            f"the zoo's worker for {share[0]}... exited {worker.returncode}: {err[-2000:]}"
        results.update(json.loads(line[4:]))
    return results


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_every_checker_survives_the_whole_zoo_with_a_message(name, zoo):
    assert name in zoo, f"{name} was not run by the zoo's workers"
    assert not zoo[name], "\n".join(zoo[name])


def test_the_zoo_in_this_process_agrees_with_its_workers(monkeypatch, zoo):
    # the workers are a speed-up, not another test: one cheap checker's zoo here gives the same verdict
    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.3)
    assert survive("check_rnn_step") == zoo["check_rnn_step"] == []


@pytest.mark.parametrize("name", sorted(CHECKERS))
def test_keyboard_interrupt_in_learner_code_still_stops_the_checker(name):
    checker = CHECKERS[name]

    def interrupt(*args, **kwargs):  # runs in the checker's child process: the parent re-raises it
        raise KeyboardInterrupt

    try:
        result = checker(*(interrupt,) * len(_slots(checker)), report=lambda message: None)
    except KeyboardInterrupt:
        return
    assert result is False, "a checker that calls the function must let KeyboardInterrupt through"


def test_function_checkers_do_call_the_learners_function():
    """So that the KeyboardInterrupt test above is not vacuous for them."""
    calling = []
    for name, checker in CHECKERS.items():
        try:
            checker(*(_raises(KeyboardInterrupt()),) * len(_slots(checker)), report=lambda message: None)
        except KeyboardInterrupt:
            calling.append(name)
    assert {"check_rnn_step", "check_rnn_step_backward", "check_lstm_step", "check_lstm_step_backward",
            "check_stacked_forward", "check_reverse_direction", "check_sample_with_temperature"} <= set(calling)


def test_a_checker_called_with_the_wrong_arguments_says_how_to_call_it():
    messages = []
    assert exercises.check_rnn_step(report=messages.append) is False
    assert "check_rnn_step" in messages[0] and "Call it as check_rnn_step(fn, report=" in messages[0]


def test_a_function_that_never_returns_is_stopped_after_the_stated_limit(monkeypatch):
    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.5)
    messages = []
    assert exercises.check_lstm_step(_never_returns, report=messages.append) is False
    assert "did not return within 0.5 s and was stopped" in messages[0]
    assert _guard.TIME_LIMIT == 0.5 and "10 s" in exercises.__doc__


def test_the_time_limit_also_works_off_the_main_thread(monkeypatch):
    import threading

    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.3)
    stop = threading.Event()

    def spins_until_told(*args):
        while not stop.is_set():
            pass

    results = []
    thread = threading.Thread(target=lambda: results.append(_harness.call_learner(spins_until_told)))
    thread.start()
    thread.join(60)  # returns once the 0.3 s limit has stopped the call; 60 s only bounds a loaded machine's wait
    stop.set()  # (the loop runs in a child process, which the checker killed: nothing is left spinning here)
    assert results, "call_learner did not return within 60 s of a 0.3 s limit"
    assert results[0][0] is None and results[0][1].kind == "timeout"
