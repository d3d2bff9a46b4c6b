"""The beam-search trace: it changes nothing, and it describes the search that ran (ch12, T-12-01)."""

import numpy as np
import pytest

from lstm_course.decoding import beam_search


def _model(seed, V=5, context=2):
    """A random toy model whose next-token table depends on the last ``context`` tokens; counts its calls."""
    rng, table, calls = np.random.default_rng(seed), {}, []

    def rows(history):
        key = tuple(history)
        if key not in table:
            logits = rng.normal(scale=2.0, size=V)
            table[key] = logits - np.log(np.exp(logits).sum())
        return table[key]

    def step(tokens_last, state):
        calls.append(np.array(tokens_last))
        history = np.concatenate([state["history"][:, 1:], np.asarray(tokens_last)[:, None]], axis=1)
        return np.stack([rows(h) for h in history]), {"history": history}

    return step, calls


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("beam_size, alpha", [(1, 0.0), (2, 0.0), (3, 1.0), (7, 0.6)])
def test_trace_changes_neither_the_result_nor_the_model_calls(seed, beam_size, alpha):
    state = {"history": np.full((1, 2), 4)}
    step, calls = _model(seed)
    plain = beam_search(step, state, 4, 0, beam_size, 5, length_penalty=alpha)
    plain_calls = list(calls)
    step, calls = _model(seed)
    trace = []
    traced = beam_search(step, state, 4, 0, beam_size, 5, length_penalty=alpha, trace=trace)
    assert traced == plain
    assert len(calls) == len(plain_calls) == len(trace)
    assert all(np.array_equal(a, b) for a, b in zip(calls, plain_calls))


@pytest.mark.parametrize("seed", range(6))
def test_trace_describes_the_search(seed):
    step, _ = _model(seed)
    trace = []
    result = beam_search(step, {"history": np.full((1, 2), 4)}, 4, 0, 3, 5, trace=trace)
    finished = []
    for t, entry in enumerate(trace):
        candidates = entry["candidates"]
        assert len(candidates) == 5 * len(entry["live"])  # every extension of every live hypothesis
        assert [c["logprob"] for c in candidates] == sorted((c["logprob"] for c in candidates), reverse=True)
        assert sum(c["status"] != "pruned" for c in candidates) == 3
        for c in candidates:
            tokens, lp = entry["live"][c["parent"]]
            assert c["tokens"] == tokens + [c["token"]]
            assert c["status"] != "finished" or c["token"] == 0
        kept = [(c["tokens"], c["logprob"]) for c in candidates if c["status"] == "kept"]
        if t + 1 < len(trace):
            assert trace[t + 1]["live"] == kept  # the kept ones are the next step's beam, in order
        finished += [(c["tokens"], c["logprob"]) for c in candidates if c["status"] in ("finished", "max_len")]
    assert all(status != "kept" for status in (c["status"] for c in trace[-1]["candidates"]))
    assert all(tuple(h) in {(tuple(tokens), lp) for tokens, lp in finished} for h in
               [(tuple(tokens), lp) for tokens, lp in result])
