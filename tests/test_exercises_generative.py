"""The generative chapter's checkers: sampling with temperature, one truncated-BPTT step."""

import numpy as np
import pytest

from lstm_course.exercises import check_sample_with_temperature, check_tbptt_step
from lstm_course.sampling import probabilities, sample_from_uniform

from conftest import run_checker as _run


def good_sample(logits, temperature, rng):
    return sample_from_uniform(probabilities(logits[None], temperature), rng.random(1))[0]


def test_sampling_checker_accepts_a_correct_sampler():
    assert _run(check_sample_with_temperature, good_sample)[0]


@pytest.mark.parametrize("fn, expected", [
    (lambda l, t, rng: np.random.choice(len(l), p=probabilities(l[None], t)[0]), "changed NumPy's global random state"),
    (lambda l, t, rng: np.random.default_rng().choice(len(l), p=probabilities(l[None], t)[0]),
     "same seed gave different draws"),
    (lambda l, t, rng: good_sample(l * t, 1.0, rng), "multiplied the logits by the temperature instead of dividing"),
    (lambda l, t, rng: good_sample(l, 1.0, rng), "ignores the temperature"),
    (lambda l, t, rng: rng.integers(len(l)), "do not match"),
    (lambda l, t, rng: (_ for _ in ()).throw(NotImplementedError), "not attempted yet"),
])
def test_sampling_checker_names_the_mistake(fn, expected):
    ok, text = _run(check_sample_with_temperature, fn)
    assert not ok and expected in text, text


def _step(detach=True, reset=False):
    import torch

    def step(model, chunk, state):
        logits, new_state = model(chunk[:-1], None if reset else state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))
        return loss, tuple(s.detach() for s in new_state) if detach else new_state

    return step


def test_tbptt_checker_accepts_a_correct_step_and_names_the_two_classic_bugs():
    pytest.importorskip("torch")
    assert _run(check_tbptt_step, _step())[0]
    ok, text = _run(check_tbptt_step, _step(detach=False))
    assert not ok and "never detached" in text
    ok, text = _run(check_tbptt_step, _step(reset=True))
    assert not ok and "reset by mistake" in text


def test_sampling_checker_names_a_sampler_that_reseeds_the_global_generator():
    """Issue 22: a sampler that calls np.random.seed but draws from rng gave the right draws and passed."""
    def reseeds(logits, temperature, rng):
        np.random.seed(0)
        return good_sample(logits, temperature, rng)

    ok, text = _run(check_sample_with_temperature, reseeds)
    assert not ok and "changed NumPy's global random state" in text and "np.random.seed" in text, text
    assert "use the generator `rng`" in text, text


def test_sampling_checker_names_a_sampler_that_draws_from_python_random():
    import random

    ok, text = _run(check_sample_with_temperature, lambda l, t, rng: (random.random(), good_sample(l, t, rng))[1])
    assert not ok and "Python's global random state" in text, text
