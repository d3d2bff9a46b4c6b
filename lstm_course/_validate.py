"""Checks at the public edge: errors name what was expected and what came.

Works on NumPy arrays and torch tensors alike (anything with ``.shape`` and
``.dtype``), so both twins share one set of messages; imports neither.
"""

from .notation import DIRECTIONS, attention_shapes, lstm_shapes

_ADVICE = {
    "numpy": "the NumPy reference takes NumPy arrays (use t.detach().cpu().numpy(), or lstm_course.torch_impl)",
    "torch": "the Torch twin takes torch tensors (use torch.as_tensor(a), convert.to_tensors(params), "
             "or lstm_course.numpy_impl)",
}


def _dtype_name(x):
    return str(x.dtype).replace("torch.", "")


def _library(x):
    """``"numpy"``, ``"torch"`` or another top-level module name: where the array type comes from."""
    return type(x).__module__.partition(".")[0]


def _type_name(x):
    return {"numpy": "numpy.ndarray", "torch": "torch.Tensor"}.get(_library(x), type(x).__name__)


def check_sequence(xs, name="xs", backend="numpy"):
    """``xs`` must be a floating (T, B, D) array of ``backend`` ("numpy" or "torch") with T, B, D >= 1."""
    if not hasattr(xs, "shape") or not hasattr(xs, "dtype"):
        raise TypeError(f"{name} must be an array of shape (T, B, D); got {type(xs).__name__}")
    if _library(xs) != backend:
        raise TypeError(f"{name} is a {_type_name(xs)}, but {_ADVICE[backend]}")
    if len(xs.shape) != 3:
        raise ValueError(
            f"{name} must have shape (T, B, D) (time-major, like torch.nn with batch_first=False); "
            f"got {len(xs.shape)}-D shape {tuple(xs.shape)}"
        )
    if _dtype_name(xs) not in ("float32", "float64"):
        raise TypeError(f"{name} must be float32 or float64; got dtype {_dtype_name(xs)}")
    if min(xs.shape) < 1:
        raise ValueError(f"{name} must have T, B, D >= 1; got shape {tuple(xs.shape)}")


def check_shape(x, expected, name, like=None):
    """``x.shape`` must equal ``expected``; with ``like`` (the input ``xs``), its kind, dtype and device too."""
    if not hasattr(x, "shape"):
        raise TypeError(f"{name} must be an array of shape {tuple(expected)}; got {type(x).__name__}")
    if like is not None and _library(x) != _library(like):
        raise TypeError(f"{name} is a {_type_name(x)}, but xs is a {_type_name(like)}: "
                        f"{_ADVICE.get(_library(like), 'give both as one kind of array')}")
    if tuple(x.shape) != tuple(expected):
        raise ValueError(f"{name} must have shape {tuple(expected)}; got {tuple(x.shape)}")
    if like is None:
        return
    if _dtype_name(x) != _dtype_name(like):
        raise TypeError(
            f"{name} must have the dtype of xs ({_dtype_name(like)}); got {_dtype_name(x)}. "
            "Convert explicitly: mixed precision is never promoted silently."
        )
    if _library(like) == "torch" and x.device != like.device:
        raise ValueError(f"{name} is on {x.device} but xs is on {like.device}; move both to one device")


