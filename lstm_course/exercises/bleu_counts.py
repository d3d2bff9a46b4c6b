r"""BLEU's clipped n-gram counts (ch12), the numerator and denominator of :math:`p_n` in
:func:`lstm_course.bleu.corpus_bleu`:

.. math:: \mathrm{matches}_n = \sum_{g} \min\big(c(g),\ \max_r c_r(g)\big),\qquad
          \mathrm{total}_n = \max(|\hat y| - n + 1, 0),

where :math:`g` runs over the candidate's n-grams, :math:`c(g)` counts them in the candidate and
:math:`c_r(g)` in reference :math:`r` (Papineni et al. 2002).
"""

from collections import Counter

import numpy as np

from ._harness import Case, Hints, Mistake, check_function


def _grams(tokens, n, stop=0):
    return Counter(tuple(tokens[k:k + n]) for k in range(len(tokens) - n + 1 - stop))


def _most(references, n, combine, stop=0):
    most = Counter()
    for ref in references:
        counts = _grams(ref, n, stop)
        for gram, k in counts.items():
            most[gram] = combine(most[gram], k)
    return most


def _counts(candidate, references, n, clip="max", stop=0):
    candidate, references = candidate.split(), [ref.split() for ref in references]
    counts = _grams(candidate, n, stop)
    if clip == "max":
        most = _most(references, n, max, stop)
        matches = sum(min(k, most[g]) for g, k in counts.items())
    elif clip == "sum":
        most = _most(references, n, lambda a, b: a + b, stop)
        matches = sum(min(k, most[g]) for g, k in counts.items())
    else:  # no clipping: every candidate n-gram that occurs in some reference
        most = _most(references, n, max, stop)
        matches = sum(k for g, k in counts.items() if most[g] > 0)
    return np.float64(matches), np.float64(max(len(candidate) - n + 1 - stop, 0))


def _reference(candidate, references, n):
    return _counts(candidate, references, n)


def _no_clipping(candidate, references, n):
    return _counts(candidate, references, n, clip="none")


def _clipped_by_total(candidate, references, n):
    return _counts(candidate, references, n, clip="sum")


def _order_below(candidate, references, n):
    return _counts(candidate, references, max(n - 1, 1))


def _last_gram_missed(candidate, references, n):
    return _counts(candidate, references, n, stop=1)


MISTAKES = [
    Mistake("no clipping", "a candidate n-gram is credited at most as often as it occurs in one reference: "
            "'the the the' against 'the cat' matches once, not three times. Take min(count in the candidate, "
            "max count in a reference).", _no_clipping),
    Mistake("clipped by the total over references", "clip by the largest count in any single reference, not the "
            "sum over references: two references that each say 'the' twice allow 'the' twice, not four times.",
            _clipped_by_total),
    Mistake("counted (n - 1)-grams", "count n-grams of the order asked: tuple(tokens[k:k + n]) for k in "
            "range(len(tokens) - n + 1).", _order_below),
    Mistake("last n-gram missed", "a list of T tokens has T - n + 1 n-grams: range(len(tokens) - n + 1), not "
            "range(len(tokens) - n).", _last_gram_missed),
]

HINTS = Hints(
    nudge=("Split the strings into words first (.split()). Two numbers for one candidate: how many of its n-grams are credited, and how many n-grams it has. "
           "A repeated n-gram is credited only as often as a reference justifies it. Which reference: each "
           "one, all of them added up, or the one with the most? collections.Counter counts tuples."),
    formula=("tokens = candidate.split(); counts = Counter of tuple(tokens[k:k + n]); most[g] = max over references of that reference's "
             "count of g; matches = sum over g of min(counts[g], most[g]); total = max(len(tokens) - n + 1, "
             "0). Return (matches, total)."))


def _cases():
    refs = ["the cat is on the mat", "there is a cat on the mat"]
    cases = [Case("'the the the the cat', n = 1", ("the the the the cat", refs, 1)),
             Case("'the cat the cat on the mat', n = 2", ("the cat the cat on the mat", refs, 2)),
             Case("'on the mat', n = 3", ("on the mat", refs, 3))]
    return cases


def check_clipped_counts(fn, report=print):
    """Check ``fn(candidate, references, n) -> (matches, total)``, BLEU's clipped n-gram counts.

    ``candidate`` is a string of words separated by spaces (``candidate.split()`` gives its tokens, as in
    :func:`lstm_course.bleu.corpus_bleu`), ``references`` a list of such strings and ``n`` the n-gram order; ``matches`` sums each candidate n-gram's count clipped by its largest count in any one reference,
    ``total`` is the number of the candidate's n-grams. The counts :func:`lstm_course.bleu.corpus_bleu` adds
    over a corpus. Names four common mistakes (``MISTAKES``); never raises.
    """
    return check_function(
        fn, title="Clipped counts", arg_names=("candidate", "references", "n"), cases=_cases(),
        reference=_reference, mistakes=MISTAKES, hints=HINTS, output_names=("matches", "total"), report=report)
