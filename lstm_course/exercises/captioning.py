"""Checkers for the captioning chapter's two CS231n pieces: the training loss and test-time greedy captions.

- :func:`check_caption_loss`: ``my_caption_loss(logits, ids, pad) -> loss``, the mean cross-entropy of a
  teacher-forced decoder that read ``ids[:-1]``, over the real (unpadded) targets ``ids[1:]``;
- :func:`check_caption_sample`: ``my_sample(init, step, features, max_len, start, end, pad) -> ids``, greedy
  captions at test time: each chosen word is the next input, and a caption stops at its end token.
"""

from collections import Counter

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, type_name


def _log_softmax(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _picked(logp, targets):
    return np.take_along_axis(logp, targets[..., None], axis=-1)[..., 0]  # (T, B)


def reference_caption_loss(logits, ids, pad):
    """Mean cross-entropy (nats per real target) of ``ids[1:]`` under ``logits`` (T, B, V), padding masked."""
    targets = ids[1:]  # logits[t] predicts the word after the one read at step t
    mask = targets != pad
    return float(-(_picked(_log_softmax(logits), targets) * mask).sum() / mask.sum())


def _unshifted(logits, ids, pad):
    targets = ids[:-1]
    mask = targets != pad
    return float(-(_picked(_log_softmax(logits), targets) * mask).sum() / mask.sum())


def _no_mask(logits, ids, pad):
    return float(-_picked(_log_softmax(logits), ids[1:]).mean())


def _mask_from_inputs(logits, ids, pad):
    mask = ids[:-1] != pad
    return float(-(_picked(_log_softmax(logits), ids[1:]) * mask).sum() / mask.sum())


def _per_caption(logits, ids, pad):  # CS231n's temporal_softmax_loss: summed over time, averaged over the batch
    mask = ids[1:] != pad
    return float(-(_picked(_log_softmax(logits), ids[1:]) * mask).sum() / ids.shape[1])


def _mean_of_caption_means(logits, ids, pad):
    mask = ids[1:] != pad
    per = -(_picked(_log_softmax(logits), ids[1:]) * mask).sum(axis=0) / mask.sum(axis=0)
    return float(per.mean())


def _softmax_over_batch(logits, ids, pad):
    mask = ids[1:] != pad
    return float(-(_picked(_log_softmax(logits, axis=1), ids[1:]) * mask).sum() / mask.sum())


LOSS_MISTAKES = [
    Mistake("targets not shifted (the start token as a target)", "logits[t] was computed after reading ids[t], "
            "so it predicts the next word, ids[t + 1]; you scored it against ids[t], the word it has just read "
            "(the first target is then <start>, which the model is never asked to predict). Use ids[1:] as the "
            "targets.", _unshifted),
    Mistake("padding not masked", "you averaged over every position, padding included: a short caption's "
            "padded tail counts as words to predict. Weight each target by m = (ids[1:] != pad) and divide by "
            "m.sum().", _no_mask),
    Mistake("mask taken from the inputs", "the mask must say which *targets* are real, (ids[1:] != pad); "
            "(ids[:-1] != pad) is one step late and counts the padding right after each <end>.", _mask_from_inputs),
    Mistake("mean over the wrong axis (summed over time, averaged over captions)", "you summed each caption's "
            "losses and divided by the number of captions B (CS231n's temporal_softmax_loss does this); the "
            "chapter's loss is per word: divide by the number of real targets, m.sum().", _per_caption),
    Mistake("mean over the wrong axis (the mean of per-caption means)", "you averaged each caption's words, then "
            "the captions: a short caption's words then weigh more than a long one's. Divide the total over "
            "all real targets by their number, m.sum().", _mean_of_caption_means),
    Mistake("softmax over the wrong axis", "your log-softmax normalises over the batch (axis 1), not over the "
            "vocabulary (the last axis, V): each row logits[t, b] must be a distribution over words.",
            _softmax_over_batch),
]


def _loss_case(T, B, V, lengths, seed, pad=0, start=1, end=2):
    rng = np.random.default_rng(seed)
    ids = np.full((T + 1, B), pad)
    words = [w for w in range(V) if w not in (pad, start, end)]
    for b, n in enumerate(lengths):  # <start>, n words, <end>, then padding
        ids[0, b], ids[n + 1, b] = start, end
        ids[1:n + 1, b] = rng.choice(words, n)
    return rng.normal(0, 2.0, (T, B, V)), ids, pad


LOSS_CASES = [
    Case("T = 6, B = 3, V = 8, captions of 5, 2 and 3 words", _loss_case(6, 3, 8, [5, 2, 3], seed=1)),
    Case("T = 4, B = 2, V = 7, captions of 1 and 3 words, pad = 6", _loss_case(4, 2, 7, [1, 3], seed=2, pad=6,
                                                                            start=0, end=3)),
]

LOSS_HINTS = Hints(
    nudge="The decoder read ids[:-1] (teacher forcing), so logits[t] is a prediction of which word of ids? "
          "Which of those targets are padding? Then average the cross-entropy over the real targets only "
          "(eq. cond-h0's decoder, the chapter's mean per word).",
    formula="targets = ids[1:], m = (targets != pad); loss = -sum over t, b of m[t, b] log softmax(logits[t, b])"
            "[targets[t, b]], divided by m.sum(); the log-softmax runs over the last axis (V).")


def _scalar_problem(out, expected):
    value = np.asarray(out) if isinstance(out, (int, float, np.number, np.ndarray)) else None
    if value is None or value.shape != ():
        return f"expected one number (the mean loss); got {type_name(out)}" + (
            f" of shape {value.shape}" if value is not None else "")
    return None


def check_caption_loss(fn, report=print):
    """Check ``fn(logits (T, B, V), ids (T + 1, B) int, pad int) -> loss`` (a float, nats per real target).

    ``ids`` start with the start token and are padded with ``pad`` after each caption's end token;
    ``logits`` are what a teacher-forced decoder gave reading ``ids[:-1]``. Returns True only when right;
    names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Caption loss", arg_names=("logits", "ids", "pad"), cases=LOSS_CASES,
                          reference=reference_caption_loss, mistakes=LOSS_MISTAKES, output_names=("loss",),
                          check_output=_scalar_problem, hints=LOSS_HINTS, report=report)


class ToyCaptioner:
    """A small fixed decoder: ``init(f) = tanh(f W_f^T)``, ``step(w, h) = (h' C^T, h')``, ``h' = tanh(h A^T + E[w])``.

    Called with ``(features,)`` it is ``init``; ``.step`` is a second object, so that the learner gets two
    plain callables. Every row of a batch is independent, as in a real decoder.
    """

    def __init__(self, F, H, V, seed, end=2, end_bias=0.0):
        rng = np.random.default_rng(seed)
        self.seed, self.V = seed, V
        self.W_f, self.A = rng.normal(0, 1.0, (H, F)), rng.normal(0, 1.0, (H, H)) / np.sqrt(H)
        self.E, self.C = rng.normal(0, 1.0, (V, H)), rng.normal(0, 1.5, (V, H))
        self.b = np.zeros(V)
        self.b[end] = end_bias

    def __call__(self, features):
        return np.tanh(np.asarray(features, dtype=np.float64) @ self.W_f.T)

    def step(self, words, state):
        h = np.tanh(np.asarray(state, dtype=np.float64) @ self.A.T + self.E[np.asarray(words)])
        return h @ self.C.T + self.b, h

    def __eq__(self, other):
        return isinstance(other, ToyCaptioner) and all(
            np.array_equal(getattr(self, n), getattr(other, n)) for n in ("W_f", "A", "E", "C", "b"))

    def _lstm_course_plain(self):
        return {n: getattr(self, n) for n in ("W_f", "A", "E", "C", "b")}


class Step:
    """``step(words (B,) int, state (B, H)) -> (logits (B, V), state)`` of a :class:`ToyCaptioner`."""

    def __init__(self, model):
        self.model = model

    def __call__(self, words, state):
        return self.model.step(words, state)

    def __eq__(self, other):
        return isinstance(other, Step) and self.model == other.model

    def _lstm_course_plain(self):
        return self.model._lstm_course_plain()


def reference_sample(init, step, features, max_len, start, end, pad):
    """Greedy captions (B, max_len): argmax over the vocabulary, fed back; ``pad`` after each row's ``end``."""
    B = np.asarray(features).shape[0]
    state, words = init(features), np.full(B, start)
    out, done = np.full((B, max_len), pad), np.zeros(B, dtype=bool)
    for t in range(max_len):
        logits, state = step(words, state)
        words = np.argmax(logits, axis=1)  # (B,): the most likely word of each caption, the next input
        out[~done, t] = words[~done]
        done |= words == end
    return out


def _not_fed_back(init, step, features, max_len, start, end, pad):
    B = np.asarray(features).shape[0]
    state, out, done = init(features), np.full((B, max_len), pad), np.zeros(B, dtype=bool)
    for t in range(max_len):
        logits, state = step(np.full(B, start), state)  # the start token (or a true word) every step
        words = np.argmax(logits, axis=1)
        out[~done, t] = words[~done]
        done |= words == end
    return out


def _no_stop(init, step, features, max_len, start, end, pad):
    B = np.asarray(features).shape[0]
    state, words, out = init(features), np.full(B, start), np.full((B, max_len), pad)
    for t in range(max_len):
        logits, state = step(words, state)
        words = np.argmax(logits, axis=1)
        out[:, t] = words
    return out


def _wrong_axis(init, step, features, max_len, start, end, pad):
    B = np.asarray(features).shape[0]
    state, words = init(features), np.full(B, start)
    out, done = np.full((B, max_len), pad), np.zeros(B, dtype=bool)
    for t in range(max_len):
        logits, state = step(words, state)
        words = np.argmax(logits, axis=0)  # over the batch: shape (V,), which only runs when V == B
        out[~done, t] = words[~done]
        done |= words == end
    return out


def _end_not_kept(init, step, features, max_len, start, end, pad):
    out = reference_sample(init, step, features, max_len, start, end, pad)
    return np.where(out == end, pad, out)


def _state_from_zero(init, step, features, max_len, start, end, pad):
    B = np.asarray(features).shape[0]
    H = np.asarray(init(features)).shape[1]
    return reference_sample(lambda f: np.zeros((B, H)), step, features, max_len, start, end, pad)


SAMPLE_MISTAKES = [
    Mistake("input not fed back (the ground truth or <start> at every step)", "at test time there is no true "
            "caption to feed (teacher forcing is for training): the input of step t + 1 is the word chosen at "
            "step t. Your steps all read the same input.", _not_fed_back),
    Mistake("not stopping at the end token", "a caption ends with its end token: after a row has produced "
            "`end`, fill the rest of that row with `pad` (keep the end token itself).", _no_stop),
    Mistake("argmax over the wrong axis", "np.argmax(logits, axis=0) picks, for each word, the caption that "
            "likes it most; the next word of each caption is the argmax over the vocabulary, axis=1 (or -1).",
            _wrong_axis),
    Mistake("end token dropped", "keep the end token in the caption (it is what the model chose), and pad only "
            "the positions after it.", _end_not_kept),
    Mistake("image ignored (state from zero)", "the first state must come from the image: state = "
            "init(features). From zeros, every image gets the same caption.", _state_from_zero),
]


def _sample_case(B, F, H, V, max_len, seed, end_bias):
    model = ToyCaptioner(F, H, V, seed, end=2, end_bias=end_bias)
    rng = np.random.default_rng(seed + 100)
    return (model, Step(model), rng.normal(size=(B, F)), max_len, 1, 2, 0)


SAMPLE_CASES = [  # the first has V == B, so that an argmax over the wrong axis runs and can be named
    Case("B = 6, V = 6, max_len = 7", _sample_case(6, 3, 5, 6, 7, seed=4, end_bias=-0.5)),
    Case("B = 4, V = 9, max_len = 8", _sample_case(4, 4, 6, 9, 8, seed=11, end_bias=-0.5)),
]

SAMPLE_HINTS = Hints(
    nudge="Start from the state the image gives (init), read <start>, and at every step pick the most likely "
          "word of each caption; what is the next input at test time, with no true caption? When is a caption "
          "finished?",
    formula="state = init(features); words = start for every row; repeat max_len times: logits, state = "
            "step(words, state); words = argmax of logits over the vocabulary (axis 1); write words into "
            "column t for the rows not yet finished; a row is finished once it has written `end`; the rest "
            "stays `pad`.")


def _ids_problem(out, expected):
    try:
        ids = np.asarray(out)
    except Exception:  # noqa: BLE001 - a learner may return anything
        return f"expected an integer array of shape {expected.shape}; got {type_name(out)}"
    if ids.dtype == object or ids.shape != expected.shape:
        return f"expected an integer array of shape {expected.shape} (B, max_len); got {type_name(out)}"
    if not np.issubdtype(ids.dtype, np.integer):
        return f"expected integer word ids; got dtype {ids.dtype}"
    return None


def check_caption_sample(fn, report=print):
    """Check ``fn(init, step, features (B, F), max_len, start, end, pad) -> ids (B, max_len)``, greedy captions.

    ``init(features) -> state``; ``step(words (B,), state) -> (logits (B, V), state)``. Each chosen word
    is the next input; a row keeps its end token and is ``pad`` after it. Returns True only when right;
    names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Greedy captions", arg_names=("init", "step", "features", "max_len", "start",
                                                                 "end", "pad"),
                          cases=SAMPLE_CASES, reference=reference_sample, mistakes=SAMPLE_MISTAKES,
                          output_names=("ids",), check_output=_ids_problem, hints=SAMPLE_HINTS, report=report)


def _counts(tokens, n):
    return Counter(tuple(tokens[k:k + n]) for k in range(len(tokens) - n + 1))


def _precision(candidates, references, n, clip, per_sentence=False):
    matches, totals, ratios = 0, 0, []
    for candidate, refs in zip(candidates, references):
        counts = _counts(candidate.split(), n)
        m = sum(min(k, clip(g, [_counts(r.split(), n) for r in refs])) for g, k in counts.items())
        t = sum(counts.values())
        matches, totals = matches + m, totals + t
        ratios.append(m / t if t else 0.0)
    return float(np.mean(ratios)) if per_sentence else float(matches / totals)


def reference_modified_precision(candidates, references, n):
    """BLEU's p_n: candidate n-grams clipped to their largest count in any one reference, summed over the corpus."""
    return _precision(candidates, references, n, lambda g, refs: max(r[g] for r in refs))


PRECISION_MISTAKES = [
    Mistake("counts not clipped", "a candidate n-gram counts every time it occurs, however often: 'the the the' "
            "would score 1 against 'the cat'. Clip each n-gram's count to the most times it occurs in one "
            "reference.", lambda c, r, n: _precision(c, r, n, lambda g, refs: 10 ** 9 * any(x[g] for x in refs))),
    Mistake("max over references not taken (the first reference only)", "each n-gram is clipped by its count in "
            "the reference that has it most often, not in the first reference only.",
            lambda c, r, n: _precision(c, r, n, lambda g, refs: refs[0][g])),
    Mistake("clipped by the sum over references", "the clip is the largest count in any *one* reference, not the "
            "count summed over all references (which lets a word repeat as often as it appears anywhere).",
            lambda c, r, n: _precision(c, r, n, lambda g, refs: sum(x[g] for x in refs))),
    Mistake("sentence precisions averaged", "sum the clipped counts and the totals over the whole corpus, then "
            "divide once; the mean of sentence ratios weighs a short caption like a long one.",
            lambda c, r, n: _precision(c, r, n, lambda g, refs: max(x[g] for x in refs), per_sentence=True)),
]

PRECISION_CASES = [
    Case("unigrams, 3 candidates, 2 references each", (
        ["the the the the the the the", "a cat on the mat", "there is a cat"],
        [["the cat is on the mat", "there is a cat on the mat"], ["the cat sat on a mat", "a cat is on the mat mat"],
         ["a dog is here", "there is a cat there is a cat"]], 1)),
    Case("bigrams, 2 candidates, 2 references each", (
        ["a red circle a red circle a red circle a red circle", "a small blue square"],
        [["a red circle above a red square", "a red circle to the left of a red circle"],
         ["a large blue square", "a small blue square"]], 2)),
]

PRECISION_HINTS = Hints(
    nudge="BLEU's modified precision: how many of the candidate's n-grams does a reference 'license', when a "
          "reference word may be used no more often than it occurs there? Where are the counts added up: per "
          "caption, or over the corpus?",
    formula="for each candidate and each of its n-grams g with count k: clipped = min(k, max over its references "
            "of the count of g in that reference); p_n = (sum of clipped over the corpus) / (sum of the "
            "candidates' n-gram counts over the corpus).")


def check_clipped_precision(fn, report=print):
    """Check ``fn(candidates (N str), references (N lists of str), n) -> p_n``, BLEU's corpus modified precision.

    Returns True only when right; names the likely mistake otherwise; never raises.
    """
    return check_function(fn, title="Clipped n-gram precision", arg_names=("candidates", "references", "n"),
                          cases=PRECISION_CASES, reference=reference_modified_precision,
                          mistakes=PRECISION_MISTAKES, output_names=("p_n",), check_output=_scalar_problem,
                          hints=PRECISION_HINTS, report=report)
