"""Gate traces: what a trained LSTM's gates and cell do along one real sequence.

Chapter 9 trains two small LSTMs in the notebook, on one core in well under a
minute (one seed each, short budgets: they are pictures of one run, not
results), and reads their gates along one test sequence:

- :func:`train_adding_lstm`: the adding problem at T = 100 (section 5.4 of the
  1997 paper), an LSTM with a trainable forget gate started at ``b_f = 5`` and
  ``b_i = -3`` (the factorial's learning arm), so that all three gates move;
- :func:`train_reber_lstm`: the embedded Reber grammar, a forget-gate LSTM
  trained on strings that each start from a zero state.

:func:`lstm_gate_traces` reads ``i_t, f_t, o_t`` and ``c_t`` step by step with
the NumPy LSTM (:func:`lstm_course.numpy_impl.lstm_step_forward`) on the
trained weights, read out of the Torch model by
:func:`lstm_course.convert.from_torch`.
"""

from typing import NamedTuple

import numpy as np
import torch

from .. import convert
from ..data.long_lag import adding_problem
from ..data.reber import SYMBOLS, embedded_reber_sets, embedded_reber_string, _encode
from ..models.recurrent_net import RecurrentNet, tensor
from ..models.training import train
from ..numpy_impl.lstm import lstm_step_forward
from .long_lag import _adding_loss
from .reber import _masked_bce
from .running import one_thread


class GateTraces(NamedTuple):
    """The gates and the cell of one LSTM layer along one sequence, each ``(T, H)``."""

    i: np.ndarray
    f: np.ndarray
    o: np.ndarray
    c: np.ndarray


class AddingTrace(NamedTuple):
    """One adding-problem test sequence through a trained LSTM."""

    traces: GateTraces
    values: np.ndarray  # (T,) the first input channel
    markers: np.ndarray  # (T,) the second: 1 at the two marked steps, -1 at the first and last
    marked: tuple  # the two marked steps
    target: float
    prediction: float
    success_rate: float  # on 2,560 fresh test sequences, |error| < 0.04


class ReberTrace(NamedTuple):
    """One embedded Reber test string through a trained LSTM."""

    traces: GateTraces
    text: str
    solved_fraction: float  # test strings whose every next symbol is predicted
    other: GateTraces  # the same string with the other embedded symbol (T and P swapped at both ends)
    other_text: str


def lstm_gate_traces(core, xs):
    """Run one sequence through ``core`` (a one-layer ``torch.nn.LSTM``) and keep every gate.

    Parameters
    ----------
    core : torch.nn.LSTM
        One layer, one direction (the twin's ``TwinLSTM`` is one).
    xs : ndarray, shape (T, D)
        One sequence, from a zero state.

    Returns
    -------
    GateTraces
        ``i, f, o, c``, each ``(T, H)``, in float64.
    """
    p = {k: v.astype(np.float64) for k, v in convert.from_torch(core)[0]["forward"].items()}
    H = p["b_f"].shape[0]
    h, c = np.zeros((1, H)), np.zeros((1, H))
    rows = {"i": [], "f": [], "o": [], "c": []}
    for x_t in np.asarray(xs, dtype=np.float64):
        h, c, cache = lstm_step_forward(x_t[None, :], h, c, p)
        for name, value in (("i", cache.i_t), ("f", cache.f_t), ("o", cache.o_t), ("c", c)):
            rows[name].append(value[0])
    return GateTraces(*(np.array(rows[k]) for k in ("i", "f", "o", "c")))


@one_thread
def train_adding_lstm(seed=0, steps=300, T=100, H=16, B=64, forget_bias=5.0, input_bias=-3.0):
    """Train one forget-gate LSTM on the adding problem and trace one test sequence.

    Parameters
    ----------
    seed : int
        Seeds the weights, the training batches and the test sequences.
    steps, T, H, B : int
        Adam steps, minimal sequence length, hidden units, batch size.
    forget_bias, input_bias : float
        Added to ``b_f`` and ``b_i`` at initialisation.

    Returns
    -------
    AddingTrace
        The traced sequence is the first fresh test sequence whose answer is
        within 0.04 of the target, if any (else the first).
    """
    rng = np.random.default_rng(seed)
    model = RecurrentNet("lstm", 2, H, 1, rng, forget_bias=forget_bias, input_bias=input_bias)

    def batches(step):
        b = adding_problem(B, T, rng)
        return tensor(b.xs), b.lengths, tensor(b.targets)

    train(model, _adding_loss, batches, steps)
    test = adding_problem(2560, T, np.random.default_rng(10_000 + seed))
    with torch.no_grad():
        predictions = model.final(tensor(test.xs), test.lengths)[:, 0].numpy().astype(np.float64)
    right = np.abs(predictions - test.targets) < 0.04
    k = int(np.argmax(right)) if right.any() else 0
    length = int(test.lengths[k])
    xs = test.xs[:length, k]
    marked = tuple(int(t) for t in np.flatnonzero(xs[:, 1] == 1.0))
    return AddingTrace(lstm_gate_traces(model.core, xs), xs[:, 0], xs[:, 1], marked, float(test.targets[k]),
                       float(predictions[k]), float(right.mean()))


@one_thread
def train_reber_lstm(seed=0, steps=3000, H=16, B=32, forget_bias=5.0, forget_gate=True):
    """Train one forget-gate LSTM on embedded Reber strings and trace one test string.

    Parameters
    ----------
    seed : int
    steps, H, B : int
        Adam steps, hidden units, batch size (strings drawn from 256 training strings).
    forget_bias : float
    forget_gate : bool
        False pins ``f_t = 1`` (the 1997 cell).

    Returns
    -------
    ReberTrace
        The traced string is a fresh one at least 18 symbols long, so that the
        lag is visible; ``other`` traces the same string with its embedded
        symbol swapped (T for P, or P for T, at both ends).
    """
    rng = np.random.default_rng(seed)
    train_set, test_set = embedded_reber_sets(rng)
    model = RecurrentNet("lstm", len(SYMBOLS), H, len(SYMBOLS), rng, forget_bias=forget_bias,
                         forget_gate=forget_gate)
    mask = tensor(np.arange(train_set.xs.shape[0])[:, None] < (train_set.lengths - 1)[None, :])

    def batches(step):
        rows = rng.integers(0, train_set.xs.shape[1], size=B)
        return tensor(train_set.xs[:, rows]), tensor(train_set.legal[:, rows]), mask[:, rows]

    train(model, _masked_bce, batches, steps)
    from .reber import _all_predicted

    solved = float(_all_predicted(model, test_set, "cpu").mean())
    draw = np.random.default_rng(30_000 + seed)
    text, legal = embedded_reber_string(draw)
    while len(text) < 18:
        text, legal = embedded_reber_string(draw)
    swap = {"T": "P", "P": "T"}
    other = text[0] + swap[text[1]] + text[2:-2] + swap[text[-2]] + text[-1]
    other_legal = list(legal)
    other_legal[0], other_legal[-3] = legal[0], swap[legal[-3]]
    xs, other_xs = (_encode([t], [g]).xs[:, 0] for t, g in ((text, legal), (other, other_legal)))
    return ReberTrace(lstm_gate_traces(model.core, xs), text, solved, lstm_gate_traces(model.core, other_xs),
                      other)
