"""Number words between languages, character by character: English -> German or French.

The words come from ``num2words`` (pinned), which writes each language by its
own rules: German puts the units before the tens ("twenty-three" ->
"dreiundzwanzig"), French counts in twenties ("ninety-seven" ->
"quatre-vingt-dix-sept"). Training, validation and test are disjoint sets of
numbers, drawn with the number of digits uniform in 1..6 so that every order of
magnitude is represented. The band [900 000, 1 000 000] is held out of all three:
the longest numbers, never seen in training.

The target is spelled character by character; the source is read word by word
(:func:`words`), which keeps attention over ~12 source positions instead of
~50 and the experiment within its CPU budget. Accuracy is still measured
against the source length in characters.
"""

from typing import NamedTuple

import re

import numpy as np

PAD, BOS, EOS = 0, 1, 2
SPECIALS = "_<>"  # shown for PAD, BOS, EOS
PAIRS = {"en-de": "de", "en-fr": "fr"}
HELD_OUT = (900_000, 1_000_000)  # inclusive band of long numbers, in no split


def number_words(n, lang):
    """``n`` written in words in language ``lang`` ("en", "de", "fr") by num2words."""
    from num2words import num2words

    return num2words(int(n), lang=lang)


def words(text):
    """The source units: English number words split at spaces, hyphens and commas.

    "one thousand, nine hundred and ninety-nine" -> ["one", "thousand", "nine",
    "hundred", "and", "ninety", "nine"].
    """
    return re.findall(r"[a-z]+", text)


class Vocab:
    """The tokens of a language (characters, or words), after the specials PAD, BOS and EOS.

    ``sequences`` are strings (tokens are characters) or lists of words.
    """

    def __init__(self, sequences):
        tokens = sorted({token for sequence in sequences for token in sequence})
        self.chars = list(SPECIALS) + tokens
        self.sep = " " if tokens and len(max(tokens, key=len)) > 1 else ""
        self.index = {ch: k for k, ch in enumerate(self.chars)}

    def __len__(self):
        return len(self.chars)

    def encode(self, text):
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(f"tokens not in the vocabulary: {unknown!r}")
        return [self.index[ch] for ch in text]

    def decode(self, ids):
        """Text of ``ids`` up to the first EOS, specials dropped."""
        out = []
        for k in ids:
            if int(k) == EOS:
                break
            if int(k) >= len(SPECIALS):
                out.append(self.chars[int(k)])
        return self.sep.join(out)


class Split(NamedTuple):
    numbers: np.ndarray  # (N,) int
    sources: list  # N English strings
    targets: list  # N strings in the target language


class NumberData(NamedTuple):
    train: Split
    validation: Split
    test: Split
    held_out: Split  # numbers in HELD_OUT
    src_vocab: Vocab
    tgt_vocab: Vocab
    pair: str


def sample_numbers(rng, count, exclude=()):
    """``count`` distinct numbers, digits uniform in 1..6, none in HELD_OUT or ``exclude``."""
    chosen, excluded = [], set(exclude)
    while len(chosen) < count:
        digits = rng.integers(1, 7, size=4 * count)
        low = np.where(digits == 1, 0, 10 ** (digits - 1))
        candidates = rng.integers(low, 10 ** digits)
        for n in candidates.tolist():
            if n not in excluded and not HELD_OUT[0] <= n <= HELD_OUT[1]:
                excluded.add(n)
                chosen.append(n)
                if len(chosen) == count:
                    break
    return np.array(chosen)


def make_number_data(pair="en-de", n_train=20000, n_validation=500, n_test=1000, n_held_out=300, seed=0):
    """Disjoint train / validation / test numbers and the held-out band, as word pairs.

    Parameters
    ----------
    pair : {"en-de", "en-fr"}
    n_train, n_validation, n_test, n_held_out : int
    seed : int

    Returns
    -------
    NumberData
    """
    if pair not in PAIRS:
        raise ValueError(f"pair must be one of {sorted(PAIRS)}; got {pair!r}")
    rng = np.random.default_rng(seed)
    numbers = sample_numbers(rng, n_train + n_validation + n_test)
    held = rng.choice(np.arange(HELD_OUT[0], HELD_OUT[1] + 1), size=n_held_out, replace=False)
    cuts = np.cumsum([n_train, n_validation])
    parts = np.split(numbers, cuts) + [held]
    lang = PAIRS[pair]
    splits = [Split(p, [number_words(n, "en") for n in p], [number_words(n, lang) for n in p]) for p in parts]
    src_vocab = Vocab([words(number_words(n, "en")) for n in list(range(1001)) + [10 ** 6]])
    tgt_vocab = Vocab([number_words(n, lang) for n in range(1000)] + splits[0].targets
                          + [number_words(10 ** 6, lang)])
    return NumberData(*splits, src_vocab, tgt_vocab, pair)


def encode_batch(sequences, vocab, bos_eos=False):
    """Pad token sequences (strings, or lists of words) into ``(T, B)`` int arrays, time-major.

    With ``bos_eos`` each sequence becomes ``BOS tokens EOS``. Returns ``(ids, lengths)``.
    """
    seqs = [([BOS] if bos_eos else []) + vocab.encode(t) + ([EOS] if bos_eos else []) for t in sequences]
    lengths = np.array([len(s) for s in seqs])
    ids = np.full((lengths.max(), len(seqs)), PAD, dtype=np.int64)
    for b, s in enumerate(seqs):
        ids[: len(s), b] = s
    return ids, lengths


def length_band(n_chars, edges=(30, 45, 60)):
    """The name of the source-length band of a string of ``n_chars`` characters, e.g. "40-54"."""
    lows = (0,) + tuple(edges)
    for low, high in zip(lows, tuple(edges) + (None,)):
        if high is None or n_chars < high:
            return f"{low}+" if high is None else f"{low}-{high - 1}"
