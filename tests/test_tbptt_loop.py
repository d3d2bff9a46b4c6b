"""The truncated-BPTT training loop checker: the right loop passes, and each typical mistake is named."""

import pytest

torch = pytest.importorskip("torch")

from lstm_course.exercises import check_tbptt_loop  # noqa: E402
from lstm_course.exercises.tbptt_loop import MISTAKES, _loop  # noqa: E402

F = torch.nn.functional


def _run(fn):
    messages = []
    ok = check_tbptt_loop(fn, report=messages.append)
    return ok, "\n".join(messages)


def learner_loop(detach=True, step_first=False):
    """A learner's loop: right with the defaults; without detach(), or with step() before backward(), as asked."""
    def loop(model, optimiser, ids, B, T, steps):
        n = len(ids) // B
        data = ids[:n * B].reshape(B, n).T  # (n, B): column b is stream b
        state, position, losses = None, 0, []
        for _ in range(steps):
            if position + T + 1 > data.shape[0]:  # the streams ran out: a new epoch
                position, state = 0, None
            chunk = data[position:position + T + 1]
            logits, state = model(chunk[:-1], state)
            if detach:
                state = tuple(s.detach() for s in state)
            loss = F.cross_entropy(logits.reshape(-1, model.V), chunk[1:].reshape(-1))
            if step_first:
                optimiser.step()
                optimiser.zero_grad()
                loss.backward()
            else:
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            losses.append(loss.item())
            position += T
        return losses

    return loop


right = learner_loop()


def test_the_right_loop_passes():
    ok, text = _run(right)
    assert ok, text
    assert "carried and detached" in text


def test_tensor_losses_are_accepted():
    def tensors(*args):
        return [torch.tensor(v, dtype=torch.float64) for v in right(*args)]

    assert _run(tensors)[0]


def test_every_mistake_gives_numbers_of_its_own():
    from lstm_course.exercises.tbptt_loop import _run_variant

    runs = {keyword: tuple(_run_variant(**{keyword: True})[0].round(10)) for keyword, _ in MISTAKES}
    runs["right"] = tuple(_run_variant()[0].round(10))
    assert len(set(runs.values())) == len(runs), runs


@pytest.mark.parametrize("keyword, text", MISTAKES, ids=[k for k, _ in MISTAKES])
def test_each_mistake_is_named(keyword, text):
    ok, said = _run(lambda *args: _loop(*args, **{keyword: True}))
    assert not ok
    assert text in said, said
    assert "Hint:" in said


def test_two_mistakes_at_once_are_both_named():
    ok, said = _run(lambda *args: _loop(*args, reset=True, no_zero_grad=True))
    assert not ok
    assert dict(MISTAKES)["reset"] in said and dict(MISTAKES)["no_zero_grad"] in said, said


def test_a_state_never_detached_is_named():
    ok, said = _run(learner_loop(detach=False))
    assert not ok
    assert "never detached" in said, said


def test_a_step_before_backward_is_named():
    ok, said = _run(learner_loop(step_first=True))
    assert not ok
    assert "optimiser.step() comes before loss.backward()" in said, said


def test_not_attempted_gets_the_nudge_not_the_formula():
    def seed(*args):
        raise NotImplementedError

    ok, said = _run(seed)
    assert not ok
    assert "not attempted yet" in said and "reshape(B, n).T" not in said


@pytest.mark.parametrize("answer, expected", [
    (lambda *args: None, "return the list of the 7 losses"),
    (lambda *args: right(*args)[:-1], "7 steps were asked for, and 6 losses came back"),
    (lambda *args: ["x"] * 7, "loss 1 is str"),
    (lambda *args: 1 / 0, "ZeroDivisionError"),
])
def test_wrong_returns_and_errors_are_explained(answer, expected):
    ok, said = _run(answer)
    assert not ok
    assert expected in said, said


def test_ids_changed_in_place_is_named():
    def writes(model, optimiser, ids, B, T, steps):
        out = right(model, optimiser, ids, B, T, steps)
        ids.zero_()
        return out

    ok, said = _run(writes)
    assert not ok and "modified `ids` in place" in said


def test_not_a_function():
    ok, said = _run(42)
    assert not ok and "expected a function, got int" in said
