"""Checkers for the encoder–decoder chapters: an attention step, a beam-search step, and a measured question."""

import numpy as np

from ..decoding import length_normalised
from ..numpy_impl.attention import attention_forward
from ._harness import Case, Hints, Mistake, _text, both, check_function, measurement, shape_problem, takes_values

# ---------------------------------------------------------------- the attention step


def _attention_reference(query, keys, params, mask):
    context, weights, _ = attention_forward(query, keys, params, mask)
    return context, weights


def _softmax(scores, axis):
    shifted = np.exp(scores - scores.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def _scores(query, keys, params):
    return np.tanh(query @ params["W_q"].T + keys @ params["W_k"].T) @ params["v"]


def _wrong_axis(query, keys, params, mask):
    weights = _softmax(np.where(mask, _scores(query, keys, params), -np.inf), axis=1)
    return (weights[:, :, None] * keys).sum(0), weights


def _mask_ignored(query, keys, params, mask):
    weights = _softmax(_scores(query, keys, params), axis=0)
    return (weights[:, :, None] * keys).sum(0), weights


def _mask_zeroes_scores(query, keys, params, mask):
    weights = _softmax(np.where(mask, _scores(query, keys, params), 0.0), axis=0)
    return (weights[:, :, None] * keys).sum(0), weights


def _swapped(query, keys, params, mask):
    tanh_e = np.tanh(query @ params["W_k"].T + keys @ params["W_q"].T)
    weights = _softmax(np.where(mask, tanh_e @ params["v"], -np.inf), axis=0)
    return (weights[:, :, None] * keys).sum(0), weights


ATTENTION_MISTAKES = [
    Mistake("softmax over the wrong axis", "the weights must sum to 1 over the source positions s (axis 0 of the "
            "(S, B) scores), one distribution per sequence; you normalised over the batch (axis 1).", _wrong_axis),
    Mistake("mask ignored", "positions where mask is False are padding: set their scores to -inf before the "
            "softmax (np.where(mask, scores, -np.inf)), so that they get weight exactly 0.", _mask_ignored),
    Mistake("padded positions given weight", "setting masked scores to 0 is not enough: exp(0) = 1 still gives "
            "padding weight. Use -inf, so that exp(-inf) = 0.", _mask_zeroes_scores),
    Mistake("query and keys swapped", "W_q acts on the query (the decoder state) and W_k on the keys (the encoder "
            "outputs): tanh(query @ W_q.T + keys @ W_k.T).", _swapped),
]


def _wrong_axis_mask_ignored(query, keys, params, mask):
    weights = _softmax(_scores(query, keys, params), axis=1)
    return (weights[:, :, None] * keys).sum(0), weights


ATTENTION_MISTAKES.append(both(ATTENTION_MISTAKES[1], ATTENTION_MISTAKES[0], _wrong_axis_mask_ignored))


def _attention_cases():
    rng = np.random.default_rng(11)
    cases = []
    for name, (S, B, H, A) in (("S=4, B=3", (4, 3, 3, 5)), ("S=6, B=2", (6, 2, 3, 4))):
        params = {"W_q": rng.normal(size=(A, H)), "W_k": rng.normal(size=(A, H)), "v": rng.normal(size=A)}
        mask = np.arange(S)[:, None] < np.array([S] + [S - 2] * (B - 1))[None, :]
        cases.append(Case(name, (rng.normal(size=(B, H)), rng.normal(size=(S, B, H)), params, mask)))
    return cases


def check_attention_step(fn, report=print):
    """Check ``fn(query (B, H_q), keys (S, B, H_k), params, mask (S, B)) -> (context (B, H_k), weights (S, B))``.

    Additive attention: ``scores[s, b] = v . tanh(W_q query_b + W_k keys[s, b])``,
    -inf where ``mask`` is False, softmax over s, ``context = sum_s weights * keys``.
    Never raises.
    """
    return check_function(
        fn, title="Attention step", arg_names=("query", "keys", "params", "mask"), cases=_attention_cases(),
        reference=_attention_reference, mistakes=ATTENTION_MISTAKES,
        check_output=lambda out, expected: shape_problem(out, expected, ("context", "weights")),
        output_names=("context", "weights"), hints=ATTENTION_HINTS, report=report)


ATTENTION_HINTS = Hints(
    nudge="compare with the chapter's additive-attention equation: one score per source position s and sequence "
          "b, so scores are (S, B). Padding (mask False) must get weight exactly 0, and the weights form one "
          "distribution per sequence: over which axis? The context (B, H_k) is a weighted sum of the keys.",
    formula="scores[s, b] = v . tanh(W_q query_b + W_k keys[s, b]); -inf where mask is False; weights = softmax "
            "over s (axis 0); context_b = the sum over s of weights[s, b] keys[s, b].")
check_attention_step.hints = ATTENTION_HINTS


# ---------------------------------------------------------------- one beam-search step


def _candidates(scores, lengths, finished, log_probs, eos, add):
    """(parent, token, score, length) of every candidate; a finished hypothesis is carried once, unchanged."""
    out = []
    for k in range(len(scores)):
        if finished[k]:
            out.append((k, eos, scores[k], lengths[k]))
        else:
            out += [(k, v, add(scores[k], log_probs[k, v]), lengths[k] + 1) for v in range(log_probs.shape[1])]
    return out


def _select(candidates, beam_size, length_penalty, normalise=length_normalised):
    ranked = sorted(candidates, key=lambda c: -normalise(c[2], c[3], length_penalty))[:beam_size]
    return (np.array([c[0] for c in ranked]), np.array([c[1] for c in ranked]),
            np.array([float(c[2]) for c in ranked]))


def _beam_reference(scores, lengths, finished, log_probs, eos, beam_size, length_penalty):
    return _select(_candidates(scores, lengths, finished, log_probs, eos, lambda s, lp: s + lp), beam_size,
                   length_penalty)


def _adds_probabilities(scores, lengths, finished, log_probs, eos, beam_size, length_penalty):
    return _select(_candidates(scores, lengths, finished, log_probs, eos, lambda s, lp: s + np.exp(lp)), beam_size,
                   length_penalty)


def _expands_finished(scores, lengths, finished, log_probs, eos, beam_size, length_penalty):
    return _beam_reference(scores, lengths, np.zeros_like(finished), log_probs, eos, beam_size, length_penalty)


def _no_normalisation(scores, lengths, finished, log_probs, eos, beam_size, length_penalty):
    return _beam_reference(scores, lengths, finished, log_probs, eos, beam_size, 0.0)


def _raw_length_power(scores, lengths, finished, log_probs, eos, beam_size, length_penalty):
    return _select(_candidates(scores, lengths, finished, log_probs, eos, lambda s, lp: s + lp), beam_size,
                   length_penalty, normalise=lambda score, length, alpha: score / length ** alpha)


BEAM_MISTAKES = [
    Mistake("probabilities added", "scores are sums of log-probabilities: add log_probs[k, v], not exp(log_probs) "
            "(adding probabilities does not give the probability of the sequence).", _adds_probabilities),
    Mistake("finished hypotheses expanded", "a finished hypothesis (it emitted eos) is carried over once, as "
            "(parent k, token eos, the same score, the same length); it is never extended by more tokens.",
            _expands_finished),
    Mistake("no length normalisation", "with length_penalty > 0, rank candidates by score / ((5 + length) / 6) ** "
            "length_penalty, where length counts the new token: raw scores favour short hypotheses.",
            _no_normalisation),
    Mistake("|y|^alpha as the length penalty", "the chapter's length penalty is ((5 + |y|) / 6) ** alpha (Wu et al. "
            "2016), not |y| ** alpha: the 5 and the 6 keep short hypotheses from being divided by a tiny number.",
            _raw_length_power),
]


def _beam_cases():
    rng = np.random.default_rng(5)
    cases = []
    for name, (K, V, alpha) in (("K=3, V=4, no penalty", (3, 4, 0.0)), ("K=3, V=5, penalty 1.0", (3, 5, 1.0))):
        logits = rng.normal(scale=1.5, size=(K, V))
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        scores = -rng.uniform(0.5, 4.0, size=K)
        lengths = np.array([2, 5, 3])
        finished = np.array([False, True, False])
        cases.append(Case(name, (scores, lengths, finished, log_probs, 0, 4, alpha)))
    return cases


def check_beam_step(fn, report=print):
    """Check ``fn(scores (K,), lengths (K,), finished (K,), log_probs (K, V), eos, beam_size, length_penalty)
    -> (parents, tokens, new_scores)``, each of shape (beam_size,), best first.

    A live hypothesis k becomes V candidates (k, v, scores[k] + log_probs[k, v],
    lengths[k] + 1); a finished one is one candidate (k, eos, scores[k],
    lengths[k]). Candidates are ranked by ``scores / ((5 + length) / 6) **
    length_penalty``; the raw scores are returned. Never raises.
    """
    return check_function(
        fn, title="Beam step",
        arg_names=("scores", "lengths", "finished", "log_probs", "eos", "beam_size", "length_penalty"),
        cases=_beam_cases(), reference=_beam_reference, mistakes=BEAM_MISTAKES,
        check_output=lambda out, expected: shape_problem(out, expected, ("parents", "tokens", "new_scores")),
        output_names=("parents", "tokens", "new_scores"), hints=BEAM_HINTS, report=report)


BEAM_HINTS = Hints(
    nudge="every live hypothesis proposes V continuations, and a finished one is carried over once, unchanged. "
          "Rank all candidates by the chapter's length-penalised score, keep the best beam_size, best first, and "
          "return their parents, tokens and raw scores, each of shape (beam_size,).",
    formula="candidates: (k, v, scores[k] + log_probs[k, v], lengths[k] + 1) for a live k, and (k, eos, scores[k], "
            "lengths[k]) for a finished k; rank by score / ((5 + length) / 6) ** length_penalty; keep the first "
            "beam_size; new_scores are the raw scores.")
check_beam_step.hints = BEAM_HINTS


# ---------------------------------------------------------------- teacher forcing, measured

EXPOSURE_QUESTION = ("The model without attention was trained with teacher forcing. On the test numbers, is its "
                     "next-character accuracy higher when the true previous character is fed in ('a'), or when "
                     "greedy decoding feeds back its own predictions ('b')? Look at the two measured numbers.")


@takes_values
def check_exposure_answer(answer, teacher_forced, free_running, report=print):
    """Check ``answer`` ('a' or 'b') against the two measured accuracies; explain; never raise."""
    if answer is None:
        report(f"Not answered yet. {EXPOSURE_QUESTION}")
        return False
    if answer not in ("a", "b"):
        report(f"Answer 'a' or 'b'; got {answer!r}.")
        return False
    for name, value in (("teacher_forced", teacher_forced), ("free_running", free_running)):
        if measurement(value) is None:
            report(f"{name} must be the measured accuracy, a finite number; got {_text(value, 60)}.")
            return False
    teacher_forced, free_running = measurement(teacher_forced), measurement(free_running)
    right = "a" if teacher_forced >= free_running else "b"
    if answer == right:
        report(f"Correct: {teacher_forced:.3f} with teacher forcing against {free_running:.3f} when feeding back. "
               "One early mistake shifts or corrupts everything after it, a situation training never showed "
               "(exposure bias).")
        return True
    report(f"Not yet: measured {teacher_forced:.3f} with teacher forcing and {free_running:.3f} when feeding "
           "back predictions. During training the model always saw the true prefix; at test time its own errors "
           "become its inputs.")
    return False
