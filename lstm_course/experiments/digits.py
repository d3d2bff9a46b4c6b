"""Captioning real images (``python -m lstm_course run captioning-digits``): strips of handwritten digits.

Data: the ``digits`` real data set (5,000 MNIST digits; ``python -m lstm_course data fetch digits``). The
images are split 60/10/30 per digit (:func:`lstm_course.realdata.digits.split_indices`); a strip of one to
three digits, in a row at random heights, draws its digits from one split only, so every test strip shows
digit images that no training strip contains (not new writers: the sample does not say who wrote which). A
fifth of the two- and three-digit sequences (:func:`held_out_sequences`) never appear in training: on the
test strips that show one, no recalled training caption is right. The captions are generated from the labels
("three one four"): the images are real, the captions are not human.

Models: the chapter's CNN + LSTM captioner with the image at every step (``Captioner("every")``) over
seeds, against three baselines that need no training: the commonest training caption, the caption of the
nearest training strip in pixel space, and a pipeline that knows what a digit is (it cuts the strip at its
empty columns and names each piece by the nearest training digit, :func:`segmented_captions`).
Scores: exact match, the digit error rate (edit distance over the reference's digits, as a word error
rate), the count of digits, and exact match on the test strips whose digit sequence no training strip has.
"""

import itertools
from collections import Counter

import numpy as np

from ..data.shapes import SPECIALS
from ..realdata import digits as mnist
from .running import one_thread, over_seeds

VOCAB = SPECIALS + mnist.DIGIT_WORDS
FULL_SIZES = (6000, 1500)  # training and test strips
QUICK_SIZES = (120, 40)
FULL_STEPS, QUICK_STEPS, SEEDS, BATCH_SIZE, LEARNING_RATE = 2000, 12, 5, 64, 4e-3
HELD_OUT_FRACTION = 0.2  # of the two- and three-digit sequences, never in training
DATA_SEED = 0  # the strips and the split are the same for every seed: the seeds vary the training only


