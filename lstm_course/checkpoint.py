"""Checkpoints of the character model: plain arrays in a ``.npz``, NumPy only.

A checkpoint holds the parameter tree ``{"lstm": [layer, ...], "W_hy", "b_y"}``
(each layer ``{"forward": {...}, "reverse": {...}}`` with the LSTM's
``W_f, W_i, W_c, W_o (H, D_k + H)`` and ``b_f, b_i, b_c, b_o (H,)``), the
vocabulary and a JSON ``meta`` dict. Every leaf is stored under its tree path
(``param:lstm[0].forward.W_f``) and :func:`load_checkpoint` inverts
:func:`save_checkpoint` exactly, for any number of layers and both directions.
Loading uses ``allow_pickle=False``, so a checkpoint can run no code; it checks
every array (present, shaped for one architecture, finite) and says, in one
line, what is wrong. Nothing here imports torch: ``python -m lstm_course
sample`` runs without it.
"""

import json
import math
import os
import pathlib
import re
import stat
import zipfile
import zlib

import numpy as np

from .notation import DIRECTIONS, LSTM_GATES as GATES
from .records import check_path_text, check_writable_folder, file_kind, write_atomically  # noqa: F401
from .tree import tree_items

MAX_BYTES = 4 * 2 ** 30  # no checkpoint of the character model comes near 4 GiB of arrays

