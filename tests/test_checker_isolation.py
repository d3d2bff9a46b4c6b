"""Issue 20, section 3: checkers that learner code cannot break.

Learner code runs in a forked child that the checker kills at the time limit;
only plain data comes back, and the reference and every comparison are
computed in this process. Each test below is a hang, a crash or a false pass
of the earlier checkers; each asserts that the checker returns False, soon,
with the right one-line cause. The time limit is 1 s here (10 s in the book).
"""

import itertools
import os
import signal
import sys
import threading
import time

import numpy as np
import pytest

import lstm_course.exercises as exercises
from lstm_course.exercises import _guard, _harness, runner
from lstm_course.exercises.lstm import reference_lstm_step
from lstm_course.exercises.rnn import reference_rnn_step
from lstm_course.exercises.shapes import EXPECTED_SHAPES
from lstm_course.exercises.stacked import reference_stacked_forward
from lstm_course.exercises.variants import ABLATIONS

pytestmark = pytest.mark.skipif(not runner.FORK, reason="the child-process path needs os.fork")

LIMIT = 1.0


@pytest.fixture(autouse=True)
def short_limit(monkeypatch):
    monkeypatch.setattr(_guard, "TIME_LIMIT", LIMIT)


def _check(checker, *args):
    messages = []
    start = time.monotonic()
    result = checker(*args, report=messages.append)
    elapsed = time.monotonic() - start
    text = "\n".join(map(str, messages))
    assert result is False, text
    assert elapsed < LIMIT + 11, f"took {elapsed:.1f} s: {text}"
    return text


def _stopped(text):
    assert f"did not return within {LIMIT:g} s and was stopped" in text, text


# ---------------------------------------------------------------- hangs the old signal timer could not stop


def test_a_c_level_loop_is_killed():
    _stopped(_check(exercises.check_rnn_step, lambda x, h, p: sum(range(10 ** 12))))


def test_an_ignored_sigalrm_does_not_help():
    def ignores(x, h, p):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        while True:
            pass

    _stopped(_check(exercises.check_rnn_step, ignores))


def test_a_cleared_interval_timer_does_not_help():
    def clears(*args):
        while True:
            signal.setitimer(signal.ITIMER_REAL, 0)

    _stopped(_check(exercises.check_lstm_step, clears))


def _spinner(marker):
    """A learner's ``rnn_step`` that writes its process id to ``marker``, then loops for ever."""
    def spins(x, h, p):
        marker.write_text(str(os.getpid()))
        while True:
            pass

    return spins


def _when_written(marker, action, timeout=30.0):
    """Run ``action`` once ``marker`` exists (the child is spinning), in a thread; a busy machine may take a while."""
    def wait():
        deadline = time.monotonic() + timeout
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        action()

    thread = threading.Thread(target=wait)
    thread.start()
    return thread


def test_a_checker_called_from_a_worker_thread_really_kills_the_loop(tmp_path):
    marker = tmp_path / "pid"
    spins = _spinner(marker)
    results = []
    thread = threading.Thread(target=lambda: results.append(_check(exercises.check_rnn_step, spins)))
    thread.start()
    thread.join(LIMIT + 11)
    assert results and "did not return within" in results[0]
    pid = int(marker.read_text())
    assert pid != os.getpid()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the loop's process is gone, not left spinning


# ---------------------------------------------------------------- hostile objects: read in the child, never here


class EndlessEq:
    def __eq__(self, other):
        while True:
            pass

    __ne__ = __lt__ = __gt__ = __le__ = __ge__ = __eq__
    __hash__ = object.__hash__


class EndlessLen(tuple):
    def __len__(self):
        while True:
            pass


class EndlessArray:
    def __array__(self, dtype=None, copy=None):
        while True:
            pass


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class EndlessFloat(float):
    def __lt__(self, other):
        while True:
            pass

    __gt__ = __le__ = __ge__ = __eq__ = __lt__
    __hash__ = float.__hash__


