"""A shared training loop for the long-time-lag experiments."""

import time

import torch


def train(model, loss_fn, batches, steps, lr=1e-2, max_norm=1.0, progress=None, every=None):
    """Adam with global-norm clipping; ``batches(step)`` gives the arguments of ``loss_fn(model, *batch)``.

    Returns ``{"losses": [...], "seconds": float}``.
    """
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses, start = [], time.perf_counter()
    every = every or max(1, steps // 10)
    for step in range(steps):
        loss = loss_fn(model, *batches(step))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimiser.step()
        losses.append(loss.item())
        if progress is not None and (step + 1) % every == 0:
            progress(f"  step {step + 1}/{steps} loss {loss.item():.4f}")
    return {"losses": losses, "seconds": time.perf_counter() - start}
