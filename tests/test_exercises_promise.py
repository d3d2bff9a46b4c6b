"""Issue 13, section 4, case by case: checkers never raise, name what is wrong, and wrong answers fail."""

import sys

import numpy as np
import pytest

from lstm_course.exercises import (_guard, _harness, check_answer, check_forget_faster, check_lstm_step,
                                   check_rnn_shapes, check_rnn_step, check_rnn_step_backward,
                                   check_sample_with_temperature, check_task_shapes, check_tbptt_step)
from lstm_course.exercises.rnn import reference_rnn_step, reference_rnn_step_backward
from lstm_course.exercises.lstm import reference_lstm_step
from lstm_course.exercises.shapes import EXPECTED_SHAPES
from lstm_course.sampling import probabilities, sample_from_uniform

from conftest import needs_fork, run_checker


def _ok(checker, answer):
    ok, text = run_checker(checker, answer)
    assert ok, text


def _fails_saying(checker, answer, *expected):
    ok, text = run_checker(checker, answer)
    assert ok is False, text
    for phrase in expected:
        assert phrase in text, text
    assert "matches none of the common mistakes" not in text and "by up to 0 " not in text
    return text


# --- never raise ------------------------------------------------------------------------------------------

def test_ragged_and_object_outputs_are_named():
    _fails_saying(check_rnn_step, lambda x, h, p: [[1.0, 2.0], [3.0]], "h_t cannot be read as an array")
    _fails_saying(check_rnn_step, lambda x, h, p: np.array([reference_rnn_step(x, h, p), "x"], dtype=object),
                  "h_t is not an array of numbers")
    _fails_saying(check_rnn_step_backward,
                  lambda *args: (*reference_rnn_step_backward(*args)[:2], {"W_xh": [1, [2]], "W_hh": 0, "b_h": 0}),
                  "grads['W_xh'] cannot be read as an array")


def test_keys_deleted_from_the_parameter_dict_are_named():
    def deletes(x, h, p):
        out = reference_rnn_step(x, h, p)
        del p["b_h"]
        return out

    _fails_saying(check_rnn_step, deletes, "modified its input p.b_h (removed) in place")


def test_a_tensor_that_requires_grad_is_named():
    torch = pytest.importorskip("torch")
    _fails_saying(check_rnn_step, lambda x, h, p: torch.tensor(reference_rnn_step(x, h, p), requires_grad=True),
                  "h_t is a torch Tensor; this exercise works in NumPy")


@needs_fork  # the count below starts again in each child; in process it would not
def test_a_sampler_that_raises_only_on_a_later_call_is_named():
    calls = [0]  # counts within one run of draws: each run is made in a child process of its own

    def sampler(logits, temperature, rng):
        calls[0] += 1
        if temperature == 0.5 and calls[0] >= 3:  # past the checker's first runs, on the third draw of a later one
            raise IndexError("late failure")
        return int(sample_from_uniform(probabilities(logits[None], temperature), rng.random(1))[0])

    _fails_saying(check_sample_with_temperature, sampler,
                  "raised IndexError: late failure on call 3 at temperature 0.5")


@pytest.mark.parametrize("checker, answer, expected", [
    (lambda a, report: check_answer("bound-steps", a, report=report), [132], "takes a whole number"),
    (lambda a, report: check_answer("bound-steps", a, report=report), np.array([132, 1]), "takes a whole number"),
    (lambda a, report: check_answer("bound-steps", a, report=report), 132.0, "takes a whole number"),
    (lambda a, report: check_answer("which-lstm-adds", a, report=report), ["b"], "takes a letter as a string"),
    (lambda a, report: check_answer(["bound-steps"], a, report=report), 1, "Unknown question"),
    (lambda a, report: check_forget_faster(["forget"], a, report=report), "decrease bias", "as strings"),
    (lambda a, report: check_task_shapes(a, report=report), {"sentiment analysis": ["many-to-one"]},
     "give one of"),
    (lambda a, report: check_task_shapes(a, report=report), {"sentiment analysis": np.array(["x", "y"])},
     "give one of"),
    (lambda a, report: check_rnn_shapes(a, report=report), {"out": "7, 4, 10"}, "expected a tuple of integers"),
])
def test_answers_of_the_wrong_type_to_the_question_checkers_are_named(checker, answer, expected):
    messages = []
    assert checker(answer, report=messages.append) is False
    assert expected in "\n".join(messages), messages


def test_lettered_answers_ignore_case_and_spaces():
    _ok(lambda a, report: check_answer("which-lstm-adds", a, report=report), " B ")
    _ok(lambda a, report: check_forget_faster("Forget", a, report=report), "decrease bias")


def test_sys_exit_in_learner_code_is_named():
    _fails_saying(check_lstm_step, lambda *args: sys.exit(1), "called sys.exit()")
    _fails_saying(check_sample_with_temperature, lambda *args: sys.exit(), "called sys.exit()")


def test_keyboard_interrupt_still_goes_through():
    def interrupt(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        check_rnn_step(interrupt, report=lambda message: None)


@needs_fork
def test_a_function_that_never_returns_is_stopped_with_the_limit_named(monkeypatch):
    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.3)

    def forever(*args):
        while True:
            pass

    _fails_saying(check_rnn_step, forever, "did not return within 0.3 s and was stopped")


@needs_fork
def test_a_function_that_swallows_the_first_alarm_is_still_stopped(monkeypatch):
    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.3)

    def stubborn(*args):
        try:
            while True:
                pass
        except BaseException:
            pass
        return reference_rnn_step(*args)

    _fails_saying(check_rnn_step, stubborn, "did not return within 0.3 s")


