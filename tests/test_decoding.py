"""Beam search: beam 1 is greedy, a wide beam is exhaustive, the state is reordered, lengths normalised."""

import itertools

import numpy as np
import pytest
import torch

from lstm_course.decoding import beam_search, greedy_search, length_normalised


def _random_model(rng, V, eos, context=2):
    """A toy conditional model: log P(next | last `context` tokens) from a fixed random table.

    The state is a pytree holding the history as an int array (K, context) and a
    dict with a float array, so that wrong reordering shows.
    """
    table = {}

    def log_probs_after(history):
        key = tuple(history)
        if key not in table:
            logits = rng.normal(scale=2.0, size=V)
            table[key] = logits - np.log(np.exp(logits).sum())
        return table[key]

    def step(tokens_last, state):
        history = np.concatenate([state["history"][:, 1:], np.asarray(tokens_last)[:, None]], axis=1)
        rows = np.stack([log_probs_after(h) for h in history])
        return rows, {"history": history, "extra": (state["extra"][0] + 1,)}

    def sequence_logprob(tokens, bos):
        history, total = [bos] * context, 0.0
        for token in tokens:
            total += log_probs_after(history[-context:])[token]
            history = history + [token]
            history = history[-context:]
        return total

    return step, sequence_logprob


def _initial_state(bos, context=2):
    return {"history": np.full((1, context), bos), "extra": (np.zeros((1, 3)),)}


@pytest.mark.parametrize("seed", range(5))
def test_beam_size_one_equals_greedy_decoding(seed):
    rng = np.random.default_rng(seed)
    step, _ = _random_model(rng, V=5, eos=0)
    greedy = greedy_search(step, _initial_state(4), bos=4, eos=0, max_len=8)
    beam = beam_search(step, _initial_state(4), bos=4, eos=0, beam_size=1, max_len=8)
    assert len(beam) == 1
    assert beam[0][0] == greedy[0]
    assert beam[0][1] == pytest.approx(greedy[1], abs=1e-12)


@pytest.mark.parametrize("length_penalty", [0.0, 0.7])
@pytest.mark.parametrize("seed", range(4))
def test_wide_beam_returns_the_exhaustive_best_sequence(seed, length_penalty):
    rng = np.random.default_rng(100 + seed)
    V, eos, bos, max_len = 4, 0, 3, 4
    step, sequence_logprob = _random_model(rng, V, eos)
    candidates = []
    for n in range(1, max_len + 1):  # any token except bos may follow; eos ends a sequence
        for tokens in itertools.product(range(V), repeat=n):
            if eos in tokens[:-1]:
                continue
            if tokens[-1] != eos and n < max_len:
                continue
            candidates.append(list(tokens))
    scored = [(length_normalised(sequence_logprob(c, bos), len(c), length_penalty), c) for c in candidates]
    best_score, best = max(scored, key=lambda pair: pair[0])
    result = beam_search(step, _initial_state(bos), bos, eos, beam_size=len(candidates), max_len=max_len,
                         length_penalty=length_penalty)
    assert result[0][0] == best
    assert length_normalised(result[0][1], len(best), length_penalty) == pytest.approx(best_score, abs=1e-12)
    assert result[0][1] == pytest.approx(sequence_logprob(best, bos), abs=1e-12)


def test_beam_results_are_sorted_and_their_logprobs_are_true_totals():
    rng = np.random.default_rng(7)
    step, sequence_logprob = _random_model(rng, V=6, eos=0)
    result = beam_search(step, _initial_state(5), bos=5, eos=0, beam_size=4, max_len=6)
    scores = [lp for _, lp in result]
    assert scores == sorted(scores, reverse=True)
    for tokens, lp in result:
        assert lp == pytest.approx(sequence_logprob(tokens, 5), abs=1e-12)
        assert 0 not in tokens[:-1]  # finished hypotheses are never expanded


def test_wider_beam_never_finds_a_worse_best_sequence_on_the_toy_model():
    for seed in range(10):
        rng = np.random.default_rng(200 + seed)
        step, _ = _random_model(rng, V=5, eos=0)
        greedy = beam_search(step, _initial_state(4), 4, 0, beam_size=1, max_len=6)[0][1]
        wide = beam_search(step, _initial_state(4), 4, 0, beam_size=200, max_len=6)[0][1]
        assert wide >= greedy - 1e-12


def test_length_penalty_favours_longer_hypotheses():
    assert length_normalised(-6.0, 10, 1.0) > length_normalised(-6.0, 2, 1.0)
    assert length_normalised(-3.0, 7, 0.0) == -3.0


def test_beam_search_reorders_torch_tensor_state():
    V, eos, bos = 4, 0, 3
    torch_table = torch.log_softmax(torch.randn(V, V, generator=torch.Generator().manual_seed(0),
                                                dtype=torch.float64), dim=1)

    def step(tokens_last, state):
        (count,) = state
        return torch_table[torch.as_tensor(tokens_last)], (count + 1,)

    result = beam_search(step, (torch.zeros(1, 2),), bos, eos, beam_size=3, max_len=5)
    assert len(result) >= 1


def test_beam_search_rejects_bad_arguments():
    step = lambda tokens, state: (np.zeros((len(tokens), 3)), state)  # noqa: E731
    with pytest.raises(ValueError, match="beam_size must be an int >= 1; got 0"):
        beam_search(step, None, 0, 1, 0, 5)
    with pytest.raises(ValueError, match="max_len"):
        beam_search(step, None, 0, 1, 2, 0)
    with pytest.raises(ValueError, match="length_penalty"):
        beam_search(step, None, 0, 1, 2, 3, length_penalty=-1)
