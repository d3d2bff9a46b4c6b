r"""Corpus BLEU (Papineni et al., 2002) with several references, in a few lines.

.. math::
   \mathrm{BLEU} = \mathrm{BP}\cdot\exp\Big(\tfrac14\sum_{n=1}^4 \log p_n\Big),\qquad
   \mathrm{BP} = \min(1, e^{1 - r/c}),

where :math:`p_n` is the clipped n-gram precision summed over the whole corpus
(never an average of sentence scores), :math:`c` the total candidate length and
:math:`r` the sum of the reference lengths closest to each candidate's.
"""

from collections import Counter

import numpy as np


def _ngrams(tokens, n):
    return Counter(tuple(tokens[k:k + n]) for k in range(len(tokens) - n + 1))


def corpus_bleu(candidates, references, max_n=4):
    """BLEU of ``candidates`` (N strings) against ``references`` (N lists of strings), in [0, 1].

    Unsmoothed: 0 if some n-gram order has no match in the whole corpus.
    """
    if len(candidates) != len(references):
        raise ValueError(f"expected one list of references per candidate; got {len(candidates)} and {len(references)}")
    matches, totals, c, r = np.zeros(max_n), np.zeros(max_n), 0, 0
    for candidate, refs in zip(candidates, references):
        cand, refs = candidate.split(), [ref.split() for ref in refs]
        c += len(cand)
        r += min((abs(len(ref) - len(cand)), len(ref)) for ref in refs)[1]  # closest length, shorter on ties
        for n in range(1, max_n + 1):
            counts = _ngrams(cand, n)
            most = Counter()
            for ref in refs:
                most |= _ngrams(ref, n)  # max count of each n-gram over the references
            matches[n - 1] += sum(min(k, most[g]) for g, k in counts.items())
            totals[n - 1] += max(len(cand) - n + 1, 0)
    if c == 0 or np.any(matches == 0):
        return 0.0
    brevity = min(1.0, np.exp(1 - r / c))
    return float(brevity * np.exp(np.mean(np.log(matches / totals))))