def check_params(params, xs, shapes_of, bias_key):
    """Validate a parameter tree against ``xs`` and return ``(L, num_directions, H)``.

    ``shapes_of(D_in, H)`` gives the expected ``{name: shape}`` of one direction;
    H is read from the length of the bias ``bias_key`` of the first layer. Every
    leaf is checked once: shape, then the kind, dtype and device of ``xs``.
    """
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(
            "params must be a non-empty list of layers, each a dict {'forward': {...}} or "
            f"{{'forward': {{...}}, 'reverse': {{...}}}}; got {type(params).__name__}"
        )
    first = params[0]
    if not isinstance(first, dict) or DIRECTIONS[0] not in first:
        got = sorted(first) if isinstance(first, dict) else type(first).__name__
        raise TypeError(f"params[0] must be a dict with key 'forward' (and optionally 'reverse'); got {got}")
    directions = [d for d in DIRECTIONS if d in first]
    num_directions = len(directions)
    bias = first["forward"].get(bias_key) if isinstance(first["forward"], dict) else None
    if bias is None or not hasattr(bias, "shape") or len(bias.shape) != 1:
        raise ValueError(f"params[0]['forward'] must hold a 1-D bias '{bias_key}' of shape (H,)")
    H = bias.shape[0]
    D_in = xs.shape[2]
    for k, layer in enumerate(params):
        if not isinstance(layer, dict) or sorted(layer) != sorted(directions):
            got = sorted(layer) if isinstance(layer, dict) else type(layer).__name__
            raise ValueError(f"params[{k}] must have directions {directions} like params[0]; got {got}")
        for direction in directions:
            p = layer[direction]
            expected = shapes_of(D_in, H)
            where = f"params[{k}]['{direction}']"
            if not isinstance(p, dict) or sorted(p) != sorted(expected):
                got = sorted(p) if isinstance(p, dict) else type(p).__name__
                raise ValueError(f"{where} must have keys {sorted(expected)}; got {got}")
            for key, shape in expected.items():
                check_shape(p[key], shape, f"{where}['{key}']", like=xs)
        D_in = num_directions * H
    return len(params), num_directions, H


def _no_values(x, name):
    """A tensor on the ``meta`` device has a shape and a dtype but no values: refuse it where values are read."""
    if _library(x) == "torch" and x.device.type == "meta":
        raise ValueError(f"{name} is a tensor on the meta device, which holds no values; "
                         "give it as a list, a NumPy array or a tensor on the CPU or a GPU")


def _length(v, i, T, B):
    """One entry of ``lengths`` as an int, or one line naming ``lengths``, the index and what came."""
    if type(v) is int:  # the common cases first: an array's tolist() gives Python ints, a list often NumPy ints
        return v
    if type(v).__module__ == "numpy" and getattr(v, "shape", None) == () and v.dtype.kind in "iu":
        return int(v)
    expected = f"lengths must hold integers in [1, T = {T}]"
    if hasattr(v, "shape") and hasattr(v, "dtype"):  # a NumPy scalar, a 0-d array or a 0-d tensor
        if len(v.shape) > 0:
            raise ValueError(f"lengths must be 1-D, one integer per sequence (B = {B}); got a nested entry "
                             f"of shape {tuple(v.shape)} at index {i}")
        if hasattr(v, "device"):
            _no_values(v, f"lengths[{i}]")
        v = v.item()
        if type(v) is int:
            return v
    elif hasattr(v, "__len__"):
        raise ValueError(f"lengths must be 1-D, one integer per sequence (B = {B}); got a nested entry {v!r}")
    if isinstance(v, bool) or v is None:
        raise TypeError(f"{expected}; got {v!r} at index {i}")
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError(f"{expected}; got {v!r} at index {i}")
        if v.is_integer():
            return int(v)
        raise TypeError(f"{expected}; got the fraction {v!r} at index {i}")
    raise TypeError(f"{expected}; got {type(v).__name__} {v!r} at index {i}")


def check_lengths(lengths, T, B):
    """``lengths`` must be B integers in [1, T]; returns them as a tuple of ints.

    A list, a NumPy array or a tensor on any device is accepted. A tensor on
    the ``meta`` device (no values), NaN, inf, None, bools, fractions and
    values outside [1, T] each get one line naming ``lengths``.
    """
    shape = getattr(lengths, "shape", None)
    if shape is not None and len(shape) != 1:
        raise ValueError(f"lengths must be 1-D, one length per sequence, shape (B,) = ({B},); "
                         f"got {len(shape)}-D shape {tuple(shape)}")
    if isinstance(lengths, (str, bytes, dict, set)):
        raise TypeError(f"lengths must be a sequence of B = {B} integers; got {type(lengths).__name__}")
    if shape is not None and hasattr(lengths, "tolist"):  # an array or a tensor: its values as Python scalars
        _no_values(lengths, "lengths")
        dtype = _dtype_name(lengths)
        if dtype == "bool":
            raise TypeError(f"lengths must hold integers in [1, T = {T}]; got an array of dtype bool")
        lengths = (lengths.detach().cpu() if _library(lengths) == "torch" else lengths).tolist()
    if not hasattr(lengths, "__len__") or len(lengths) != B:
        got = len(lengths) if hasattr(lengths, "__len__") else type(lengths).__name__
        raise ValueError(f"lengths must hold one length per sequence (B = {B}); got {got}")
    values = tuple(_length(v, i, T, B) for i, v in enumerate(lengths))
    bad = [v for v in values if not 1 <= v <= T]
    if bad:
        raise ValueError(f"every entry of lengths must lie in [1, T = {T}]; got {bad}")
    return values


