"""The Torch twin of :mod:`lstm_course.sampling`, with an explicit ``torch.Generator``."""

import torch


def probabilities(logits, temperature=1.0, top_k=None):
    """Softmax of ``logits / temperature`` (…, V), restricted to the ``top_k`` largest; see the NumPy twin."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (use greedy() for the argmax); got {temperature}")
    z = logits.double() / temperature
    if top_k is not None:
        if not 1 <= top_k <= z.shape[-1]:
            raise ValueError(f"top_k must be in [1, V = {z.shape[-1]}]; got {top_k}")
        kth = torch.sort(z, dim=-1).values[..., -top_k].unsqueeze(-1)
        z = torch.where(z >= kth, z, torch.full_like(z, float("-inf")))
    return torch.softmax(z, dim=-1)


def sample_from_uniform(p, u):
    """Inverse-CDF draw, (B, V) and (B,) -> (B,): the same rule as the NumPy twin."""
    cdf = torch.cumsum(p, dim=-1)
    return torch.clamp((cdf <= u.to(p.dtype)[:, None]).sum(dim=-1), max=p.shape[-1] - 1)


def sample(logits, generator, temperature=1.0, top_k=None):
    """One symbol per row of ``logits`` (B, V), drawn with the explicit ``torch.Generator``."""
    p = probabilities(logits, temperature, top_k)
    u = torch.rand(p.shape[0], generator=generator, dtype=torch.float64, device=generator.device)
    return sample_from_uniform(p, u.to(p.device))
