"""The ch12 checkers: one beam-search step with its state, the length penalty, BLEU's clipped counts.

Each accepts the reference, names every mistake of its zoo, and before an attempt shows the nudge, not the
formula (issue 22, sec. 2 and 3).
"""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.decoding import beam_search
from lstm_course.exercises import check_beam_search_step, check_clipped_counts, check_length_penalty
from lstm_course.exercises import beam_step, bleu_counts

CHECKERS = [
    (check_beam_search_step, beam_step._step_reference, beam_step.STEP_MISTAKES, beam_step.STEP_HINTS),
    (check_length_penalty, beam_step._penalty_reference, beam_step.PENALTY_MISTAKES, beam_step.PENALTY_HINTS),
    (check_clipped_counts, bleu_counts._reference, bleu_counts.MISTAKES, bleu_counts.HINTS),
]
IDS = ["beam_step", "length_penalty", "clipped_counts"]


@pytest.mark.parametrize("checker, reference, mistakes, hints", CHECKERS, ids=IDS)
def test_accepts_the_reference(checker, reference, mistakes, hints):
    ok, text = run_checker(checker, reference)
    assert ok, text


ZOO = [(c[0], m) for c in CHECKERS for m in c[2]]


@pytest.mark.parametrize("checker, mistake", ZOO, ids=[f"{c.__name__}-{m.name}" for c, m in ZOO])
def test_names_each_mistake(checker, mistake):
    ok, text = run_checker(checker, mistake.fn)
    assert ok is False and mistake.name in text, text


@pytest.mark.parametrize("checker, reference, mistakes, hints", CHECKERS, ids=IDS)
def test_nudge_before_an_attempt_formula_after_a_wrong_one(checker, reference, mistakes, hints):
    def todo(*args):
        raise NotImplementedError  # your code here

    ok, text = run_checker(checker, todo)
    assert ok is False and hints.nudge in text and hints.formula not in text, text

    def wrong(*args):
        out = reference(*args)
        return tuple(np.asarray(o) + 0.5 if not isinstance(o, dict) else o for o in out) \
            if isinstance(out, tuple) else np.asarray(out) + 0.5

    ok, text = run_checker(checker, wrong)
    assert ok is False and hints.formula in text, text


@pytest.mark.parametrize("checker", [c[0] for c in CHECKERS], ids=IDS)
def test_survives_crashing_and_non_function_answers(checker):
    assert run_checker(checker, lambda *args: 1 / 0)[0] is False
    assert run_checker(checker, "not a function")[0] is False


@pytest.mark.parametrize("case", beam_step._step_cases(), ids=lambda c: c.name)
def test_step_cases_separate_every_mistake(case):
    expected = beam_step._step_reference(*case.args)
    assert len(expected[4]) == (1 if "eos among" in case.name else 0)
    for mistake in beam_step.STEP_MISTAKES:
        wrong = mistake.fn(*case.args)
        same = all(np.shape(a) == np.shape(b) and np.allclose(a, b) for a, b in
                   zip(_flat(wrong), _flat(expected)))
        assert not same or mistake.name in ("state not reordered", "state sliced, not gathered",
                                            "finished hypotheses kept expanding"), mistake.name


def _flat(out):
    items = []
    for o in out:
        items += [o["c"], o["h"]] if isinstance(o, dict) else [o]
    return items


@pytest.mark.parametrize("seed", range(5))
def test_the_reference_step_is_one_step_of_the_package_beam_search(seed):
    """Replay every traced step of beam_search through the reference step: the same survivors and state."""
    rng = np.random.default_rng(seed)
    V, eos, H = 6, 0, 3
    tables = rng.normal(scale=2.0, size=(V + 1, V))
    tables -= np.log(np.exp(tables).sum(axis=1, keepdims=True))
    calls = []

    def step(tokens_last, state):
        rows = tables[tokens_last] + 0.1 * state["h"][:, :1]  # the state matters to the model
        rows -= np.log(np.exp(rows).sum(axis=1, keepdims=True))
        calls.append((state, rows))
        new = {"h": state["h"] + tokens_last[:, None], "c": state["c"] * 0.5 + tokens_last[:, None]}
        return rows, new

    state = {"h": rng.normal(size=(1, H)), "c": rng.normal(size=(1, H))}
    trace = []
    beam_search(step, state, V, eos, 3, 5, trace=trace)
    for t, entry in enumerate(trace[:-1]):
        scores = np.array([lp for _, lp in entry["live"]])
        _, rows = calls[t]
        returned = {"h": calls[t][0]["h"] + np.array([h[-1] if h else V for h, _ in entry["live"]])[:, None],
                    "c": calls[t][0]["c"] * 0.5 + np.array([h[-1] if h else V for h, _ in entry["live"]])[:, None]}
        parents, tokens, new_scores, new_state, finished = beam_step._step_reference(scores, rows, returned, eos, 3)
        kept = [c for c in entry["candidates"] if c["status"] == "kept"]
        assert list(parents) == [c["parent"] for c in kept] and list(tokens) == [c["token"] for c in kept]
        assert np.allclose(new_scores, [c["logprob"] for c in kept])
        assert np.allclose(finished, [c["logprob"] for c in entry["candidates"] if c["status"] == "finished"])
        for key in ("h", "c"):  # the state beam_search passes to the next call is the reference's new_state
            assert np.allclose(calls[t + 1][0][key], new_state[key])


def test_penalty_reference_is_the_package_formula_and_changes_the_winner():
    hypotheses, logprobs, _ = beam_step._penalty_cases()[0].args
    raw = beam_step._penalty_reference(hypotheses, logprobs, 0.0)
    assert np.allclose(raw, logprobs)
    assert hypotheses[int(np.argmax(raw))] == "^$"
    assert hypotheses[int(np.argmax(beam_step._penalty_reference(hypotheses, logprobs, 1.0)))] == "^elf$"


def test_clipped_counts_add_up_to_the_package_bleu():
    from lstm_course.bleu import corpus_bleu

    candidate = "a cat is on the mat"
    refs = bleu_counts._cases()[0].args[1]
    precisions = [bleu_counts._reference(candidate, refs, n) for n in range(1, 5)]
    words = [x.split() for x in refs]
    c = len(candidate.split())
    r = min((abs(len(x) - c), len(x)) for x in words)[1]
    expected = min(1.0, np.exp(1 - r / c)) * np.exp(np.mean([np.log(m / t) for m, t in precisions]))
    assert np.isclose(corpus_bleu([candidate], [refs]), expected)


def test_error_attribution_reads_the_two_log_probabilities():
    from lstm_course.exercises import check_error_attribution

    messages = []
    assert check_error_attribution("search", -1.36, -2.79, report=messages.append)
    assert not check_error_attribution("model", -1.36, -2.79, report=messages.append)
    assert check_error_attribution("model", -1.38, -1.20, report=messages.append)
    assert not check_error_attribution("search", -1.38, -1.20, report=messages.append)
    assert check_error_attribution(None, -1.0, -2.0, report=messages.append) is False
    assert "Not answered yet" in messages[-1] and "'search'" in messages[-1]
    for bad in (("a", -1.0, -2.0), ("search", 0.5, -2.0), ("search", float("nan"), -2.0), ("model", -1.0, "x")):
        assert check_error_attribution(*bad, report=messages.append) is False