def test_an_endless_eq_in_a_returned_value_is_never_called_here():
    text = _check(exercises.check_supporting_fact, lambda story, person: EndlessEq())
    assert "return the index of the sentence as one integer; got an object of type EndlessEq" in text


def test_an_endless_eq_in_an_answer_is_never_called_here():
    text = _check(exercises.check_answer, "which-lstm-adds", EndlessEq())
    assert "takes a letter as a string" in text and "(EndlessEq)" in text


def test_an_endless_len_in_a_returned_tuple():
    """Read in the child as the tuple it holds: the checker neither hangs nor calls its __len__ here."""
    start, messages = time.monotonic(), []
    assert exercises.check_lstm_step(lambda *args: EndlessLen(reference_lstm_step(*args)),
                                     report=messages.append) is True, messages
    answer = {key: EndlessLen(shape) for key, shape in EXPECTED_SHAPES.items()}
    assert exercises.check_rnn_shapes(answer, report=messages.append) is True, messages
    assert time.monotonic() - start < LIMIT + 11


def test_an_endless_array_conversion_is_stopped_in_the_child():
    text = _check(exercises.check_rnn_step, lambda x, h, p: EndlessArray())
    assert "reading what it returned did not finish within 1 s" in text, text


def test_an_endless_lt_on_a_measurement():
    measured = {v: EndlessFloat(1.0 + k) for k, v in enumerate(ABLATIONS)}
    worst = ABLATIONS[-1]
    messages = []
    assert exercises.check_worst_ablation(worst, measured, report=messages.append) is True, messages
    _check(exercises.check_worst_ablation, ABLATIONS[0], measured)


def test_an_exception_whose_str_never_returns():
    class Endless(Exception):
        def __str__(self):
            while True:
                pass

    def raises(x, h, p):
        raise Endless()

    _stopped(_check(exercises.check_rnn_step, raises))


def test_an_endless_generator_as_an_answer():
    answer = dict(EXPECTED_SHAPES, out=itertools.count())
    text = _check(exercises.check_rnn_shapes, answer)
    assert "out: expected a tuple of integers such as (7, 4, 3); got count" in text

    def forever():
        while True:
            yield 7

    text = _check(exercises.check_rnn_shapes, dict(EXPECTED_SHAPES, h_n=forever()))
    assert "h_n: expected a tuple of integers such as (7, 4, 3); got generator" in text


def test_an_endless_generator_returned_by_the_function():
    text = _check(exercises.check_rnn_step, lambda x, h, p: itertools.count())
    assert "h_t must be an array; got count" in text


# ---------------------------------------------------------------- crashes that used to take the kernel down


def test_os_exit_is_named():
    text = _check(exercises.check_rnn_step, lambda x, h, p: os._exit(3))
    assert "your function called os._exit(3)" in text


def test_a_signal_is_named():
    text = _check(exercises.check_rnn_step, lambda x, h, p: os.kill(os.getpid(), signal.SIGKILL))
    assert "your function was killed by signal 9 (SIGKILL)" in text