@needs_fork
def test_an_import_stopped_by_the_time_limit_leaves_this_process_untouched(monkeypatch, tmp_path):
    """The call runs in a child process: a slow import killed there is never half-imported here."""
    (tmp_path / "slow_module_h13.py").write_text("import time\ntime.sleep(0.6)\nVALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    def imports():
        import slow_module_h13

        return slow_module_h13.VALUE

    monkeypatch.setattr(_guard, "TIME_LIMIT", 0.2)
    out, failure = _harness.call_learner(imports)
    assert out is None and failure.kind == "timeout" and "slow_module_h13" not in sys.modules
    monkeypatch.setattr(_guard, "TIME_LIMIT", 5.0)
    assert _harness.call_learner(imports) == (1, None)


# --- float32 and misleading messages ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_a_correct_low_precision_answer_is_told_to_compute_in_float64(dtype):
    text = _fails_saying(check_rnn_step, lambda x, h, p: reference_rnn_step(x, h, p).astype(dtype),
                         f"h_t is {np.dtype(dtype).name}: compute in float64", "agree with the reference")
    assert "matches none" not in text


def test_nan_in_an_output_is_named_as_nan():
    def nan_step(x, h, p):
        out = reference_rnn_step(x, h, p)
        out[0, 0] = np.nan
        return out

    _fails_saying(check_rnn_step, nan_step, "h_t holds NaN in 1 of its")


def test_a_wrong_number_of_returned_values_is_named():
    _fails_saying(check_lstm_step, lambda *args: (*reference_lstm_step(*args), None),
                  "expected 2 returned values (h_t, c_t); got 3 values")
    _fails_saying(check_lstm_step, lambda *args: reference_lstm_step(*args)[0], "expected a tuple of 2 values")


def test_a_step_returning_h_t_and_its_cache_is_told_exactly_what_to_return():
    _fails_saying(check_rnn_step, lambda x, h, p: (reference_rnn_step(x, h, p), (x, h)),
                  "Return h_t only", "(h_t, cache)")


# --- truncated BPTT -------------------------------------------------------------------------------------------

def _tbptt(after=None, loss_as=None, detach=True):
    import torch

    def step(model, chunk, state):
        if after == "zero the weights":
            with torch.no_grad():
                for p in model.parameters():
                    p.zero_()
        logits, new_state = model(chunk[:-1], state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))
        if after == "backward":
            loss.backward()
        if loss_as is not None:
            loss = loss_as(loss)
        return loss, tuple(s.detach() for s in new_state) if detach else new_state

    return step


def test_tbptt_learner_gets_its_own_model_copy():
    pytest.importorskip("torch")
    _ok(check_tbptt_step, _tbptt())
    _fails_saying(check_tbptt_step, _tbptt(after="zero the weights"), "changed the model's weights")


def test_tbptt_learner_calling_backward_is_told_so():
    pytest.importorskip("torch")
    _fails_saying(check_tbptt_step, _tbptt(after="backward"), "your function called backward()")


@pytest.mark.parametrize("loss_as, expected", [
    (lambda loss: loss.item(), "the loss is a plain number"),
    (lambda loss: loss.float(), "the loss is float32; the model is float64"),
    (lambda loss: loss.reshape(1), "a tensor of shape (); got shape (1,)"),
    (lambda loss: loss.detach(), "the loss carries no gradient"),
    (lambda loss: loss.detach().numpy(), "the loss must be a torch tensor; got ndarray"),
])
def test_tbptt_loss_of_the_wrong_kind_is_named(loss_as, expected):
    pytest.importorskip("torch")
    _fails_saying(check_tbptt_step, _tbptt(loss_as=loss_as), expected)


# --- wrong answers that used to pass ----------------------------------------------------------------------------

def test_complex_outputs_fail():
    _fails_saying(check_rnn_step, lambda x, h, p: reference_rnn_step(x, h, p) + 0j, "holds complex numbers")


def test_shapes_given_as_floats_fail():
    answer = {key: tuple(float(n) for n in shape) for key, shape in EXPECTED_SHAPES.items()}
    _fails_saying(check_rnn_shapes, answer, "expected a tuple of integers", "write 7, not 7.0")
    answer["out"] = (7.5, 4, 10)
    _fails_saying(check_rnn_shapes, answer, "expected a tuple of integers")
    _ok(check_rnn_shapes, {key: tuple(np.int64(n) for n in shape) for key, shape in EXPECTED_SHAPES.items()})


def test_a_sampler_returning_non_integers_fails():
    def fractional(logits, temperature, rng):
        k = sample_from_uniform(probabilities(logits[None], temperature), rng.random(1))[0]
        return float(k) + 0.4

    _fails_saying(check_sample_with_temperature, fractional, "return one integer index")
    _fails_saying(check_sample_with_temperature, lambda l, t, rng: float(fractional(l, t, rng) - 0.4),
                  "(float); return one integer index")


def test_a_loss_tensor_of_the_wrong_shape_fails():
    pytest.importorskip("torch")
    _fails_saying(check_tbptt_step, _tbptt(loss_as=lambda loss: loss.expand(3)), "got shape (3,)")


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="no interval timers on this platform")
def test_the_time_limit_gives_back_an_outer_timer():
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *args: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        _fails_saying(check_rnn_step, lambda x, h, p: reference_rnn_step(x, h, p) + 0j, "complex")
        remaining, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < remaining <= 5.0 and not fired
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
