"""Sampling properties (the generative chapter): explicit generators, limits of the temperature, frequencies."""

import numpy as np
import pytest

from lstm_course.sampling import greedy, probabilities, sample, sample_from_uniform

LOGITS = np.array([[2.0, 1.0, 0.0, -1.0, 0.5]])


def test_temperature_to_zero_gives_the_argmax():
    p = probabilities(LOGITS, temperature=1e-3)
    assert p.argmax() == greedy(LOGITS)[0] and p.max() > 1 - 1e-12


def test_large_temperatures_approach_uniform():
    assert np.allclose(probabilities(LOGITS, temperature=1e6), 1 / 5, atol=1e-6)


def test_top_k_never_samples_outside_the_k_most_likely(rng):
    draws = {int(sample(LOGITS, rng, temperature=5.0, top_k=2)[0]) for _ in range(500)}
    assert draws == {0, 1}


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_sample_frequencies_match_the_softmax(temperature):
    rng = np.random.default_rng(7)
    n = 20_000
    counts = np.bincount([int(sample(LOGITS, rng, temperature)[0]) for _ in range(n)], minlength=5)
    expected = n * probabilities(LOGITS, temperature)[0]
    chi2 = np.sum((counts - expected) ** 2 / expected)
    assert chi2 < 18.5, f"chi-square {chi2:.1f} with 4 degrees of freedom (P(chi2 > 18.5) = 0.001)"


def test_samples_follow_the_explicit_generator_not_global_state():
    a = [int(sample(LOGITS, np.random.default_rng(3))[0]) for _ in range(1)]
    np.random.seed(12345)  # global seeding must change nothing
    b = [int(sample(LOGITS, np.random.default_rng(3))[0]) for _ in range(1)]
    assert a == b


def test_numpy_and_torch_draw_identical_samples_from_the_same_uniforms(rng):
    torch = pytest.importorskip("torch")
    from lstm_course.torch_impl import sampling as torch_sampling

    logits = rng.normal(size=(200, 7)) * 2
    u = rng.random(200)
    for temperature, top_k in [(1.0, None), (0.7, None), (1.5, 3)]:
        mine = sample_from_uniform(probabilities(logits, temperature, top_k), u)
        theirs = torch_sampling.sample_from_uniform(torch_sampling.probabilities(torch.tensor(logits), temperature, top_k),
                                                    torch.tensor(u)).numpy()
        assert np.array_equal(mine, theirs)


def test_bad_temperature_and_top_k_are_clear_errors():
    with pytest.raises(ValueError, match="temperature must be > 0"):
        probabilities(LOGITS, 0.0)
    with pytest.raises(ValueError, match=r"top_k must be in \[1, V = 5\]; got 9"):
        probabilities(LOGITS, 1.0, top_k=9)
