"""What a learner would otherwise write: two peer LSTMs for the bench, written by us from the published style of each.

- :mod:`.stacked_loop`: a NumPy loop in the style of the CS231n assignments:
  the four gates stacked into ``W_x (D, 4H)`` and ``W_h (H, 4H)``, one step
  function forward and one backward, each step making its own weight-gradient
  products.
- :mod:`.scratch_autograd`: a Torch LSTM in the style of d2l's "from scratch"
  section: one ``(W_x, W_h, b)`` triple per gate, a Python loop over time, and
  autograd for the backward.

They are not the course's LSTMs, and no chapter builds on them. They exist so
that ``python -m lstm_course bench`` can say how our fast paths compare with
the code a learner would write first; the tests check that both compute the
same LSTM as :mod:`lstm_course.numpy_impl`.
"""
