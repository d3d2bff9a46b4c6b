"""The numerical API says what is wrong: parameter trees that do not match, clip limits, top_k, NaN logits."""

import numpy as np
import pytest

from lstm_course import sampling
from lstm_course.optim import adam_init, adam_update, clip_by_global_norm, clip_by_value


@pytest.fixture
def two_layers(rng):
    return [{"forward": {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=2)}} for _ in range(2)]


def test_adam_refuses_gradients_with_a_layer_missing(two_layers):
    with pytest.raises(ValueError, match="at the root expected 2 items; got 1 items"):
        adam_update(two_layers, two_layers[:1], adam_init(two_layers))


def test_adam_refuses_gradients_with_other_keys(two_layers):
    grads = [dict(layer) for layer in two_layers]
    grads[1] = {"forward": {"W": two_layers[1]["forward"]["W"]}}
    with pytest.raises(ValueError, match=r"at \[1\].forward expected the keys \['W', 'b'\]; got \['W'\]"):
        adam_update(two_layers, grads, adam_init(two_layers))


def test_adam_refuses_a_gradient_of_another_shape(two_layers):
    grads = [{"forward": {"W": np.zeros((3, 2)), "b": np.zeros(2)}}, two_layers[1]]
    with pytest.raises(ValueError, match=r"\[0\].forward.W must have the shape of params.*\(2, 3\); got \(3, 2\)"):
        adam_update(two_layers, grads, adam_init(two_layers))


def test_adam_refuses_a_state_of_other_parameters(two_layers):
    with pytest.raises(ValueError, match="state.m must have the structure of params"):
        adam_update(two_layers, two_layers, adam_init(two_layers[:1]))


@pytest.mark.parametrize("limit", [0, -1.0, float("nan"), None, "1", True])
def test_clipping_refuses_a_limit_that_is_not_positive(two_layers, limit):
    with pytest.raises(ValueError, match="must be a positive number"):
        clip_by_global_norm(two_layers, limit)
    with pytest.raises(ValueError, match="must be a positive number"):
        clip_by_value(two_layers, limit)


def test_an_infinite_clip_limit_changes_nothing(two_layers):
    clipped, _ = clip_by_global_norm(two_layers, float("inf"))
    assert np.array_equal(clipped[0]["forward"]["W"], two_layers[0]["forward"]["W"])


def _twins():
    twins = [(sampling.probabilities, np.asarray)]
    try:
        import torch

        from lstm_course.torch_impl import sampling as torch_sampling

        twins.append((torch_sampling.probabilities, lambda x: torch.as_tensor(np.asarray(x, dtype=np.float64))))
    except ImportError:
        pass
    return twins


@pytest.mark.parametrize("probabilities, array", _twins())
@pytest.mark.parametrize("top_k", [2.0, 2.5, "2", True])
def test_a_non_integer_top_k_is_a_type_error_in_both_twins(probabilities, array, top_k):
    with pytest.raises(TypeError, match=r"top_k must be an integer in \[1, V = 3\]; got"):
        probabilities(array([[1.0, 2.0, 3.0]]), 1.0, top_k)


@pytest.mark.parametrize("probabilities, array", _twins())
def test_numpy_integer_top_k_is_accepted(probabilities, array):
    p = probabilities(array([[1.0, 2.0, 3.0]]), 1.0, np.int64(2))
    assert float(p[0, 0]) == 0.0


@pytest.mark.parametrize("probabilities, array", _twins())
@pytest.mark.parametrize("logits, message", [
    ([[1.0, np.nan, 0.0]], r"logits contain NaN \(1 of 3 entries\)"),
    ([[1.0, np.inf, 0.0]], r"logits contain \+inf"),
    ([[-np.inf, -np.inf]], "every logit of a row is -inf"),
])
def test_nan_or_infinite_logits_are_named_in_both_twins(probabilities, array, logits, message):
    with pytest.raises(ValueError, match=message):
        probabilities(array(logits), 1.0)


def test_minus_inf_logits_still_mask_symbols():
    p = sampling.probabilities(np.array([[0.0, -np.inf, 0.0]]))
    assert np.allclose(p, [[0.5, 0.0, 0.5]])