def check_agree(named):
    """Every array of ``named``, ``(name, array)`` pairs (None skipped), has the kind, dtype and device of the first.

    One line names both arguments and both dtypes (or devices): mixed precision is never promoted silently.
    """
    first_name, first = named[0]
    for name, x in named[1:]:
        if x is None:
            continue
        if not hasattr(x, "dtype") or not hasattr(x, "shape"):
            raise TypeError(f"{name} must be an array like {first_name}; got {type(x).__name__}")
        if _library(x) != _library(first):
            raise TypeError(f"{name} is a {_type_name(x)} but {first_name} is a {_type_name(first)}; "
                            "give both as one kind of array")
        if _dtype_name(x) != _dtype_name(first):
            raise TypeError(f"{name} has dtype {_dtype_name(x)} but {first_name} has dtype {_dtype_name(first)}; "
                            "convert one explicitly: mixed precision is never promoted silently")
        if _library(x) == "torch" and x.device != first.device:
            raise ValueError(f"{name} is on {x.device} but {first_name} is on {first.device}; "
                             "move both to one device")


_INTEGER_DTYPES = {f"{u}int{n}" for u in ("", "u") for n in (8, 16, 32, 64)}


def check_token_ids(ids, V, name="ids", backend=None):
    """``ids`` must be an integer array of token ids in [0, V), never wrapped round by negative indexing.

    ``backend`` ("numpy" or "torch"), when given, is the kind of array expected.
    A negative id or one >= V gets one line naming ``name`` and the offending value.
    """
    if not hasattr(ids, "shape") or not hasattr(ids, "dtype"):
        raise TypeError(f"{name} must be an integer array of token ids in [0, V = {V}); got {type(ids).__name__}")
    if backend is not None and _library(ids) != backend:
        raise TypeError(f"{name} is a {_type_name(ids)}, but {_ADVICE[backend]}")
    if _dtype_name(ids) not in _INTEGER_DTYPES:
        raise TypeError(f"{name} must be an integer array of token ids in [0, V = {V}); got dtype {_dtype_name(ids)}")
    _no_values(ids, name)
    if 0 in tuple(ids.shape):
        return
    low, high = int(ids.min()), int(ids.max())
    if low < 0:
        raise ValueError(f"{name} must hold token ids in [0, V = {V}); got {low} (a negative id is refused, "
                         "never read from the end of the vocabulary)")
    if high >= V:
        raise ValueError(f"{name} must hold token ids in [0, V = {V}); got {high}")


def _check_input(x, name, letters, ndim, backend):
    """``x`` must be a floating array of ``backend`` with ``ndim`` dimensions, shape ``letters``."""
    if not hasattr(x, "shape") or not hasattr(x, "dtype"):
        raise TypeError(f"{name} must be an array of shape {letters}; got {type(x).__name__}")
    if _library(x) != backend:
        raise TypeError(f"{name} is a {_type_name(x)}, but {_ADVICE[backend]}")
    if len(x.shape) != ndim:
        raise ValueError(f"{name} must have shape {letters}; got {len(x.shape)}-D shape {tuple(x.shape)}")
    if _dtype_name(x) not in ("float32", "float64"):
        raise TypeError(f"{name} must be float32 or float64; got dtype {_dtype_name(x)}")


def check_step(x_t, states, p, shapes_of, bias_key, backend):
    """The inputs of one step of a cell, checked once at the public edge; returns ``(B, D, H)``.

    ``x_t`` must be (B, D); every state of ``states`` (``(name, array)`` pairs) exactly (B, H), with no
    broadcasting of an (H,) state; ``p`` one direction's parameters, ``shapes_of(D, H)``, with H the
    length of the bias ``bias_key``. Every array has the kind, dtype and device of ``x_t``.
    """
    _check_input(x_t, "x_t", "(B, D)", 2, backend)
    bias = p.get(bias_key) if isinstance(p, dict) else None
    if bias is None or not hasattr(bias, "shape") or len(bias.shape) != 1:
        raise ValueError(f"p must be a dict of one direction's parameters with a 1-D bias '{bias_key}' of shape (H,)")
    B, D = x_t.shape
    H = bias.shape[0]
    for name, s in states:
        check_shape(s, (B, H), f"{name} (B, H)", like=x_t)
    expected = shapes_of(D, H)
    if sorted(p) != sorted(expected):
        raise ValueError(f"p must have keys {sorted(expected)}; got {sorted(p)}")
    for key, shape in expected.items():
        check_shape(p[key], shape, f"p['{key}']", like=x_t)
    return B, D, H


