"""The optimiser and the two clippings compared in the generative chapter."""

import numpy as np

from lstm_course.optim import adam_init, adam_update, clip_by_global_norm, clip_by_value, global_norm


def test_norm_clipping_rescales_without_turning_and_value_clipping_turns(rng):
    grads = {"a": rng.normal(size=(3, 4)) * 10, "b": [rng.normal(size=5)]}
    clipped, norm = clip_by_global_norm(grads, 1.0)
    assert np.isclose(norm, global_norm(grads)) and np.isclose(global_norm(clipped), 1.0)
    flat = lambda t: np.concatenate([t["a"].ravel(), t["b"][0]])
    cos = lambda u, v: u @ v / np.linalg.norm(u) / np.linalg.norm(v)
    assert np.isclose(cos(flat(grads), flat(clipped)), 1.0)
    by_value = clip_by_value(grads, 0.5)
    assert np.abs(flat(by_value)).max() <= 0.5 and cos(flat(grads), flat(by_value)) < 0.99


def test_small_gradients_are_not_clipped(rng):
    grads = {"a": rng.normal(size=3) * 1e-3}
    clipped, _ = clip_by_global_norm(grads, 1.0)
    assert np.array_equal(clipped["a"], grads["a"])


def test_adam_first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign(rng):
    params = {"w": rng.normal(size=4)}
    grads = {"w": np.array([3.0, -0.2, 1e-3, -50.0])}
    new, state = adam_update(params, grads, adam_init(params), lr=0.1)
    assert np.allclose(new["w"] - params["w"], -0.1 * np.sign(grads["w"]), atol=1e-6)
    assert state.step == 1 and params["w"] is not new["w"], "pure: the input is not modified"
