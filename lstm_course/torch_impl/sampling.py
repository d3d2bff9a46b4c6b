"""The Torch twin of :mod:`lstm_course.sampling`, with an explicit ``torch.Generator``."""

import torch

from ..sampling import check_top_k


def check_logits(z):
    """The Torch twin of :func:`lstm_course.sampling.check_logits`: logits (..., V), no NaN, no ``+inf``, a finite value per row."""
    if z.dim() == 0 or z.shape[-1] == 0:
        raise ValueError(f"logits must have shape (..., V) with V >= 1; got shape {tuple(z.shape)}")
    if torch.isnan(z).any():
        raise ValueError(f"logits contain NaN ({int(torch.isnan(z).sum())} of {z.numel()} entries): the model "
                         "that produced them has diverged or read invalid input")
    if (z == float("inf")).any():
        raise ValueError("logits contain +inf: the probabilities are undefined")
    if not torch.isfinite(z).any(dim=-1).all():
        raise ValueError("every logit of a row is -inf: no symbol can be drawn")


def probabilities(logits, temperature=1.0, top_k=None):
    """Softmax of ``logits / temperature`` (…, V), restricted to the ``top_k`` largest; see the NumPy twin.

    As there, the largest logit is subtracted before dividing, so a temperature
    as small as ``1e-320`` gives the argmax (ties sharing) instead of NaN.

    Raises the NumPy twin's errors: ``ValueError`` for a temperature not > 0,
    NaN or ``+inf`` logits, ``top_k`` outside [1, V]; ``TypeError`` for a
    non-integer ``top_k`` or logits that are not a tensor.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0 (use greedy() for the argmax); got {temperature}")
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"logits must be a torch.Tensor (..., V); got {type(logits).__name__} "
                        "(lstm_course.sampling is the NumPy twin)")
    z = logits.double()
    check_logits(z)
    if top_k is not None:  # dividing by temperature > 0 keeps the order, so the k largest are the same
        check_top_k(top_k, z.shape[-1])
        kth = torch.sort(z, dim=-1).values[..., -top_k].unsqueeze(-1)
        z = torch.where(z >= kth, z, torch.full_like(z, float("-inf")))
    z = z - z.max(dim=-1, keepdim=True).values  # the max first: no temperature, however small, makes inf - inf
    return torch.softmax(z / temperature, dim=-1)


def sample_from_uniform(p, u):
    """Inverse-CDF draw, (B, V) and (B,) -> (B,): the same rule as the NumPy twin."""
    cdf = torch.cumsum(p, dim=-1)
    return torch.clamp((cdf <= u.to(p.dtype)[:, None]).sum(dim=-1), max=p.shape[-1] - 1)


def sample(logits, generator, temperature=1.0, top_k=None):
    """One symbol per row of ``logits`` (B, V), drawn with the explicit ``torch.Generator``."""
    p = probabilities(logits, temperature, top_k)
    u = torch.rand(p.shape[0], generator=generator, dtype=torch.float64, device=generator.device)
    return sample_from_uniform(p, u.to(p.device))
