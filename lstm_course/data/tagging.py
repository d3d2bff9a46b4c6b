"""A real tagging data set, offline: the character types of Python's own standard library.

Every character of a source file gets the type of the token it belongs to,
as Python's ``tokenize`` module reads it: a name, a keyword, an operator, a
number, a string, a comment, or whitespace/layout. Nobody on this project
wrote the text, and some decisions need context on both sides: the ``i`` of
``if`` is a keyword, the ``i`` of ``id`` a name, and only the characters
*after* it tell which.

Files are chosen deterministically (sorted by name, sizes in a fixed range)
and split by file, so no validation file is seen in training.
"""

import io
import keyword
import tokenize
from typing import NamedTuple

import numpy as np

from .stdlib import stdlib_files

TAGS = ("space", "name", "keyword", "operator", "number", "string", "comment")
CHARS = "\t\n" + "".join(chr(c) for c in range(32, 127))
UNKNOWN = len(CHARS)  # index for any other character
VOCAB_SIZE = len(CHARS) + 1
_INDEX = {ch: j for j, ch in enumerate(CHARS)}


class TaggedText(NamedTuple):
    text: str
    tags: np.ndarray  # (len(text),) int, indices into TAGS


def _token_tag(token):
    if token.type == tokenize.NAME:
        return TAGS.index("keyword") if keyword.iskeyword(token.string) else TAGS.index("name")
    if token.type == tokenize.OP:
        return TAGS.index("operator")
    if token.type == tokenize.NUMBER:
        return TAGS.index("number")
    if token.type == tokenize.STRING or tokenize.tok_name[token.type].startswith("FSTRING"):
        return TAGS.index("string")
    if token.type == tokenize.COMMENT:
        return TAGS.index("comment")
    return None


def tag_source(text):
    """Tag every character of Python source ``text`` by its token type.

    Returns
    -------
    TaggedText
        ``tags (len(text),)`` with indices into ``TAGS``; characters outside
        any token (spaces, newlines, indentation) are ``"space"``.
    """
    lines = text.splitlines(keepends=True)
    starts = np.cumsum([0] + [len(line) for line in lines])
    tags = np.zeros(len(text), dtype=np.int64)
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        tag = _token_tag(token)
        if tag is None:
            continue
        (r0, c0), (r1, c1) = token.start, token.end
        tags[starts[r0 - 1] + c0:starts[r1 - 1] + c1] = tag
    return TaggedText(text, tags)


def encode(text):
    """Character indices of ``text``, shape (len(text),); unknown characters map to ``UNKNOWN``."""
    return np.array([_INDEX.get(ch, UNKNOWN) for ch in text], dtype=np.int64)


class TaggedWindows(NamedTuple):
    """Windows of tagged source, time-major like every sequence in the package."""

    ids: np.ndarray  # (T, B) character indices, one window per column
    tags: np.ndarray  # (T, B) tag indices into TAGS
    files: list  # names of the files the windows come from


def load_windows(T=64, n_files=60, validation_every=5, max_windows_per_file=200):
    """The tagging data set: non-overlapping windows of ``T`` characters, one per column.

    Every ``validation_every``-th file (of ``n_files`` chosen by
    :func:`lstm_course.data.stdlib.stdlib_files`) goes to validation; the rest
    to training. A file is cut into at most ``max_windows_per_file`` windows,
    which follow each other along the batch axis.

    Returns
    -------
    train, validation : TaggedWindows
        ``ids (T, B)`` character indices and ``tags (T, B)``.
    """
    files = stdlib_files()[:n_files]
    if not files:
        raise RuntimeError("no standard-library source files found: is this Python installed without its .py files?")
    parts = {"train": ([], [], []), "validation": ([], [], [])}
    for n, path in enumerate(files):
        try:
            tagged = tag_source(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, tokenize.TokenError):
            continue  # a file this Python cannot tokenize is skipped, deterministically
        ids = encode(tagged.text)
        B = min(len(ids) // T, max_windows_per_file)
        inputs, tags, names = parts["validation" if n % validation_every == validation_every - 1 else "train"]
        inputs.append(ids[:B * T].reshape(B, T).T)  # (T, B): window b is column b
        tags.append(tagged.tags[:B * T].reshape(B, T).T)
        names.append(path.name)
    return tuple(TaggedWindows(np.concatenate(i, axis=1), np.concatenate(t, axis=1), f) for i, t, f in parts.values())
