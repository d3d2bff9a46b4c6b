"""The character-level LSTM language model in Torch: the twin of :mod:`lstm_course.numpy_impl.charlm`.

:func:`charlm_loss` uses our Torch twin (:func:`lstm_course.torch_impl.lstm_forward`)
on a parameter tree, for the cross-validation against the NumPy model. The
``torch.nn`` form of the same model, for training at speed, is
:class:`lstm_course.models.charlm.CharLSTM`. Checkpoints are written by
:func:`save_checkpoint`: a ``.npz`` of plain arrays, loaded with ``allow_pickle=False``.
"""

import json

import numpy as np
import torch

from .._tree import tree_items
from .lstm import lstm_forward


def charlm_loss(model, ids, state=None):
    """Mean cross-entropy of ``ids[1:]`` given ``ids[:-1]`` (ids: (T + 1, B) LongTensor); returns (loss, state)."""
    V = model["W_hy"].shape[0]
    xs = torch.nn.functional.one_hot(ids[:-1], V).to(model["W_hy"].dtype)
    h0, c0 = state if state is not None else (None, None)
    out, (h_n, c_n) = lstm_forward(xs, model["lstm"], h0, c0)
    logits = out @ model["W_hy"].T + model["b_y"]
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), ids[1:].reshape(-1))
    return loss, (h_n, c_n)


def save_checkpoint(path, model_tree, vocab_chars, meta):
    """Write a checkpoint as plain arrays: no pickle anywhere, so loading runs no code."""
    import os
    import pathlib

    pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"param:{name}": np.asarray(value) for name, value in tree_items(model_tree)}
    arrays["vocab"] = np.array([ord(ch) for ch in vocab_chars], dtype=np.int64)
    arrays["meta"] = np.array(json.dumps(meta))
    tmp = str(path) + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, path)  # atomic: an interrupted save never leaves a half-written checkpoint


def load_checkpoint(path):
    """Read a checkpoint written by :func:`save_checkpoint`.

    Returns
    -------
    model : dict, our NumPy tree (float64)
    vocab_chars : str
    meta : dict

    Raises
    ------
    FileNotFoundError, ValueError
        For a missing file, or one that is not a valid checkpoint.
    """
    import pathlib
    import zipfile

    if not pathlib.Path(path).is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path} is not a valid checkpoint ({type(error).__name__}: {error})") from None
    if "vocab" not in arrays or "meta" not in arrays:
        raise ValueError(f"{path} is not a valid checkpoint (missing 'vocab' or 'meta')")
    meta = json.loads(str(arrays["meta"]))
    L = meta["num_layers"]
    model = {"lstm": [{"forward": {}} for _ in range(L)]}
    for key, value in arrays.items():
        if not key.startswith("param:"):
            continue
        name = key[len("param:"):]
        if name.startswith("lstm["):
            k = int(name[5:name.index("]")])
            model["lstm"][k]["forward"][name.rsplit(".", 1)[1]] = value.astype(np.float64)
        else:
            model[name] = value.astype(np.float64)
    return model, "".join(chr(c) for c in arrays["vocab"]), meta
