"""One training step and one training loop for every ``torch.nn`` model of the book.

The step is Adam's usual four moves: zero the gradients, backpropagate, clip,
update. The loop draws batches, calls the step and records the losses. With
``carry_state`` it also carries a recurrent state from one batch to the next,
its values kept and its gradient history cut (truncated BPTT): the loss
function returns that state, so no mutable closure has to hold it.
"""

import time

import torch

from ..progress import Progress, bar


def detach(state):
    """A recurrent state (a tensor, or a tuple such as ``(h, c)``) with its values kept and its history cut."""
    if state is None:
        return None
    return state.detach() if isinstance(state, torch.Tensor) else tuple(s.detach() for s in state)


def train_step(model, optimiser, loss, max_norm=1.0, clip=None):
    """Zero the gradients, backpropagate ``loss``, clip, and take one optimiser step.

    Parameters
    ----------
    model : torch.nn.Module
    optimiser : torch.optim.Optimizer
        Over ``model.parameters()``.
    loss : Tensor, shape ()
    max_norm : float
        Clip the gradients to this global L2 norm (``clip_grad_norm_``).
    clip : callable, optional
        ``clip(parameters)`` in place of the global-norm clipping, for example
        ``lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.01)``.

    Returns
    -------
    float
        ``loss.item()``.
    """
    optimiser.zero_grad()
    loss.backward()
    if clip is None:
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    else:
        clip(model.parameters())
    optimiser.step()
    return loss.item()


def train(model, loss_fn, batches, steps, lr=1e-2, max_norm=1.0, progress=None, every=None, carry_state=False,
          decay=False):
    """Adam with global-norm clipping for ``steps`` steps.

    Parameters
    ----------
    model : torch.nn.Module
    loss_fn : callable
        ``loss_fn(model, *batch) -> loss``; with ``carry_state``,
        ``loss_fn(model, *batch, state) -> (loss, state)``, where ``state`` is
        None at the first step and then the (detached) state it last returned.
    batches : callable
        ``batches(step)`` gives the tuple ``batch`` of step ``step``.
    steps : int
    lr, max_norm : float
    progress : callable, optional
        A :class:`lstm_course.progress.Progress` draws a bar over the steps (rate, time left, loss);
        any other function receives a line of text ten times per run (or every ``every`` steps).
    carry_state : bool
    decay : bool
        Keep the learning rate at ``lr`` for the first half of the run, then
        lower it linearly to ``0.05 * lr`` at the last step.

    Returns
    -------
    dict
        ``losses`` (a float per step) and ``seconds``.
    """
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = (torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, 2.0 * (1 - s / steps) + 0.05))
                if decay else None)
    losses, start, state = [], time.perf_counter(), None
    every = every or max(1, steps // 10)
    lines = progress is not None and not isinstance(progress, Progress)
    with bar(progress, steps) as advance:
        for step in range(steps):
            if carry_state:
                loss, state = loss_fn(model, *batches(step), state)
                state = detach(state)
            else:
                loss = loss_fn(model, *batches(step))
            losses.append(train_step(model, optimiser, loss, max_norm))
            if schedule is not None:
                schedule.step()
            advance(loss=losses[-1])
            if lines and (step + 1) % every == 0:
                progress(f"  step {step + 1}/{steps} loss {losses[-1]:.4f}")
    return {"losses": losses, "seconds": time.perf_counter() - start}
