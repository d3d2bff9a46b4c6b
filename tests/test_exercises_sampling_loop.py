"""The generative chapter's sampling-loop checker: accepts the loop, names each classic mistake."""

import numpy as np
import pytest

from lstm_course.exercises import check_sampling_loop
from lstm_course.exercises import sampling_loop as ex

from conftest import run_checker as _run


def test_sampling_loop_checker_accepts_the_loop_that_feeds_each_draw_back():
    ok, text = _run(check_sampling_loop, ex.reference_generate)
    assert ok, text


def test_sampling_loop_checker_accepts_a_list_of_ints():
    ok, text = _run(check_sampling_loop, lambda *args: [int(k) for k in ex.reference_generate(*args)])
    assert ok, text


@pytest.mark.parametrize("mistake", ex.MISTAKES, ids=lambda m: m.name)
def test_sampling_loop_checker_names_each_mistake(mistake):
    ok, text = _run(check_sampling_loop, mistake.fn)
    assert not ok and f"Likely cause ({mistake.name})" in text, text


@pytest.mark.parametrize("mistake", ex.MISTAKES, ids=lambda m: m.name)
def test_every_mistake_differs_from_the_reference_on_some_case(mistake):
    import copy

    differs = []
    for case in ex.CASES:
        wrong = np.asarray(mistake.fn(*copy.deepcopy(case.args)))
        right = ex.reference_generate(*copy.deepcopy(case.args))
        differs.append(wrong.shape != right.shape or not np.array_equal(wrong, right))
    assert any(differs)


def _modifies_state(step, state, prime, length, draw):
    state *= 0.5
    return ex.reference_generate(step, state, prime, length, draw)


def _raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize("fn, expected", [
    (_raises, "not attempted yet"),
    (_modifies_state, "modified its input state in place"),
    (lambda *args: None, "did you forget a `return`"),
    (lambda *args: "abc", "must be an array; got str"),
    (lambda *args: 1 / 0, "raised ZeroDivisionError"),
    ("not a function", "expected a function"),
])
def test_sampling_loop_checker_explains_and_never_raises(fn, expected):
    ok, text = _run(check_sampling_loop, fn)
    assert not ok and expected in text, text


def test_on_every_case_the_reference_and_the_mistakes_give_distinct_outputs():
    """So that the first failing case names the right mistake, whichever it is."""
    import copy

    for case in ex.CASES:
        outs = [tuple(ex.reference_generate(*copy.deepcopy(case.args)))]
        outs += [tuple(np.asarray(m.fn(*copy.deepcopy(case.args)))) for m in ex.MISTAKES]
        assert len(set(outs)) == len(outs), case.name


def test_sampling_loop_checker_names_a_loop_that_reseeds_the_global_generator():
    def reseeds(*args):
        np.random.seed(1)
        return ex.reference_generate(*args)

    ok, text = _run(check_sampling_loop, reseeds)
    assert not ok and "changed NumPy's global random state" in text and "draw(logits)" in text, text
