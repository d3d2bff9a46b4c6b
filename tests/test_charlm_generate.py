"""The charlm run's sampler feeds each draw back, and the adding run's loss curve averages seeds."""

import numpy as np
import pytest

from lstm_course.data.corpus import Vocabulary
from lstm_course.experiments.charlm import generate
from lstm_course.experiments.long_lag import _loss_curve
from lstm_course.numpy_impl.charlm import init_charlm, next_logits
from lstm_course.sampling import sample
from lstm_course.models.charlm import CharLSTM


def test_generate_returns_the_prime_and_the_draws_of_the_numpy_sampling_loop():
    vocab = Vocabulary("abcdef ")
    tree = init_charlm(len(vocab), 8, np.random.default_rng(0))
    net = CharLSTM.from_tree(tree).double()
    text = generate(net, vocab, "ab", 20, 0.8, np.random.default_rng(1))
    # the same loop on the NumPy model (float64 both): the same characters
    rng, out = np.random.default_rng(1), []
    logits, state = next_logits(tree, vocab.encode("ab")[:, None])
    for _ in range(20):
        out.append(int(sample(logits, rng, 0.8)[0]))
        logits, state = next_logits(tree, np.array([[out[-1]]]), state)
    assert text == "ab" + vocab.decode(out)
    assert net.training  # generate() puts the model back in training mode


def test_the_numpy_generate_is_the_torch_runs_sampler_on_the_numpy_model():
    from lstm_course.numpy_impl.charlm import generate as numpy_generate

    vocab = Vocabulary("abcdef ")
    tree = init_charlm(len(vocab), 8, np.random.default_rng(0))
    net = CharLSTM.from_tree(tree).double()
    assert numpy_generate(tree, vocab, "ab", 20, 0.8, np.random.default_rng(1)) == \
        generate(net, vocab, "ab", 20, 0.8, np.random.default_rng(1))
    with pytest.raises(ValueError, match="prime must be a non-empty string; got ''"):
        numpy_generate(tree, vocab, "", 5, 1.0, np.random.default_rng(0))


def test_loss_curve_averages_seeds_over_equal_windows():
    runs = [{"losses": list(np.arange(10.0))}, {"losses": list(np.arange(10.0) + 2)}]
    steps, losses = _loss_curve(runs, points=5)
    assert steps == [2, 4, 6, 8, 10]
    assert np.allclose(losses, [1.5, 3.5, 5.5, 7.5, 9.5])


def test_a_temperature_as_small_as_1e_320_gives_the_argmax_not_nan():
    """The limit T -> 0 of softmax(z / T): all mass on the argmax, ties sharing it (the max is subtracted first)."""
    from lstm_course.sampling import probabilities

    z = np.array([[1.0, 3.0, 3.0, -2.0, -np.inf], [0.5, -1.0, 2.0, 2.0 - 1e-12, 0.0]])
    for temperature in (1e-320, 5e-324, 1e-300):
        p = probabilities(z, temperature)
        assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=-1), 1.0)
        assert np.array_equal(p[0], [0, 0.5, 0.5, 0, 0]) and np.array_equal(p[1], [0, 0, 1, 0, 0])
    assert np.allclose(probabilities(z[1:], 1e-320, top_k=2), [[0, 0, 1, 0, 0]])
    assert np.allclose(probabilities(z[:1], 1e300), [[0.25, 0.25, 0.25, 0.25, 0]]), "a huge one: uniform"


def test_the_torch_twin_gives_the_same_limit_at_a_temperature_of_1e_320():
    """The Torch sampler subtracts the max before dividing too: the argmax with ties sharing, never NaN."""
    torch = pytest.importorskip("torch")
    from lstm_course.sampling import probabilities
    from lstm_course.torch_impl.sampling import probabilities as torch_probabilities

    z = np.array([[1.0, 3.0, 3.0, -2.0, -np.inf], [0.5, -1.0, 2.0, 2.0 - 1e-12, 0.0]])
    for temperature in (1e-320, 5e-324, 1e-300, 0.7, 1e300):
        p = torch_probabilities(torch.tensor(z), temperature).numpy()
        assert np.all(np.isfinite(p)), temperature
        assert np.allclose(p, probabilities(z, temperature), rtol=0, atol=1e-12), temperature
    assert np.allclose(torch_probabilities(torch.tensor(z[1:]), 1e-320, top_k=2).numpy(), [[0, 0, 1, 0, 0]])
