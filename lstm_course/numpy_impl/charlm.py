r"""A character-level LSTM language model in NumPy: next-step prediction, trained by (truncated) BPTT.

The model factors :math:`p(x_1 \dots x_T) = \prod_t p(x_{t+1} \mid x_1 \dots x_t)`: at every
step the LSTM reads the true previous character (teacher forcing) and a
softmax readout predicts the next one; the loss is the mean cross-entropy.
"""

import numpy as np

from .. import _validate
from ..tree import tree_map
from ..params import init_lstm_params, init_readout
from .lstm import lstm_backward, lstm_forward
from .readout import linear_backward, linear_forward, softmax_cross_entropy


def init_charlm(V, H, rng, num_layers=1, forget_bias=1.0, dtype=np.float64):
    """``{"lstm": params, "W_hy": (V, H), "b_y": (V,)}`` for a vocabulary of V characters."""
    return {"lstm": init_lstm_params(V, H, num_layers, rng=rng, dtype=dtype, forget_bias=forget_bias),
            **init_readout(H, V, rng, dtype)}


def one_hot(ids, V, dtype=np.float64):
    """ids (T, B) int -> (T, B, V); every id must lie in [0, V)."""
    _validate.check_token_ids(ids, V, "ids", "numpy")
    return np.eye(V, dtype=dtype)[ids]


def charlm_loss(model, ids, state=None):
    """Mean cross-entropy (nats) of predicting ``ids[1:]`` from ``ids[:-1]``, and its gradients.

    Parameters
    ----------
    model : dict
        From :func:`init_charlm`.
    ids : int ndarray, shape (T + 1, B)
    state : tuple (h0, c0) of ndarray (L, B, H), optional
        The state carried in from the previous chunk (its values only: no
        gradient flows back into the previous chunk).

    Returns
    -------
    loss : float
    grads : dict, structure of ``model``
    state : tuple (h_n, c_n), to carry into the next chunk
    """
    V = model["W_hy"].shape[0]
    _validate.check_id_sequence(ids, V, "ids", "numpy", min_steps=2)
    xs = one_hot(ids[:-1], V, model["W_hy"].dtype)  # (T, B, V): teacher forcing
    h0, c0 = state if state is not None else (None, None)
    out, (h_n, c_n), cache = lstm_forward(xs, model["lstm"], h0, c0)
    logits = linear_forward(out, model["W_hy"], model["b_y"])  # (T, B, V)
    loss, d_logits = softmax_cross_entropy(logits, ids[1:])
    d_out, head = linear_backward(d_logits, out, model["W_hy"])
    _, _, _, d_lstm = lstm_backward(d_out, None, None, cache)
    return loss, {"lstm": d_lstm, **head}, (h_n, c_n)


def tbptt_gradients(model, ids, k, state=None):
    """Truncated BPTT: the sequence in chunks of ``k`` steps, state carried forward, gradients cut.

    Each chunk starts from the final state of the previous one, so the loss is
    exactly that of the full sequence; but no gradient crosses a chunk
    boundary. With ``k = T`` this is full BPTT.

    Parameters
    ----------
    ids : int ndarray, shape (T + 1, B)
    k : int
        Truncation length, 1 <= k <= T.

    Returns
    -------
    loss : float
        Mean over all T * B predictions.
    grads : dict
        Gradient of that mean loss, each chunk's term truncated.
    state : tuple (h_n, c_n)
    """
    _validate.check_id_sequence(ids, model["W_hy"].shape[0], "ids", "numpy", min_steps=2)
    T = ids.shape[0] - 1
    if not 1 <= k <= T:
        raise ValueError(f"k must be in [1, T = {T}]; got {k}")
    total, grads = 0.0, None
    for start in range(0, T, k):
        chunk = ids[start:start + k + 1]  # k + 1 characters give k predictions
        weight = (chunk.shape[0] - 1) / T
        loss, g, state = charlm_loss(model, chunk, state)
        total += weight * loss
        scaled = tree_map(lambda x: x * weight, g)
        grads = scaled if grads is None else tree_map(np.add, grads, scaled)
    return total, grads, state


def next_logits(model, ids, state=None):
    """Run the model over ``ids`` (T, B) and return the logits after the last step (B, V) and the state."""
    V = model["W_hy"].shape[0]
    _validate.check_id_sequence(ids, V, "ids", "numpy")
    out, (h_n, c_n), _ = lstm_forward(one_hot(ids, V, model["W_hy"].dtype), model["lstm"], *(state or (None, None)))
    return linear_forward(out[-1], model["W_hy"], model["b_y"]), (h_n, c_n)


def generate(model, vocab, prime, length, temperature, rng):
    """Prime the model with ``prime``, then draw ``length`` characters, each fed back in as the next input.

    Parameters
    ----------
    model : dict
        A character model tree (``init_charlm``, or a checkpoint's).
    vocab
        Has ``encode(text) -> ids (N,)`` and ``decode(ids) -> text``
        (:class:`lstm_course.data.corpus.Vocabulary`).
    prime : str
        The text read first (at least one character); generation continues from its state.
    length : int
        How many characters to draw.
    temperature : float
        Divides the logits before the softmax (``lstm_course.sampling.sample``).
    rng : numpy.random.Generator
        The only source of randomness: the same generator state gives the same text.

    Returns
    -------
    str
        ``prime`` followed by the ``length`` drawn characters.
    """
    from ..sampling import sample

    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime must be a non-empty string; got {prime!r}")
    logits, state = next_logits(model, vocab.encode(prime)[:, None])  # (1, V) after the whole prime
    out = []
    for _ in range(length):
        k = int(sample(logits, rng, temperature)[0])
        out.append(k)
        logits, state = next_logits(model, np.array([[k]]), state)  # the draw is the next input
    return prime + vocab.decode(out)
