"""Interpolated n-gram baselines of order 1 to 6 on the character model's split (``run ngram``).

The same corpus, split and vocabulary as :func:`lstm_course.experiments.charlm.train_charlm`
(``load_corpus``: the training text's characters; validation characters outside them dropped).
For each method (interpolated Kneser-Ney, interpolated absolute discounting) and order, the
discount is chosen on held-out *training* text (:func:`lstm_course.data.ngram.choose_discount`:
fitted to the first 90 % of the training characters, scored on the last 10 %); the model is
then refitted to all training text with that discount and scored on all validation text, and
on the first ``CURVE_CHARACTERS`` of it, the prefix the LSTM's validation curve reads. The
best order of each method is also chosen on the held-out training text, never on validation.
Counting only: no seed, no training, deterministic.
"""

from ..data.corpus import Corpus, load_corpus, ngram_bits_per_char
from ..data.ngram import DISCOUNTS, MAX_ORDER, METHODS, NGramModel, choose_discount
from .charlm import CURVE_CHARACTERS

HELD_OUT = 0.1  # the fraction of the training text (its end) the discount and order are chosen on
QUICK_CHARACTERS = 200_000  # --quick: the first this many training characters, orders 1-3, three discounts


def run(quick=False, seed=0, device="cpu", progress=print, corpus="stdlib"):
    """``python -m lstm_course run ngram``: the n-gram baselines' bits/char, by method and order.

    Returns
    -------
    dict
        ``orders``, ``discounts`` (the grid), ``held_out_fraction``, ``curve_characters``, the
        add-one baselines of :func:`~lstm_course.data.corpus.ngram_bits_per_char` on all
        validation text and (``prefix_*``) on the curve's prefix, and per method (``"kneser-ney"``,
        ``"absolute"``) a dict with, per order (as a string), ``discount``, ``held_out_bpc``
        (by discount), ``val_bpc`` and ``prefix_bpc``, plus ``best_order`` (chosen on held-out
        training text) and its ``best_val_bpc``. ``seed`` and ``device`` are unused (counting).
    """
    data = load_corpus(corpus)
    progress(data.description)
    train = data.train[:QUICK_CHARACTERS] if quick else data.train
    orders = range(1, 4) if quick else range(1, MAX_ORDER + 1)
    discounts = (0.5, 0.75, 1.0) if quick else DISCOUNTS
    prefix = data.validation[:CURVE_CHARACTERS]
    V = len(data.vocab)
    baselines = ngram_bits_per_char(Corpus(train, data.validation, data.vocab, data.description))
    on_prefix = ngram_bits_per_char(Corpus(train, prefix, data.vocab, data.description))
    metrics = {"orders": list(orders), "discounts": list(discounts), "held_out_fraction": HELD_OUT,
               "curve_characters": CURVE_CHARACTERS, "training_characters": len(train),
               "validation_characters": len(data.validation), "vocabulary": V, "corpus": corpus,
               "description": data.description, **baselines,
               **{f"prefix_{key}": value for key, value in on_prefix.items()}}
    for method in METHODS:
        by_order = {}
        for n in orders:
            progress(f"{method}, order {n}: choosing the discount on held-out training text")
            D, scores = choose_discount(train, V, n, method, discounts, HELD_OUT)
            model = NGramModel(train, V, n, D, method)
            by_order[str(n)] = {"discount": D, "held_out_bpc": {f"{d:g}": s for d, s in scores.items()},
                                "val_bpc": model.bits_per_char(data.validation),
                                "prefix_bpc": model.bits_per_char(prefix)}
        best = min(by_order, key=lambda n: by_order[n]["held_out_bpc"][f"{by_order[n]['discount']:g}"])
        metrics[method] = {**by_order, "best_order": int(best), "best_val_bpc": by_order[best]["val_bpc"]}
    return metrics