def check_matrix(x, name, letters, backend):
    """``x`` must be a floating 2-D array of ``backend``, shape ``letters``; returns its shape."""
    _check_input(x, name, letters, 2, backend)
    return tuple(x.shape)


def check_targets(logits, targets, name="targets"):
    """``targets`` must be class ids in [0, C) with the shape ``logits`` (..., C) has before its last axis."""
    if not hasattr(logits, "shape") or len(logits.shape) < 1:
        raise ValueError(f"logits must have shape (..., C); got {getattr(logits, 'shape', type(logits).__name__)}")
    check_token_ids(targets, logits.shape[-1], name)
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(f"{name} must have shape {tuple(logits.shape[:-1])}, that of logits without its last axis; "
                         f"got {tuple(targets.shape)}")


def check_id_sequence(ids, V, name, backend, min_steps=1):
    """``ids`` must be a time-major (T, B) integer array of ids in [0, V) with T >= ``min_steps``, B >= 1."""
    if not hasattr(ids, "shape") or len(ids.shape) != 2:
        got = f"{len(ids.shape)}-D shape {tuple(ids.shape)}" if hasattr(ids, "shape") else type(ids).__name__
        raise ValueError(f"{name} must be a time-major integer array of shape (T, B); got {got}")
    if ids.shape[0] < min_steps or ids.shape[1] < 1:
        raise ValueError(f"{name} must have at least {min_steps} steps and one sequence; got shape {tuple(ids.shape)}")
    check_token_ids(ids, V, name, backend)


def _leaf(tree, key, where):
    if not isinstance(tree, dict) or key not in tree:
        raise ValueError(f"{where} must hold '{key}'; got {sorted(tree) if isinstance(tree, dict) else type(tree)}")
    return tree[key]


def check_decoder(features, xs, model, backend):
    """The conditioned decoder's inputs: ``features`` (B, F), ``xs`` (T, B, D) and its parameters; returns H.

    ``model`` holds ``W_img (H, F)``, ``b_img (H,)``, one LSTM direction ``lstm`` (input D, hidden H),
    ``W_hy (V, H)`` and ``b_y (V,)``, all of the kind, dtype and device of ``xs``.
    """
    check_sequence(xs, "xs", backend)
    b_img = _leaf(model, "b_img", "model")
    if not hasattr(b_img, "shape") or len(b_img.shape) != 1:
        raise ValueError(f"model['b_img'] must have shape (H,); got {getattr(b_img, 'shape', type(b_img).__name__)}")
    H = b_img.shape[0]
    check_conditioning(features, _leaf(model, "W_img", "model"), b_img, backend, B=xs.shape[1])
    check_agree([("xs", xs), ("features", features)])
    lstm = _leaf(model, "lstm", "model")
    for key, shape in lstm_shapes(xs.shape[2], H).items():
        check_shape(_leaf(lstm, key, "model['lstm']"), shape, f"model['lstm']['{key}']", like=xs)
    V = _leaf(model, "b_y", "model").shape[0]
    check_shape(_leaf(model, "W_hy", "model"), (V, H), "model['W_hy']", like=xs)
    check_shape(model["b_y"], (V,), "model['b_y']", like=xs)
    return H


def check_conditioning(features, W_img, b_img, backend, B=None):
    """``features`` (B, F), ``W_img`` (H, F) and ``b_img`` (H,) of one kind, dtype and device; returns (B, F, H)."""
    _check_input(features, "features", "(B, F)", 2, backend)
    B_f, F = features.shape
    if B is not None and B_f != B:
        raise ValueError(f"features must have shape (B, F) with B = {B}, the batch of xs; got {tuple(features.shape)}")
    if not hasattr(b_img, "shape") or len(b_img.shape) != 1:
        raise ValueError(f"b_img must have shape (H,); got {getattr(b_img, 'shape', type(b_img).__name__)}")
    H = b_img.shape[0]
    check_shape(W_img, (H, F), "W_img (H, F)", like=features)
    check_shape(b_img, (H,), "b_img (H,)", like=features)
    return B_f, F, H