_TOKEN = re.compile(r"\[(\d+)\]|\.?([A-Za-z_]\w*)")


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message says what is wrong."""


def check_checkpoint_path(path, corpus=None, overwrite=True):
    """Refuse, before any work, a checkpoint path that must not be written.

    Never replaced, ``overwrite`` or not: a directory, a device, a pipe, the
    corpus itself (also through a link), and any file that is not a checkpoint
    of the character model (a text file, a ``.npz`` of other arrays, ...). An
    existing checkpoint of the model is replaced only with ``overwrite``. The
    folder must be writable (checked with a temporary file; nothing is made).

    Raises
    ------
    ValueError
        Naming the path, what is there, and why it cannot hold a checkpoint.
    """
    check_path_text(path, "--checkpoint")
    target = pathlib.Path(path)
    kind = file_kind(target)
    if kind == "a directory":
        raise ValueError(f"the checkpoint path {path} is a directory; give a file name such as "
                         f"{target / 'charlm.npz'}")
    if corpus is not None and corpus != "stdlib" and pathlib.Path(corpus).exists() and target.exists() \
            and os.path.samefile(target, corpus):  # also through a symbolic or hard link
        raise ValueError(f"the checkpoint path {path} is the corpus file: saving there would destroy it; "
                         "choose another path")
    if kind is not None and not target.is_file():
        raise ValueError(f"the checkpoint path {path} exists and is not a regular file: it is {kind}")
    if kind is not None:
        try:
            _, chars, meta = load_checkpoint(target)
        except (FileNotFoundError, ValueError) as error:
            raise ValueError(f"the checkpoint path {path} holds {_what_it_is(target, error)}, not a checkpoint of "
                             "the character model: it is never replaced, --overwrite or not; choose another "
                             "path") from None
        if not overwrite:
            raise ValueError(f"{path} already holds a checkpoint of the character model "
                             f"({len(chars)} characters, {meta.get('steps', '?')} steps); pass --overwrite to "
                             "replace it, or --checkpoint PATH to train into another file")
    check_writable_folder(target, "the checkpoint path")


def _what_it_is(path, error):
    kind = file_kind(path)
    if kind == "a zip archive":
        return f"a .npz or zip archive of something else ({_one_line(error)})"
    return kind


def _one_line(error):
    return " ".join(str(error).split())


def save_checkpoint(path, model_tree, vocab_chars, meta):
    """Write a checkpoint as plain arrays, atomically: no pickle anywhere, so loading runs no code.

    Parameters
    ----------
    path : str or path-like
    model_tree : dict
        ``{"lstm": [...], "W_hy" (V, num_directions * H), "b_y" (V,)}``.
    vocab_chars : str
        The V characters, in index order.
    meta : dict
        JSON-serialisable; ``num_layers`` should say how many layers the tree has.
    """
    arrays = {f"param:{name}": np.asarray(value) for name, value in tree_items(model_tree)}
    arrays["vocab"] = np.array([ord(ch) for ch in vocab_chars], dtype=np.int64)
    arrays["meta"] = np.array(json.dumps(meta))

    def write(tmp):
        with open(tmp, "wb") as file:
            np.savez(file, **arrays)

    write_atomically(path, write)


def tree_from_items(items):
    """Invert :func:`lstm_course.tree.tree_items`: ``{path: leaf}`` -> nested dicts and lists.

    Raises
    ------
    ValueError
        For a path that is not ``name``, ``.name`` or ``[k]`` tokens, or list
        indices that are not 0, 1, ..., n - 1.
    """
    root = {}
    for path, leaf in items.items():
        tokens = [int(k) if k else name for k, name in _TOKEN.findall(path)]
        if not tokens or "".join(f"[{t}]" if isinstance(t, int) else f".{t}" for t in tokens).lstrip(".") != path:
            raise ValueError(f"unreadable parameter path {path!r}")
        node = root
        for token, following in zip(tokens, tokens[1:] + [None]):
            if following is None:
                node[token] = leaf
            else:
                node = node.setdefault(token, {})
    return _lists(root)


def _lists(node):
    """Turn dicts keyed 0..n-1 (from ``[k]`` tokens) into lists, recursively."""
    if not isinstance(node, dict):
        return node
    if node and all(isinstance(key, int) for key in node):
        if sorted(node) != list(range(len(node))):
            raise ValueError(f"layer indices {sorted(node)} are not 0 .. {len(node) - 1}")
        return [_lists(node[k]) for k in range(len(node))]
    return {key: _lists(value) for key, value in node.items()}


def load_checkpoint(path):
    """Read and check a checkpoint written by :func:`save_checkpoint`.

    Returns
    -------
    model : dict
        The parameter tree, float64.
    vocab_chars : str
    meta : dict

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        (a ``ValueError``) naming what is wrong: a directory, device or pipe (never
        opened), a file that cannot be read, not a ``.npz`` archive (a text
        file, a ``.npy`` file, ...), damaged compressed data, an array larger
        than its data, nested or invalid metadata, a vocabulary that is not
        characters, a missing or misshapen array, a wrong architecture, NaN or
        infinite parameters.
    """
    arrays = _read_arrays(path)
    missing = [key for key in ("vocab", "meta") if key not in arrays]
    if missing:
        raise CheckpointError(f"{path} is not a valid checkpoint (missing {', '.join(repr(m) for m in missing)})")
    try:
        meta = _meta(arrays["meta"])
        chars = _vocabulary(arrays["vocab"])
        model = tree_from_items({key[len("param:"):]: value for key, value in arrays.items()
                                 if key.startswith("param:")})
        model = check_charlm_tree(model, len(chars), meta.get("num_layers"))
    except (ValueError, OverflowError, TypeError, AttributeError) as error:
        raise CheckpointError(f"{path} is not a valid checkpoint: {error}") from None
    if len(set(chars)) != len(chars):
        raise CheckpointError(f"{path} is not a valid checkpoint: its vocabulary repeats characters")
    return model, chars, meta


def _read_arrays(path):
    """``{name: array}`` of a ``.npz`` at ``path``, or one ``CheckpointError`` line saying what the file is."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise FileNotFoundError(f"checkpoint not found: {path}") from None
    except OSError as error:
        raise CheckpointError(f"cannot look at the checkpoint {path} ({error.strerror or error})") from None
    if not stat.S_ISREG(mode):  # a pipe or a device is never opened: reading one could hang or never end
        raise CheckpointError(f"{path} is {file_kind(path)}, not a checkpoint file (a .npz written by "
                              "`run charlm`)")
    try:
        with open(path, "rb") as file:
            head = file.read(4)
            if head != b"PK\x03\x04":
                raise CheckpointError(f"{path} is not a valid checkpoint: it is {file_kind(path)}, not a .npz archive "
                                      "written by `run charlm`")
            file.seek(0)
            _check_declared_sizes(path, file)
            file.seek(0)
            with np.load(file, allow_pickle=False) as data:
                return {key: data[key] for key in data.files}
    except PermissionError:
        raise CheckpointError(f"cannot read the checkpoint {path}: permission denied") from None
    except ValueError as error:
        if isinstance(error, CheckpointError):
            raise
        if "pickle" in str(error):  # never repeat NumPy's advice to load it unsafely
            raise CheckpointError(f"{path} is not a valid checkpoint: it holds Python objects, which a "
                                  "checkpoint never does (they could run code when loaded)") from None
        raise CheckpointError(f"{path} is not a valid checkpoint ({_one_line(error)})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, NotImplementedError) as error:
        raise CheckpointError(f"{path} is a damaged .npz archive: {_one_line(error)}") from None
    except MemoryError:
        raise CheckpointError(f"{path} declares arrays too large to load into memory") from None
    except RecursionError:
        raise CheckpointError(f"{path} is not a valid checkpoint: an array header is nested too deeply") from None
    except OSError as error:
        raise CheckpointError(f"cannot read the checkpoint {path} ({error.strerror or error})") from None


def _check_declared_sizes(path, file):
    """Refuse, before any array is allocated, members that are not arrays or declare more data than they hold."""
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_BYTES:
            raise CheckpointError(f"{path} declares more than {MAX_BYTES // 2 ** 30} GiB of data, far more than "
                                  "a checkpoint of the character model holds")
        for member in members:
            if not member.filename.endswith(".npy"):
                raise CheckpointError(f"{path} is not a valid checkpoint: its member {member.filename!r} is not "
                                      "an array")
            with archive.open(member) as stream:
                version = np.lib.format.read_magic(stream)
                read = np.lib.format.read_array_header_1_0 if version == (1, 0) else \
                    np.lib.format.read_array_header_2_0
                shape, _, dtype = read(stream)
                nbytes = math.prod(shape) * dtype.itemsize
                if nbytes > member.file_size:
                    raise CheckpointError(f"{path} is damaged: array {member.filename[:-4]!r} declares shape "
                                          f"{shape} ({nbytes:,} bytes) but holds {member.file_size:,} bytes")


def _meta(array):
    """The JSON object stored in the ``meta`` array."""
    if not isinstance(array, np.ndarray) or array.dtype.kind != "U" or array.ndim != 0:
        raise ValueError("meta must be one JSON string")
    try:
        meta = json.loads(str(array))
    except RecursionError:
        raise ValueError("meta is JSON nested too deeply") from None
    if not isinstance(meta, dict):
        raise ValueError("meta must be a JSON object")
    return meta


def _vocabulary(vocab):
    """The characters of the ``vocab`` array of code points: Unicode scalar values only (no surrogates)."""
    if not isinstance(vocab, np.ndarray) or vocab.ndim != 1 or vocab.dtype.kind not in "iu":
        raise ValueError("the vocabulary must be a 1-D integer array")
    bad = [int(c) for c in vocab if not (0 <= int(c) <= 0x10FFFF) or 0xD800 <= int(c) <= 0xDFFF]
    if bad:
        what = f"U+{bad[0]:04X}, a surrogate," if 0xD800 <= bad[0] <= 0xDFFF else f"{bad[0]}, out of range,"
        raise ValueError(f"the vocabulary holds the code point {what} which is not a Unicode character")
    return "".join(chr(int(c)) for c in vocab)


def check_charlm_tree(model, V, num_layers=None):
    """Check a character model's tree (keys, shapes of one architecture, finite values); return it as float64.

    Parameters
    ----------
    model : dict
    V : int
        Vocabulary size.
    num_layers : int, optional
        What the checkpoint's ``meta`` says; must match the tree.

    Raises
    ------
    ValueError
        Naming the first array that is missing, misshapen or not finite.
    """
    if not isinstance(model, dict):
        raise ValueError(f"the parameters must be a dict of 'lstm', 'W_hy' and 'b_y'; got {type(model).__name__}")
    missing = [name for name in ("lstm", "W_hy", "b_y") if name not in model]
    extra = sorted(set(model) - {"lstm", "W_hy", "b_y"})
    if missing or extra:
        raise ValueError(f"the array {missing[0]} is missing" if missing else f"unexpected array {extra[0]}")
    if np.ndim(model["W_hy"]) == 2 and np.shape(model["W_hy"])[0] != V:
        raise ValueError(f"the vocabulary holds {V} characters but W_hy has {np.shape(model['W_hy'])[0]} rows")
    layers = model["lstm"]
    if not isinstance(layers, list) or not layers:
        raise ValueError("'lstm' must hold at least one layer, stored as lstm[0], lstm[1], ...")
    if num_layers is not None and num_layers != len(layers):
        raise ValueError(f"meta says num_layers = {num_layers} but the file holds {len(layers)} layers")
    directions = [d for d in DIRECTIONS if isinstance(layers[0], dict) and d in layers[0]]
    if not directions or directions[0] != "forward":
        raise ValueError("layer 0 must hold a 'forward' direction (and optionally 'reverse')")
    H = np.shape(layers[0]["forward"].get("b_f")) if isinstance(layers[0]["forward"], dict) else ()
    if len(H) != 1:
        raise ValueError(f"lstm[0].forward.b_f must be a vector (H,); got shape {H}")
    H = H[0]
    expected = {}
    for k, layer in enumerate(layers):
        if not isinstance(layer, dict) or sorted(layer) != sorted(directions):
            got = sorted(layer) if isinstance(layer, dict) else type(layer).__name__
            raise ValueError(f"lstm[{k}] must hold the directions {directions}; got {got}")
        D_in = V if k == 0 else len(directions) * H
        for d in directions:
            for g in GATES:
                expected[f"lstm[{k}].{d}.W_{g}"] = (H, D_in + H)
                expected[f"lstm[{k}].{d}.b_{g}"] = (H,)
    expected.update({"W_hy": (V, len(directions) * H), "b_y": (V,)})
    found = dict(tree_items(model))
    for name, shape in expected.items():
        if name not in found:
            raise ValueError(f"the array {name} {shape} is missing")
    for name, value in found.items():
        if name not in expected:
            raise ValueError(f"unexpected array {name} for this architecture")
        if value.shape != expected[name]:
            raise ValueError(f"{name} must have shape {expected[name]} (V = {V}, H = {H}, "
                             f"{len(layers)} layers, {len(directions)} directions); got {value.shape}")
        if value.dtype.kind != "f":
            raise ValueError(f"{name} must hold floats; got dtype {value.dtype}")
        if not np.all(np.isfinite(value)):
            bad = "NaN" if np.isnan(value).any() else "infinite"
            raise ValueError(f"{name} holds {bad} values: the model diverged before it was saved")
    return tree_from_items({name: value.astype(np.float64) for name, value in found.items()})
