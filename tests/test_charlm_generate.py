"""The charlm run's sampler feeds each draw back, and the adding run's loss curve averages seeds."""

import numpy as np

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


def test_loss_curve_averages_seeds_over_equal_windows():
    runs = [{"losses": list(np.arange(10.0))}, {"losses": list(np.arange(10.0) + 2)}]
    steps, losses = _loss_curve(runs, points=5)
    assert steps == [2, 4, 6, 8, 10]
    assert np.allclose(losses, [1.5, 3.5, 5.5, 7.5, 9.5])
