"""Checks at the public edge: errors name what was expected and what came.

Works on NumPy arrays and torch tensors alike (anything with ``.shape`` and
``.dtype``), so both twins share one set of messages; imports neither.
"""

from .notation import DIRECTIONS, attention_shapes

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


def check_lengths(lengths, T, B):
    """``lengths`` must be a 1-D sequence of B integers in [1, T]; returns them as a tuple of ints."""
    shape = getattr(lengths, "shape", None)
    if shape is not None and len(shape) != 1:
        raise ValueError(f"lengths must be 1-D, one length per sequence, shape (B,) = ({B},); "
                         f"got {len(shape)}-D shape {tuple(shape)}")
    if not hasattr(lengths, "__len__") or len(lengths) != B:
        got = len(lengths) if hasattr(lengths, "__len__") else type(lengths).__name__
        raise ValueError(f"lengths must hold one length per sequence (B = {B}); got {got}")
    nested = [v for v in lengths if (len(v.shape) > 0 if hasattr(v, "shape") else hasattr(v, "__len__"))]
    if nested:
        raise ValueError(f"lengths must be 1-D, one integer per sequence (B = {B}); got a nested entry {nested[0]!r}")
    values = [int(v) for v in lengths]
    if any(v != float(w) for v, w in zip(values, lengths)):
        raise TypeError(f"lengths must be integers; got {list(lengths)}")
    bad = [v for v in values if not 1 <= v <= T]
    if bad:
        raise ValueError(f"every length must lie in [1, T = {T}]; got {bad}")
    return tuple(values)


def check_cache(cache, expected, backward, forward):
    """``cache`` must be the ``expected`` NamedTuple that ``forward`` returned, before ``backward`` reads it."""
    if not isinstance(cache, expected):
        hint = " (an LSTM's cache goes to lstm_backward, an RNN's to rnn_backward)" if type(cache).__name__.endswith(
            "Cache") else ""
        raise TypeError(f"{backward} needs the {expected.__name__} returned by {forward}; "
                        f"got {type(cache).__name__}{hint}")


def check_attention_inputs(query, keys, params, mask):
    """Shape checks at the public edge (shared with the Torch twin); returns ``(S, B, H_q, H_k, A)``."""
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
    if mask is not None:
        if tuple(mask.shape) != (S, B):
            raise ValueError(f"mask must have shape (S, B) = {(S, B)}; got {tuple(mask.shape)}")
        if not bool((mask.sum(0) > 0).all()):
            raise ValueError("mask (S, B) must attend to at least one position of every sequence")
    return S, B, query.shape[1], H_k, A
