r"""Decoding exercises (ch12): one beam-search step with its state, and the length penalty.

:func:`check_beam_search_step` checks one step of :func:`lstm_course.decoding.beam_search` as the package
runs it: rank all ``K * V`` extensions together, set aside those that end, and reorder the decoder state
(an LSTM's ``h`` and ``c``) by the parent of each surviving hypothesis. :func:`check_length_penalty` checks
GNMT's normalised score, eq. ``length-penalty`` of the chapter,

.. math:: \frac{\log p(y)}{\mathrm{lp}(y)},\qquad \mathrm{lp}(y) = \left(\frac{5 + |y|}{6}\right)^{\alpha},

with :math:`|y|` the generated tokens (the end token counted, the start symbol not).
:func:`check_error_attribution` asks whether a wrong output is the search's fault or the model's.
"""

import numpy as np

from ..decoding import length_normalised
from ._harness import Case, Hints, Mistake, _text, check_function, measurement, takes_values

# ---------------------------------------------------------------- one beam-search step


def _rank(totals, beam_size):
    """The flat indices of the ``beam_size`` best totals, best first (ties: the lower index first)."""
    return np.argsort(-totals, axis=None, kind="stable")[:beam_size]


def _split(totals, best, scores_of, state, eos, keep_finished=False, gather=True):
    V = totals.shape[1]
    parents, tokens = np.divmod(best, V)
    ending = (tokens == eos) & (not keep_finished)
    live = ~ending
    rows = parents[live] if gather else np.arange(int(live.sum()))
    new_state = {key: np.asarray(value)[rows] for key, value in state.items()}
    return (parents[live], tokens[live], scores_of[parents, tokens][live], new_state,
            scores_of[parents, tokens][ending])


def _step_reference(scores, log_probs, state, eos, beam_size):
    totals = np.asarray(scores, dtype=np.float64)[:, None] + log_probs
    return _split(totals, _rank(totals, beam_size), totals, state, eos)


def _state_not_reordered(scores, log_probs, state, eos, beam_size):
    parents, tokens, new_scores, _, finished = _step_reference(scores, log_probs, state, eos, beam_size)
    return parents, tokens, new_scores, {key: np.asarray(value) for key, value in state.items()}, finished


def _state_sliced(scores, log_probs, state, eos, beam_size):
    totals = np.asarray(scores, dtype=np.float64)[:, None] + log_probs
    return _split(totals, _rank(totals, beam_size), totals, state, eos, gather=False)