def check_seq2seq(src, src_lengths, tgt_in, params, backend):
    """The encoder–decoder's token inputs: ``src`` (S, B) ids in [0, V_src), ``tgt_in`` (T, B) in [0, V_tgt).

    Returns ``src_lengths`` checked (integers in [1, S]) as a tuple of ints.
    """
    E_src, E_tgt = _leaf(params, "E_src", "params"), _leaf(params, "E_tgt", "params")
    check_id_sequence(src, E_src.shape[0], "src", backend)
    check_id_sequence(tgt_in, E_tgt.shape[0], "tgt_in", backend)
    S, B = src.shape
    if tgt_in.shape[1] != B:
        raise ValueError(f"tgt_in (T, B) must have the batch of src (S, B), B = {B}; got shape {tuple(tgt_in.shape)}")
    check_agree([("params['E_src']", E_src), ("params['E_tgt']", E_tgt)])
    return check_lengths(src_lengths, S, B)


def check_cache(cache, expected, backward, forward):
    """``cache`` must be the ``expected`` NamedTuple that ``forward`` returned, before ``backward`` reads it."""
    if not isinstance(cache, expected):
        hint = " (an LSTM's cache goes to lstm_backward, an RNN's to rnn_backward)" if type(cache).__name__.endswith(
            "Cache") else ""
        raise TypeError(f"{backward} needs the {expected.__name__} returned by {forward}; "
                        f"got {type(cache).__name__}{hint}")


def check_attention_inputs(query, keys, params, mask):
    """Checks at the public edge (shared with the Torch twin); returns ``(S, B, H_q, H_k, A)``.

    Shapes; one dtype (and device) for ``query``, ``keys`` and ``params``; ``mask`` a bool (S, B) array
    with values (not on ``meta``) that attends to at least one position of every sequence.
    """
    for name, x, ndim, letters in (("query", query, 2, "(B, H_q)"), ("keys", keys, 3, "(S, B, H_k)")):
        if not hasattr(x, "shape") or len(x.shape) != ndim:
            got = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"{name} must have shape {letters}; got {got}")
    S, B, H_k = keys.shape
    if query.shape[0] != B:
        raise ValueError(f"query has batch {query.shape[0]} but keys (S, B, H_k) have B = {B}")
    if not isinstance(params, dict) or "v" not in params or len(params["v"].shape) != 1:
        raise ValueError("params must be a dict with W_q (A, H_q), W_k (A, H_k) and v (A,)")
    A = params["v"].shape[0]
    for key, shape in attention_shapes(query.shape[1], H_k, A).items():
        if key not in params or tuple(params[key].shape) != shape:
            got = tuple(params[key].shape) if key in params else "missing"
            raise ValueError(f"params['{key}'] must have shape {shape}; got {got}")
    check_agree([("query", query), ("keys", keys)] + [(f"params['{k}']", params[k]) for k in ("W_q", "W_k", "v")])
    if mask is not None:
        if not hasattr(mask, "shape") or not hasattr(mask, "dtype"):
            raise TypeError(f"mask must be a bool array of shape (S, B) = {(S, B)}; got {type(mask).__name__}")
        if tuple(mask.shape) != (S, B):
            raise ValueError(f"mask must have shape (S, B) = {(S, B)}; got {tuple(mask.shape)}")
        if _dtype_name(mask) != "bool":
            raise TypeError(f"mask must be a bool array (True where a position may be attended to); "
                            f"got dtype {_dtype_name(mask)}")
        if _library(mask) != _library(keys):
            raise TypeError(f"mask is a {_type_name(mask)} but keys is a {_type_name(keys)}; give both as one kind")
        _no_values(mask, "mask")
        if _library(mask) == "torch" and mask.device != keys.device:
            raise ValueError(f"mask is on {mask.device} but keys is on {keys.device}; move both to one device")
        if not bool((mask.sum(0) > 0).all()):
            raise ValueError("mask (S, B) must attend to at least one position of every sequence")
    return S, B, query.shape[1], H_k, A
