"""Checker for the encoder–decoder chapter: the teacher-forced cross-entropy over a padded batch of targets.

The learner writes ``my_masked_cross_entropy(logits, targets, pad)`` and returns ``(loss, d_logits)``: the mean
cross-entropy over the target tokens that are not ``pad``, and its gradient. The zoo names the mistakes of
padded batches: the loss counted on padding, the mean taken over all positions instead of the real ones, a
gradient that is not zero at padded positions, and the gradient of the sum instead of the mean.
"""

import numpy as np

from ..numpy_impl.seq2seq import cross_entropy
from ._harness import Case, Hints, Mistake, check_function, shape_problem

OUTPUTS = ("loss", "d_logits")


def _reference(logits, targets, pad):
    return cross_entropy(logits, targets, pad)


def _pieces(logits, targets):
    shifted = logits - logits.max(axis=2, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
    picked = np.take_along_axis(log_probs, targets[:, :, None], axis=2)[:, :, 0]
    d = np.exp(log_probs)
    np.put_along_axis(d, targets[:, :, None], np.take_along_axis(d, targets[:, :, None], 2) - 1, 2)
    return picked, d


def _padding_counted(logits, targets, pad):
    picked, d = _pieces(logits, targets)
    return -float(picked.mean()), d / picked.size


def _mean_over_all(logits, targets, pad):
    picked, d = _pieces(logits, targets)
    valid = targets != pad
    return -float((picked * valid).sum()) / picked.size, d * valid[:, :, None] / picked.size


def _padding_gradient(logits, targets, pad):
    picked, d = _pieces(logits, targets)
    valid = targets != pad
    count = max(int(valid.sum()), 1)
    return -float((picked * valid).sum()) / count, d / count


def _sum_gradient(logits, targets, pad):
    picked, d = _pieces(logits, targets)
    valid = targets != pad
    count = max(int(valid.sum()), 1)
    return -float((picked * valid).sum()) / count, d * valid[:, :, None]


MISTAKES = [
    Mistake("loss counted on padding",
            "positions whose target is pad are not part of the translation: leave them out of the loss "
            "(multiply by valid = targets != pad) and out of the count.", _padding_counted),
    Mistake("mean over all positions instead of real ones",
            "the padding is masked out of the sum, but the sum is divided by T * B: divide by the number of "
            "real target tokens, valid.sum(), so that a batch of short targets is not down-weighted.",
            _mean_over_all),
    Mistake("gradient of padded positions not zero",
            "the loss is right, but d_logits at padded positions must be exactly 0 (they are not in the loss): "
            "multiply the gradient by valid[:, :, None].", _padding_gradient),
    Mistake("gradient of the sum, not of the mean",
            "the loss is a mean over valid.sum() tokens, so its gradient is (softmax - one_hot) * valid / "
            "valid.sum(); you left out the division.", _sum_gradient),
]

HINTS = Hints(
    nudge="Compare with eq. encdec's loss, the mean cross-entropy of the target characters: here over a padded "
          "batch, logits (T, B, V) and targets (T, B), where targets == pad marks padding. Return the loss (a "
          "float) and d_logits (T, B, V). Which positions count, and what do you divide by?",
    formula="valid = targets != pad; log_probs = log_softmax(logits, axis=2); loss = -sum(log_probs[t, b, "
            "targets[t, b]] * valid) / valid.sum(); d_logits = (softmax(logits) - one_hot(targets)) * "
            "valid[:, :, None] / valid.sum().")


def _cases():
    rng = np.random.default_rng(29)
    cases = []
    for name, (T, B, V, lengths) in (("T=5, B=3, padded", (5, 3, 6, (5, 3, 1))),
                                      ("T=4, B=2, padded", (4, 2, 5, (2, 4)))):
        targets = rng.integers(1, V, size=(T, B))
        targets = np.where(np.arange(T)[:, None] < np.array(lengths)[None, :], targets, 0)
        cases.append(Case(name, (rng.normal(scale=2.0, size=(T, B, V)), targets, 0)))
    return cases


def check_masked_cross_entropy(fn, report=print):
    """Check ``fn(logits (T, B, V), targets (T, B), pad) -> (loss, d_logits (T, B, V))``.

    ``loss`` is the mean cross-entropy over the positions whose target is not ``pad``, ``d_logits`` its
    gradient (zero at padded positions); the reference is
    ``lstm_course.numpy_impl.seq2seq.cross_entropy``. Names the mistakes of ``MISTAKES``; never raises.
    """
    return check_function(
        fn, title="Masked cross-entropy", arg_names=("logits", "targets", "pad"), cases=_cases(),
        reference=_reference, mistakes=MISTAKES, output_names=OUTPUTS,
        check_output=lambda out, expected: shape_problem(out, expected, OUTPUTS), hints=HINTS, report=report)