def edit_distance(a, b):
    """The Levenshtein distance between two sequences (insertions, deletions and substitutions cost 1)."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def scores(captions, sequences, seen):
    """Exact match, digit error rate, count accuracy and exact match by length and on unseen sequences.

    Parameters
    ----------
    captions : list of str
        Generated captions, one per strip.
    sequences : list of tuple of int
        The strips' digits, left to right.
    seen : set of tuple of int
        The digit sequences of the training strips.

    Returns
    -------
    dict
        ``exact_match``, ``digit_error_rate`` (total edit distance over total reference digits),
        ``count_accuracy``, ``exact_match_by_digits`` (``{"1", "2", "3"}``), ``exact_match_unseen``
        (None without unseen sequences) and ``hits`` (one 0/1 exact match per strip).
    """
    words = [c.split() for c in captions]
    truth = [c.split() for c in map(mnist.caption, sequences)]
    hits = [int(w == t) for w, t in zip(words, truth)]
    by_length = {}
    for n in sorted({len(t) for t in truth}):
        rows = [k for k, t in enumerate(truth) if len(t) == n]
        by_length[str(n)] = float(np.mean([hits[k] for k in rows]))
    unseen = [h for h, s in zip(hits, sequences) if s not in seen]
    return {"exact_match": float(np.mean(hits)),
            "digit_error_rate": sum(edit_distance(w, t) for w, t in zip(words, truth)) / sum(map(len, truth)),
            "count_accuracy": float(np.mean([len(w) == len(t) for w, t in zip(words, truth)])),
            "exact_match_by_digits": by_length,
            "exact_match_unseen": float(np.mean(unseen)) if unseen else None,
            "hits": hits}


def nearest_pixel_captions(train_images, train_captions, images, batch=500):
    """The caption of the nearest training strip in pixel space (Euclidean) for each of ``images`` (N, 3, S, S)."""
    a = train_images[:, 0].reshape(len(train_images), -1).astype(np.float64)
    a_sq = (a ** 2).sum(1)
    out = []
    for start in range(0, len(images), batch):
        b = images[start:start + batch, 0].reshape(-1, a.shape[1]).astype(np.float64)
        out += [train_captions[k] for k in (a_sq[None] - 2 * b @ a.T).argmin(axis=1)]
    return out


def held_out_sequences(seed=DATA_SEED, fraction=HELD_OUT_FRACTION):
    """The two- and three-digit sequences that no training strip shows: ``fraction`` of each length, at random.

    Returns
    -------
    set of tuple of int
    """
    rng = np.random.default_rng([seed, 17])
    out = set()
    for length in (2, 3):
        every = list(itertools.product(range(10), repeat=length))
        out.update(every[k] for k in rng.choice(len(every), round(fraction * len(every)), replace=False))
    return out


INK = 0.1  # a pixel with more ink than this is part of a digit (ink runs from 0 to 1)


def ink_pieces(strip):
    """The pieces of a strip (3, S, S) between empty columns, left to right, each cropped to its inked rows.

    Returns
    -------
    list of ndarray
        One (rows, columns) array per run of columns with ink.
    """
    image = strip[0]
    inked = np.flatnonzero(image.max(axis=0) > INK)
    if not len(inked):
        return []
    runs = np.split(inked, np.flatnonzero(np.diff(inked) > 1) + 1)
    pieces = []
    for columns in runs:
        piece = image[:, columns[0]:columns[-1] + 1]
        rows = np.flatnonzero(piece.max(axis=1) > INK)
        pieces.append(piece[rows[0]:rows[-1] + 1])
    return pieces


def centred(piece, side=mnist.CELL):
    """``piece`` (rows, columns) centred in a (side, side) canvas, cut to fit."""
    canvas = np.zeros((side, side), np.float32)
    h, w = min(piece.shape[0], side), min(piece.shape[1], side)
    y, x = (side - h) // 2, (side - w) // 2
    canvas[y:y + h, x:x + w] = piece[:h, :w]
    return canvas


def segmented_captions(train_digits, train_labels, images):
    """Captions from cutting each strip at its empty columns and naming each piece by its nearest training digit.

    A baseline that is told what the captioner must learn: digits stand apart, and are read one at a time.
    Training digits and pieces are cropped to their ink and centred alike (:func:`centred`); the nearest is
    Euclidean, in pixels.

    Parameters
    ----------
    train_digits : ndarray of float32, shape (N, CELL, CELL)
        The training split's digits (:func:`lstm_course.realdata.digits.shrink`).
    train_labels : ndarray of int, shape (N,)
    images : ndarray of float32, shape (M, 3, STRIP_SIZE, STRIP_SIZE)

    Returns
    -------
    list of str
        One caption per strip (empty where a strip shows no ink).
    """
    references = []
    for digit in train_digits:
        pieces = ink_pieces(np.stack([digit] * 3))
        references.append(centred(pieces[0]) if len(pieces) == 1 else centred(digit))
    R = np.stack(references).reshape(len(references), -1).astype(np.float64)
    r_sq = (R ** 2).sum(1)
    captions = []
    for strip in images:
        pieces = [centred(p).reshape(-1) for p in ink_pieces(strip)]
        if not pieces:
            captions.append("")
            continue
        P = np.stack(pieces).astype(np.float64)
        captions.append(mnist.caption(train_labels[(r_sq[None] - 2 * P @ R.T).argmin(axis=1)]))
    return captions


def load_strips(quick=False, seed=DATA_SEED):
    """Training and test strips: ``{"train": (images, sequences), "test": (images, sequences)}``.

    Training strips use the training images and leave out :func:`held_out_sequences`; test strips use the
    test images and may show any sequence. ``"train_digits"`` holds the training images themselves and their
    labels, for :func:`segmented_captions`.
    """
    images, labels = mnist.digits()
    small, pools = mnist.shrink(images), mnist.split_indices(labels, seed)
    rng = np.random.default_rng([seed, 16])
    n_train, n_test = QUICK_SIZES if quick else FULL_SIZES
    return {"train": mnist.strips(small, labels, pools["train"], n_train, rng, exclude=held_out_sequences(seed)),
            "test": mnist.strips(small, labels, pools["test"], n_test, rng),
            "train_digits": (small[pools["train"]], labels[pools["train"]])}


def _split(images, sequences):
    from ..data.shapes import CaptionSplit

    texts = [mnist.caption(s) for s in sequences]
    return CaptionSplit(images, sequences, [[t] for t in texts])


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print):
    """The digit-strip captioner over seeds, against the commonest caption, the nearest strip in pixels and the
    segment-and-match pipeline.

    One torch thread (the networks are small). ``quick``: 120 training strips, 40 test strips, 12 steps,
    one seed: a smoke test of seconds.
    """
    import torch

    from ..models.captioning import Captioner, caption_batches, predict
    from .captioning import train_cosine

    data = load_strips(quick)
    (train_images, train_sequences), (test_images, test_sequences) = data["train"], data["test"]
    steps, seeds = (QUICK_STEPS, 1) if quick else (FULL_STEPS, SEEDS)
    seen = set(train_sequences)
    train_captions = [mnist.caption(s) for s in train_sequences]
    progress(f"data: {len(train_sequences)} training strips, {len(test_sequences)} test strips "
             f"(real digits, generated captions)")
    metrics = {"steps": steps, "seeds": seeds, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE,
               "torch_threads": 1, "train_strips": len(train_sequences), "test_strips": len(test_sequences),
               "test_sequences_seen_in_training": float(np.mean([s in seen for s in test_sequences])),
               "test_digits": sum(map(len, test_sequences))}
    frequent = Counter(train_captions).most_common(1)[0][0]
    nearest = nearest_pixel_captions(train_images, train_captions, test_images)
    segmented = segmented_captions(*data["train_digits"], test_images)
    for name, captions in (("most_frequent", [frequent] * len(test_sequences)), ("nearest_pixels", nearest),
                           ("segmented", segmented)):
        for key, value in scores(captions, test_sequences, seen).items():
            metrics[f"{name}_{key}"] = value
    metrics["most_frequent_caption"] = frequent
    training = _split(train_images, train_sequences)

    def run_one(s, rng):
        torch.manual_seed(s)
        model = Captioner("every", vocab=VOCAB, max_words=mnist.MAX_DIGITS).to(device)
        losses = train_cosine(model, caption_batches(training, BATCH_SIZE, rng, device, vocab=VOCAB), steps,
                              LEARNING_RATE, progress)
        captions, _ = predict(model, test_images, device=device)
        out = scores(captions, test_sequences, seen)
        out["final_train_loss"] = float(np.mean(losses[-50:]))
        out["captions"] = captions
        return out

    runs = over_seeds(run_one, seed, seeds, progress, "captioner")
    for key in ("exact_match", "digit_error_rate", "count_accuracy", "exact_match_unseen", "final_train_loss"):
        metrics[f"captioner_{key}_per_seed"] = [r[key] for r in runs]
        metrics[f"captioner_{key}"] = float(np.mean([r[key] for r in runs]))
    metrics["captioner_exact_match_by_digits_per_seed"] = [r["exact_match_by_digits"] for r in runs]
    metrics["captioner_hits_first_seed"] = runs[0]["hits"]
    first = runs[0]["captions"]
    metrics["examples"] = [{"index": k, "caption": first[k], "nearest_pixels": nearest[k],
                            "segmented": segmented[k],
                            "truth": mnist.caption(test_sequences[k]), "correct": bool(runs[0]["hits"][k])}
                           for k in range(12)]
    return metrics
