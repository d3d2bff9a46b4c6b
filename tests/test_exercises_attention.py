"""The attention-backward, masked cross-entropy, two-hop and sentence-key checkers: the reference passes, each named mistake is named,
and an unattempted exercise shows the nudge, not the formula."""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.exercises import (check_attention_backward, check_masked_cross_entropy, check_sentence_keys,
                                   check_two_hop)
from lstm_course.exercises import attention_backward, masked_loss, sentence_keys, two_hop

EXERCISES = [(check_attention_backward, attention_backward), (check_masked_cross_entropy, masked_loss),
             (check_two_hop, two_hop),
             (check_sentence_keys, sentence_keys)]
ZOO = [(checker, module, mistake) for checker, module in EXERCISES for mistake in module.MISTAKES]


@pytest.mark.parametrize("checker, module", EXERCISES, ids=lambda x: getattr(x, "__name__", ""))
def test_the_reference_passes(checker, module):
    ok, text = run_checker(checker, module._reference)
    assert ok, text


@pytest.mark.parametrize("checker, module, mistake", ZOO, ids=lambda x: getattr(x, "name", ""))
def test_each_named_mistake_is_named(checker, module, mistake):
    ok, text = run_checker(checker, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("checker, module", EXERCISES, ids=lambda x: getattr(x, "__name__", ""))
def test_the_mistakes_differ_from_the_reference_and_each_other(checker, module):
    """Each zoo member changes the outputs on the checker's cases, and no two give the same outputs."""
    case = module._cases()[0]

    def flat(out):
        items = out if isinstance(out, tuple) else (out,)
        arrays = [v[k] for v in items if isinstance(v, dict) for k in sorted(v)]
        arrays += [v for v in items if not isinstance(v, dict)]
        return np.concatenate([np.ravel(a) for a in arrays])

    outs = [flat(module._reference(*case.args))] + [flat(m.fn(*case.args)) for m in module.MISTAKES]
    for i in range(len(outs)):
        for j in range(i + 1, len(outs)):
            assert outs[i].shape != outs[j].shape or not np.allclose(outs[i], outs[j]), (i, j)


@pytest.mark.parametrize("checker, module", EXERCISES, ids=lambda x: getattr(x, "__name__", ""))
def test_not_attempted_shows_the_nudge_not_the_formula(checker, module):
    def todo(*args):
        raise NotImplementedError

    ok, text = run_checker(checker, todo)
    assert not ok
    assert module.HINTS.nudge in text and module.HINTS.formula not in text, text


@pytest.mark.parametrize("checker, module", EXERCISES, ids=lambda x: getattr(x, "__name__", ""))
def test_a_wrong_attempt_shows_the_formula(checker, module):
    def forgot_return(*args):
        module._reference(*args)

    ok, text = run_checker(checker, forgot_return)
    assert not ok
    assert module.HINTS.formula in text and module.HINTS.nudge not in text, text


def test_attention_backward_agrees_with_central_differences():
    """The reference itself: d_keys from the checker's reference against a numerical gradient."""
    case = attention_backward._cases()[0]
    d_context, query, keys, params, mask = case.args
    from lstm_course.numpy_impl import attention_forward

    _, d_keys, _ = attention_backward._reference(*case.args)
    eps, numeric = 1e-6, np.zeros_like(keys)
    for index in np.ndindex(keys.shape):
        up, down = keys.copy(), keys.copy()
        up[index] += eps
        down[index] -= eps
        numeric[index] = ((attention_forward(query, up, params, mask)[0]
                           - attention_forward(query, down, params, mask)[0]) * d_context).sum() / (2 * eps)
    assert np.allclose(d_keys, numeric, atol=1e-7)
    assert np.all(d_keys[~mask] == 0)