@pytest.fixture
def sigint_as_in_a_terminal():
    """Ctrl-C raises KeyboardInterrupt, even when pytest runs as a background job (which starts with SIGINT ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_keyboard_interrupt_in_the_parent_kills_the_child(tmp_path, sigint_as_in_a_terminal):
    marker = tmp_path / "pid"
    _guard.TIME_LIMIT = 60.0  # (the fixture restores it): the interrupt, not the limit, must end the check
    timer = _when_written(marker, lambda: os.kill(os.getpid(), signal.SIGINT))
    with pytest.raises(KeyboardInterrupt):
        exercises.check_rnn_step(_spinner(marker), report=lambda m: None)
    timer.join()
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)


# ---------------------------------------------------------------- tampering


def _wrong(x, h, p):
    return np.zeros((x.shape[0], p["W_hh"].shape[0]))


@pytest.mark.parametrize("target", ["allclose", "tanh"])
def test_patching_numpy_inside_the_function_only_affects_the_child(target):
    def patches(x, h, p):
        setattr(np, target, lambda *args, **kwargs: True if target == "allclose" else np.zeros(np.shape(args[0])))
        return _wrong(x, h, p)

    original = getattr(np, target)
    text = _check(exercises.check_rnn_step, patches)
    assert getattr(np, target) is original
    assert "h_t differs from the reference" in text or "not yet right" in text


def test_patching_the_harness_inside_the_function_only_affects_the_child():
    def patches(x, h, p):
        _harness._close = lambda *args, **kwargs: True
        _harness._mutated = lambda pairs: []
        return _wrong(x, h, p)

    original = _harness._close
    _check(exercises.check_rnn_step, patches)
    assert _harness._close is original


@pytest.mark.parametrize("module, name, replacement", [
    (np, "allclose", lambda *args, **kwargs: True),
    (np, "tanh", lambda z: np.zeros(np.shape(z))),
    (_harness, "_close", lambda *args, **kwargs: True),
    (_harness, "read_outputs", lambda out, expected, names: ([], None)),
])
def test_top_level_patching_before_the_checker_runs_is_refused(monkeypatch, module, name, replacement):
    monkeypatch.setattr(module, name, replacement)
    text = _check(exercises.check_rnn_step, _wrong)
    assert f"{module.__name__}.{name} was replaced after lstm_course.exercises was imported" in text
    assert text.count("\n") == 0  # one line


# ---------------------------------------------------------------- false passes of particular checkers


def test_stacked_forward_that_appends_to_its_list_input_fails():
    def appends(xs, layers, h0):
        out = reference_stacked_forward(xs, layers, h0)
        layers.append([])
        return out

    text = _check(exercises.check_stacked_forward, appends)
    assert "modified its input layers[3] (added) in place" in text


def test_tbptt_step_that_modifies_its_chunk_fails():
    torch = pytest.importorskip("torch")

    def step(model, chunk, state):
        logits, new_state = model(chunk[:-1], state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))
        chunk.zero_()
        return loss, tuple(s.detach() for s in new_state)

    _guard.TIME_LIMIT = 10.0  # (a first torch call in a child can be slow on a busy machine)
    text = _check(exercises.check_tbptt_step, step)
    assert "modified its input chunk in place (chunk 1)" in text


def _supporting(story, person):
    return max(s for s, sentence in enumerate(story) if sentence[0] == person)


@pytest.mark.parametrize("wrap, expected", [
    (float, "got 2.0 (float)"),
    (lambda k: np.array([k]), "(ndarray)"),
    (lambda k: AlwaysEqual(), "got an object of type AlwaysEqual"),
])
def test_supporting_fact_refuses_what_is_not_one_integer(wrap, expected):
    text = _check(exercises.check_supporting_fact, lambda story, person: wrap(_supporting(story, person)))
    assert "return the index of the sentence as one integer" in text
    assert expected in text or expected == "got 2.0 (float)", text
    messages = []
    assert exercises.check_supporting_fact(_supporting, report=messages.append) is True, messages
    assert exercises.check_supporting_fact(lambda s, p: np.int64(_supporting(s, p)), report=messages.append)


@pytest.mark.parametrize("teacher, free", [(np.nan, 0.4), (0.9, np.nan), (True, False), (0.9, np.inf)])
def test_exposure_answer_refuses_nan_and_boolean_measurements(teacher, free):
    text = _check(exercises.check_exposure_answer, "a", teacher, free)
    assert "must be the measured accuracy, a finite number" in text
    messages = []
    assert exercises.check_exposure_answer("a", 0.9, 0.4, report=messages.append) is True


@pytest.mark.parametrize("bad", [np.nan, True, np.inf])
def test_worst_ablation_refuses_nan_and_boolean_measurements(bad):
    measured = {v: 1.0 + 0.1 * k for k, v in enumerate(ABLATIONS)}
    measured[ABLATIONS[0]] = bad
    text = _check(exercises.check_worst_ablation, ABLATIONS[-1], measured)
    assert "measured must be a dict with a number for each of" in text


# ---------------------------------------------------------------- the runner itself


def test_a_checker_works_after_torch_ran_a_matmul_here():
    torch = pytest.importorskip("torch")
    a = torch.randn(400, 400)
    (a @ a).sum().item()  # OpenMP/BLAS threads are up in this process
    _guard.TIME_LIMIT = 10.0
    messages = []
    assert exercises.check_rnn_step(reference_rnn_step, report=messages.append) is True, messages

    def torch_in_the_child(x, h, p):
        t = torch.tensor(x) @ torch.tensor(p["W_xh"]).T + torch.tensor(h) @ torch.tensor(p["W_hh"]).T
        return torch.tanh(t + torch.tensor(p["b_h"])).numpy()

    assert exercises.check_rnn_step(torch_in_the_child, report=messages.append) is True, messages


def test_the_learners_prints_are_passed_on(capsys):
    def prints(x, h, p):
        print("shape of x:", x.shape)
        return reference_rnn_step(x, h, p)

    assert exercises.check_rnn_step(prints, report=lambda m: None) is True
    assert "shape of x: (2, 3)" in capsys.readouterr().out


def test_plain_data_comes_back_and_nothing_else():
    def returns(*args):
        return ({"a": np.arange(3), 1: [np.float32(2.5), True, None, "x"]}, (1 << 70, float("nan")), len, {1, 2})

    out, failure = runner.run(returns)
    assert failure is None
    first, (big, nan), fn, a_set = out
    assert first["a"].tolist() == [0, 1, 2] and first[1][0] == np.float32(2.5) and type(first[1][0]) is np.float32
    assert first[1][1:] == [True, None, "x"] and big == 1 << 70 and np.isnan(nan)
    assert isinstance(fn, runner.Opaque) and fn.type_name == "builtin_function_or_method"
    assert isinstance(a_set, runner.Opaque) and runner.type_name(a_set) == "set"


def test_the_in_process_path_gives_the_same_results(monkeypatch):
    monkeypatch.setattr(runner, "FORK", False)
    messages = []
    assert exercises.check_rnn_step(reference_rnn_step, report=messages.append) is True, messages
    assert exercises.check_rnn_step(_wrong, report=messages.append) is False
    out, failure = runner.run(lambda: (np.ones(2), [1, "a"]))
    assert failure is None and out[0].tolist() == [1.0, 1.0] and out[1] == [1, "a"]
    out, failure = runner.run(lambda: 1 / 0)
    assert out is None and failure.kind == "raised" and failure.type_name == "ZeroDivisionError"


def test_the_runner_does_not_run_in_the_parent():
    out, failure = runner.run(os.getpid)
    assert failure is None and out != os.getpid()
    assert sys.modules["lstm_course.exercises.runner"].FORK


# ---------------------------------------------------------------- global random state


def _reseeds(*args):
    np.random.seed(0)
    return 1


def _draws_python_random(*args):
    import random

    return random.random()


def _rng_argument(rng):
    return float(rng.random())


@pytest.mark.parametrize("fork", [True, False])
def test_the_runner_names_a_call_that_moves_a_global_generator(monkeypatch, fork):
    monkeypatch.setattr(runner, "FORK", fork)
    before = np.random.get_state()[1].copy()
    results, failure = runner.run_calls(_reseeds, [(), ()])
    assert failure is None and results[0].global_rng == ("numpy",)
    if fork:  # each call in the child starts from a fresh global stream: a re-seed to the same value shows again
        assert results[1].global_rng == ("numpy",)
    results, _ = runner.run_calls(_draws_python_random, [()])
    assert results[0].global_rng == ("random",)
    results, _ = runner.run_calls(_rng_argument, [(np.random.default_rng(0),)])
    assert results[0].global_rng == ()
    out, args = results[0]  # still a pair
    assert isinstance(out, float)
    if fork:  # the child's state is its own: the parent's generator is left alone
        assert np.array_equal(before, np.random.get_state()[1])
