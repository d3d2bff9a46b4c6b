"""Recurrent cores for the trainable models: our Torch twin's fast path (the default) or ``torch.nn``.

:class:`TwinLSTM` and :class:`TwinRNN` *are* a ``torch.nn.LSTM`` and a
``torch.nn.RNN``: the same parameters, names, initialisation, ``state_dict``,
``.to(device)`` and ``.double()``, so that :func:`lstm_course.convert.load_into`
and :func:`~lstm_course.convert.from_torch` work on them unchanged. Only their
``forward`` differs: it runs the code the book teaches,
:func:`lstm_course.torch_impl.lstm_fast_forward` (fused gates, hoisted input
GEMM, hand-written fused backward) or :func:`lstm_course.torch_impl.rnn_fast_forward`,
on the module's own parameters through :func:`lstm_course.convert.tensor_tree`.

:func:`recurrent_core` picks one: ``backend="twin"`` (default) or ``"nn"``. The experiments train
the twin, so that their results come from the code the book teaches; ``"nn"`` (``python -m
lstm_course run NAME --backend nn``) is there for comparison. Each saved run of ``book/results/``
records its ``backend`` (one saved without it, from before the switch, used ``torch.nn``).
The two are tested equal (1e-10 in float64). On a CPU the twin's LSTM trains about 2-3x slower
per step than ``torch.nn.LSTM`` in float32 at the book's sizes. Most of that is the matrix-product
kernel, not the formulation: ``torch.nn.LSTM`` runs through oneDNN, whose GEMM is faster on some
CPUs than the BLAS that ``torch.matmul`` calls, while the twin's products go to that BLAS; with
oneDNN switched off ``torch.nn.LSTM`` is slower than the twin. At tiny sizes the twin's few PyTorch
calls per time step from Python add to it (see the "Making it fast" chapter and
``python -m lstm_course bench``). The RNN twin, one operation per step, keeps up with
``torch.nn.RNN``.
"""

import torch

from .. import convert
from ..torch_impl import lstm_fast_forward, rnn_fast_forward

BACKENDS = ("twin", "nn")


def _check_input(module, xs):
    if isinstance(xs, torch.nn.utils.rnn.PackedSequence):
        raise TypeError(f"{type(module).__name__} takes a padded (T, B, D) tensor, not a PackedSequence; "
                        "pass lengths to lstm_course.torch_impl instead, or use backend='nn'")
    if module.batch_first:
        raise ValueError(f"{type(module).__name__} is time-major: build it with batch_first=False")


class TwinLSTM(torch.nn.LSTM):
    """A ``torch.nn.LSTM`` whose forward is our Torch twin's fast path: ``xs (T, B, D)`` -> ``out, (h_n, c_n)``.

    ``out`` is ``(T, B, num_directions * H)``, ``h_n, c_n`` are
    ``(num_layers * num_directions, B, H)``, as in ``torch.nn.LSTM``.
    """

    def forward(self, xs, hx=None):
        """``xs (T, B, D)``, ``hx = (h0, c0)`` or None -> ``out (T, B, num_directions * H), (h_n, c_n)``."""
        _check_input(self, xs)
        h0, c0 = (None, None) if hx is None else hx
        return lstm_fast_forward(xs, convert.tensor_tree(self), h0, c0)


class TwinRNN(torch.nn.RNN):
    """A ``torch.nn.RNN`` whose forward is our Torch twin's fast path: ``xs (T, B, D)`` -> ``out, h_n``.

    ``out`` is ``(T, B, num_directions * H)``, ``h_n`` is ``(num_layers * num_directions, B, H)``.
    """

    def forward(self, xs, hx=None):
        """``xs (T, B, D)``, ``hx = h0`` or None -> ``out (T, B, num_directions * H), h_n``."""
        _check_input(self, xs)
        return rnn_fast_forward(xs, convert.tensor_tree(self), hx, self.nonlinearity)


def recurrent_core(kind, D, H, num_layers=1, bidirectional=False, backend="twin", nonlinearity="tanh"):
    """An LSTM or RNN core, ``(T, B, D) -> (T, B, num_directions * H)``, run by ``backend``.

    Parameters
    ----------
    kind : {"lstm", "rnn"}
    D, H, num_layers : int
    bidirectional : bool
    backend : {"twin", "nn"}
        ``"twin"`` (default): our Torch twin (:class:`TwinLSTM`, :class:`TwinRNN`);
        ``"nn"``: ``torch.nn.LSTM`` / ``torch.nn.RNN`` (oneDNN on a CPU, cuDNN on a GPU).
    nonlinearity : {"tanh", "relu"}
        The RNN's activation (``"relu"`` for the IRNN of Le et al. 2015); an LSTM takes only ``"tanh"``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
    classes = {("lstm", "twin"): TwinLSTM, ("lstm", "nn"): torch.nn.LSTM,
               ("rnn", "twin"): TwinRNN, ("rnn", "nn"): torch.nn.RNN}
    if (kind, backend) not in classes:
        raise ValueError(f"kind must be 'lstm' or 'rnn'; got {kind!r}")
    if nonlinearity not in ("tanh", "relu") or (kind == "lstm" and nonlinearity != "tanh"):
        raise ValueError(f"nonlinearity must be 'tanh' (or 'relu' for an RNN); got {nonlinearity!r} for {kind!r}")
    if kind == "rnn":
        return classes[kind, backend](D, H, num_layers, nonlinearity=nonlinearity, bidirectional=bidirectional)
    return classes[kind, backend](D, H, num_layers, bidirectional=bidirectional)