def _top_k_per_beam(scores, log_probs, state, eos, beam_size):
    totals = np.asarray(scores, dtype=np.float64)[:, None] + log_probs
    K, V = totals.shape
    per = max(beam_size // K, 1)
    own = np.concatenate([k * V + np.argsort(-totals[k], kind="stable")[:per] for k in range(K)])
    best = own[np.argsort(-totals.ravel()[own], kind="stable")][:beam_size]
    return _split(totals, best, totals, state, eos)


def _finished_expanded(scores, log_probs, state, eos, beam_size):
    totals = np.asarray(scores, dtype=np.float64)[:, None] + log_probs
    return _split(totals, _rank(totals, beam_size), totals, state, eos, keep_finished=True)


def _not_accumulated(scores, log_probs, state, eos, beam_size):
    totals = np.asarray(log_probs, dtype=np.float64)
    return _split(totals, _rank(totals, beam_size), totals, state, eos)


STEP_MISTAKES = [
    Mistake("state not reordered", "the rows of the decoder state must follow the hypotheses: row j of the new "
            "h and c is row parents[j] of the old ones (state[key][parents]); a hypothesis that continues "
            "another one needs that one's memory.", _state_not_reordered),
    Mistake("state sliced, not gathered", "state[key][:n] keeps the first n rows whatever their parents; gather "
            "the rows of the parents instead, state[key][parents] (a parent may appear twice, another not at "
            "all).", _state_sliced),
    Mistake("top-k over each beam separately", "the beam_size best extensions are chosen among all K * V "
            "together: one strong hypothesis may give several survivors and a weak one none. Flatten the "
            "(K, V) totals, rank them once, and split each flat index with divmod(index, V).", _top_k_per_beam),
    Mistake("finished hypotheses kept expanding", "a survivor whose token is eos has ended: set its score aside "
            "in finished_scores and leave it out of parents, tokens, new_scores and the state, so that it is "
            "never extended again.", _finished_expanded),
    Mistake("log-probs not accumulated", "a hypothesis is ranked by the log-probability of the whole prefix: "
            "add scores[k] to row k of log_probs before ranking, and return those sums.", _not_accumulated),
]

STEP_HINTS = Hints(
    nudge=("Compare all K * V extensions at once, not each row on its own, by the log-probability of the whole "
           "prefix. Of the beam_size best, set aside those whose token is eos. The state's arrays have one row "
           "per hypothesis (shape (K, H)): after the step they need one row per surviving hypothesis, in order. "
           "The chapter's beam_search (sec. 'Beam search, and one function for every model') does this."),
    formula=("totals = scores[:, None] + log_probs (K, V); best = the beam_size flat indices of the largest "
             "totals, best first (np.argsort(-totals, axis=None, kind='stable')); parent, token = divmod(best, V). "
             "Where token == eos: finished_scores. Elsewhere: parents, tokens, new_scores = totals[parent, token], "
             "and new_state[key] = state[key][parents] for 'h' and 'c'."))


def _step_cases():
    rng = np.random.default_rng(12)
    cases = []
    for name, (K, V, H, eos, boost) in (("K=3, V=5, one strong hypothesis, eos among the best", (3, 5, 2, 0, True)),
                                        ("K=4, V=6, eos not among the best", (4, 6, 3, 5, False))):
        logits = rng.normal(scale=1.5, size=(K, V))
        log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        scores = -np.sort(rng.uniform(0.3, 3.0, size=K))
        if boost:  # hypothesis 0 far ahead, with eos its second-best token
            scores = np.array([-0.2, -2.5, -3.0])
            log_probs[0] = np.log([0.30, 0.45, 0.15, 0.06, 0.04])
        else:
            log_probs[:, eos] = np.log(1e-3)
        state = {"h": rng.normal(size=(K, H)), "c": rng.normal(size=(K, H))}
        cases.append(Case(name, (scores, log_probs, state, eos, K)))
    return cases


def check_beam_search_step(fn, report=print):
    """Check ``fn(scores (K,), log_probs (K, V), state, eos, beam_size)`` for one beam-search step.

    ``state`` is ``{"h": (K, H), "c": (K, H)}``, one row per live hypothesis. ``fn`` returns ``(parents (L,),
    tokens (L,), new_scores (L,), new_state, finished_scores (F,))``: of the ``beam_size`` best extensions
    over all ``K * V`` (by ``scores[k] + log_probs[k, v]``, best first), the ``F`` that end in ``eos`` are set
    aside as ``finished_scores`` and the other ``L = beam_size - F`` stay live, with ``new_state[key] =
    state[key][parents]``. This is one step of :func:`lstm_course.decoding.beam_search`. Names five common
    mistakes (``STEP_MISTAKES``); never raises.
    """
    return check_function(
        fn, title="Beam-search step", arg_names=("scores", "log_probs", "state", "eos", "beam_size"),
        cases=_step_cases(), reference=_step_reference, mistakes=STEP_MISTAKES, hints=STEP_HINTS,
        output_names=("parents", "tokens", "new_scores", "new_state", "finished_scores"), report=report)


# ---------------------------------------------------------------- the length penalty


def _lengths(hypotheses, drop):
    return np.array([len(h) - drop for h in hypotheses], dtype=np.float64)


def _penalty_reference(hypotheses, logprobs, alpha):
    return np.array([length_normalised(float(lp), n, alpha)
                     for lp, n in zip(logprobs, _lengths(hypotheses, 1))])


def _on_probabilities(hypotheses, logprobs, alpha):
    return np.exp(np.asarray(logprobs, dtype=np.float64)) / ((5 + _lengths(hypotheses, 1)) / 6) ** alpha


def _counts_start(hypotheses, logprobs, alpha):
    return np.asarray(logprobs, dtype=np.float64) / ((5 + _lengths(hypotheses, 0)) / 6) ** alpha


def _sign_flipped(hypotheses, logprobs, alpha):
    return np.asarray(logprobs, dtype=np.float64) / ((5 + _lengths(hypotheses, 1)) / 6) ** (-alpha)


def _plain_average(hypotheses, logprobs, alpha):
    return np.asarray(logprobs, dtype=np.float64) / _lengths(hypotheses, 1) ** alpha


PENALTY_MISTAKES = [
    Mistake("penalty applied to probabilities", "divide the log-probability, not the probability: exp(logprob) / "
            "lp(y) shrinks every score towards 0 and still favours short outputs.", _on_probabilities),
    Mistake("length counts the start symbol", "|y| counts the generated tokens (the end token included); the "
            "start symbol '^' at position 0 was given, not generated: len(hypothesis) - 1.", _counts_start),
    Mistake("alpha sign flipped", "lp(y) = ((5 + |y|) / 6) ** alpha with alpha > 0, and the score is logprob / "
            "lp(y): dividing a negative number by a factor above 1 raises it, which is what helps long "
            "outputs. Multiplying (or a negative exponent) punishes them further.", _sign_flipped),
    Mistake("plain average instead of GNMT's lp", "the chapter's penalty is GNMT's ((5 + |y|) / 6) ** alpha, not "
            "|y| ** alpha.", _plain_average),
]

PENALTY_HINTS = Hints(
    nudge=("Eq. length-penalty of the chapter. Each hypothesis is a string of characters as the decoder wrote "
           "it, from the start symbol '^' to the end token '$'; logprobs are the summed log-probabilities (negative numbers). "
           "Which tokens count in |y|, and is the score made larger or smaller for a long hypothesis?"),
    formula=("|y| = len(hypothesis) - 1 (the start symbol is not counted, the end token is); lp = ((5 + |y|) / 6) "
             "** alpha; return logprob / lp for every hypothesis, as one array (N,)."))


def _penalty_cases():
    hypotheses = ["^$", "^elf$", "^zwölf$", "^dreizehn$"]
    logprobs = np.array([-1.2, -1.5, -2.6, -4.1])  # alpha = 1 prefers '^elf$' to the empty '^$'
    return [Case("alpha = 1", (hypotheses, logprobs, 1.0)), Case("alpha = 0.6", (hypotheses, logprobs, 0.6))]


def check_length_penalty(fn, report=print):
    """Check ``fn(hypotheses, logprobs (N,), alpha) -> scores (N,)``, GNMT's normalised score.

    ``hypotheses`` is a list of N strings, each a decoder's output from its start symbol ``"^"`` to its end
    token ``"$"`` (both one character); ``scores[i] =
    logprobs[i] / ((5 + |y_i|) / 6) ** alpha`` with ``|y_i| = len(hypotheses[i]) - 1``, as
    :func:`lstm_course.decoding.length_normalised` computes. Names four common mistakes
    (``PENALTY_MISTAKES``); never raises.
    """
    return check_function(
        fn, title="Length penalty", arg_names=("hypotheses", "logprobs", "alpha"), cases=_penalty_cases(),
        reference=_penalty_reference, mistakes=PENALTY_MISTAKES, hints=PENALTY_HINTS, output_names=("scores",),
        report=report)


# ---------------------------------------------------------------- whose error: the search's or the model's


ATTRIBUTION_QUESTION = ("A decoder returned a wrong output. Is the error the search's ('search': a better search "
                        "would have found the right output) or the model's ('model': the model itself rates the "
                        "wrong output at least as high)? Compare the two log-probabilities under the model.")


@takes_values
def check_error_attribution(answer, logprob_right, logprob_returned, report=print):
    """Check ``answer`` ('search' or 'model') for one wrong decoder output; explain; never raise.

    The error analysis of beam search: if the right output :math:`y^*` is more probable under the model
    than the returned :math:`\\hat y` (``logprob_right > logprob_returned``), the search missed it; otherwise
    the model (its score, with the length penalty in use) prefers the wrong output, and a wider beam cannot
    help. Both log-probabilities are the learner's to compute.
    """
    if answer is None:
        report(f"Not answered yet. {ATTRIBUTION_QUESTION}")
        return False
    if answer not in ("search", "model"):
        report(f"Answer 'search' or 'model'; got {_text(answer, 40)}.")
        return False
    values = {}
    for name, value in (("logprob_right", logprob_right), ("logprob_returned", logprob_returned)):
        values[name] = measurement(value)
        if values[name] is None or values[name] > 1e-12:
            report(f"{name} must be a log-probability, a finite number <= 0; got {_text(value, 60)}.")
            return False
    right, returned = values["logprob_right"], values["logprob_returned"]
    truth = "search" if right > returned else "model"
    if answer == truth:
        report(f"Correct: log p(right) = {right:.3f}, log p(returned) = {returned:.3f}. " + (
            "The model rates the right output higher, so the search missed it: a wider beam can find it."
            if truth == "search" else
            "The model itself prefers the wrong output, so no search can fix it: the model (or the score, "
            "such as a missing length penalty) must change."))
        return True
    report(f"Not yet: log p(right) = {right:.3f} and log p(returned) = {returned:.3f}. The search is to blame "
           "only if it returned something the model rates lower than the right output.")
    return False
