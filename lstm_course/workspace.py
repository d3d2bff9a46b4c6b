"""Buffers that the fast LSTM paths of both twins reuse from one call to the next, instead of new pages.

A forward plus backward of the fast path at T50 B32 H128 needs about 10 MB of
buffers: the gates, states and ``tanh(c_t)`` the backward reads, and the gate
gradients. Allocated afresh on every call, each 4 KiB page is zeroed by the
operating system on first touch; on a virtual machine that can cost more than
all the elementwise arithmetic of the call. A :class:`Workspace` keeps the
buffers and hands the same ones out again, as a training loop that calls
forward, backward, forward, ... would want.

The rule that makes this safe: a cache made with a workspace is valid only
until the next forward call with the same workspace. :func:`check_current`
enforces it, so a stale cache is refused rather than silently wrong. Results
handed back to the caller (outputs, states, gradients) never live in the
workspace.
"""

import numpy as np


class Workspace:
    """Named, reusable buffers (NumPy arrays, or torch tensors for the twin), one per name; a new shape or dtype
    replaces the old buffer. Use one workspace per model and twin.

    Examples
    --------
    >>> ws = Workspace()
    >>> a = ws.take("gates", (2, 3), np.float64)
    >>> ws.take("gates", (2, 3), np.float64) is a
    True
    """

    def __init__(self):
        self.generation = 0
        self._buffers = {}

    def take(self, name, shape, dtype):
        """An uninitialised ``shape`` buffer (e.g. ``(T, B, H)``) of ``dtype`` under ``name``: the same array as last time if it fits."""
        dtype = np.dtype(dtype)
        return self.reuse(name, lambda buffer: buffer.shape == tuple(shape) and buffer.dtype == dtype,
                          lambda: np.empty(shape, dtype=dtype))

    def reuse(self, name, fits, make):
        """The buffer kept under ``name`` if ``fits(buffer)``, else a new one from ``make()``, kept from now on.

        The Torch twin keeps its tensors this way (:func:`lstm_course.torch_impl.lstm_fast_forward`).
        """
        buffer = self._buffers.get(name)
        if buffer is None or not fits(buffer):
            buffer = self._buffers[name] = make()
        return buffer

    def begin(self):
        """Start a new forward call: every cache made before it is stale. Returns the new generation."""
        self.generation += 1
        return self.generation

    @property
    def nbytes(self):
        """Bytes held in all buffers."""
        return sum(buffer.nbytes for buffer in self._buffers.values())


def fresh(name, shape, dtype):
    """What a call without a workspace uses in place of :meth:`Workspace.take`: a new buffer every time.

    ``shape`` is any tuple, e.g. ``(T, B, 4H)``; the buffer is uninitialised.
    """
    return np.empty(shape, dtype=dtype)


def check_current(workspace, generation, backward, forward):
    """Refuse a cache whose workspace buffers a later forward call has already reused.

    ``generation`` is a scalar: the workspace's count of forward calls when the
    cache was made (``workspace=None``: nothing to check).
    """
    if workspace is not None and workspace.generation != generation:
        raise ValueError(f"{backward}: this cache's buffers were reused by a later {forward} call with the same "
                         f"workspace (cache from call {generation}, workspace now at call {workspace.generation}); "
                         f"run the backward before the next forward, or leave out workspace=")
