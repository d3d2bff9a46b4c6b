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
import os
import pathlib
import re
import uuid
import zipfile

import numpy as np

from .notation import DIRECTIONS, LSTM_GATES as GATES
from .tree import tree_items

_TOKEN = re.compile(r"\[(\d+)\]|\.?([A-Za-z_]\w*)")


class CheckpointError(ValueError):
    """A file that is not a usable checkpoint; the message says what is wrong."""


def write_atomically(path, write):
    """Call ``write(tmp_path)`` on a unique temporary file beside ``path``, then rename it over ``path``.

    An interrupted write never leaves a half-written file, and two runs writing
    at once never share a temporary file.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")  # unique per write
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def check_checkpoint_path(path, corpus=None):
    """Refuse, before any work, a checkpoint path that is a directory or the corpus itself.

    Raises
    ------
    ValueError
        Naming the path and why it cannot hold a checkpoint.
    """
    target = pathlib.Path(path)
    if target.is_dir():
        raise ValueError(f"the checkpoint path {path} is a directory; give a file name such as "
                         f"{target / 'charlm.npz'}")
    if corpus is not None and corpus != "stdlib" and pathlib.Path(corpus).exists() and target.exists() \
            and os.path.samefile(target, corpus):  # also through a symbolic or hard link
        raise ValueError(f"the checkpoint path {path} is the corpus file: saving there would destroy it; "
                         "choose another path")
    if target.exists() and not target.is_file():
        raise ValueError(f"the checkpoint path {path} exists and is not a regular file")
    folder = next((parent for parent in target.absolute().parents if parent.exists()), None)
    if folder is not None and not folder.is_dir():
        raise ValueError(f"the checkpoint path {path} cannot be made: {folder} is a file, so no folder can be "
                         "made there")


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
        (a ``ValueError``) naming what is wrong: not a checkpoint, a missing or
        misshapen array, a wrong architecture, NaN or infinite parameters.
    """
    if not pathlib.Path(path).is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except ValueError as error:
        if "pickle" in str(error):  # never repeat NumPy's advice to load it unsafely
            raise CheckpointError(f"{path} is not a valid checkpoint: it holds Python objects, which a "
                                  "checkpoint never does (they could run code when loaded)") from None
        raise CheckpointError(f"{path} is not a valid checkpoint ({error})") from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as error:
        raise CheckpointError(f"{path} is not a valid checkpoint (not a .npz archive: {error})") from None
    missing = [key for key in ("vocab", "meta") if key not in arrays]
    if missing:
        raise CheckpointError(f"{path} is not a valid checkpoint (missing {', '.join(repr(m) for m in missing)})")
    try:
        meta = json.loads(str(arrays["meta"]))
        vocab = arrays["vocab"]
        if vocab.ndim != 1 or vocab.dtype.kind not in "iu":
            raise ValueError("the vocabulary must be a 1-D integer array")
        chars = "".join(chr(int(c)) for c in vocab)
        if not isinstance(meta, dict):
            raise ValueError("meta must be a JSON object")
        model = tree_from_items({key[len("param:"):]: value for key, value in arrays.items()
                                 if key.startswith("param:")})
        model = check_charlm_tree(model, len(chars), meta.get("num_layers"))
    except (ValueError, OverflowError, TypeError) as error:
        raise CheckpointError(f"{path} is not a valid checkpoint: {error}") from None
    if len(set(chars)) != len(chars):
        raise CheckpointError(f"{path} is not a valid checkpoint: its vocabulary repeats characters")
    return model, chars, meta


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
