"""Checkers for the generative chapter: temperature sampling, and one truncated-BPTT step."""

import numpy as np

from ..sampling import probabilities
from ._harness import _call


def _safe(fn, *args):
    return _call(fn, args)


def _draw(fn, logits, temperature, seed, n):
    rng = np.random.default_rng(seed)
    return [int(np.asarray(fn(logits, temperature, rng)).reshape(-1)[0]) for _ in range(n)]


def check_sample_with_temperature(fn, report=print):
    """Check ``fn(logits (V,), temperature, rng) -> int`` by its properties.

    The properties: it uses the generator it is given (same seed, same draws);
    temperature 0.01 gives the argmax; a huge temperature gives nearly uniform
    draws; at temperature 1 and 0.5 the frequencies match the softmax of
    ``logits / temperature`` (a chi-square test). Never raises.
    """
    logits = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    V = len(logits)
    first, error = _safe(_draw, fn, logits, 1.0, 0, 5)
    if isinstance(error, NotImplementedError):
        report("Sampling: not attempted yet. Replace `raise NotImplementedError` with your code.\n"
               "Hint: p = softmax(logits / temperature); return the index where the cumulative sum of p first exceeds rng.random().")
        return False
    if error is not None:
        report(f"Sampling: your function raised {type(error).__name__}: {error}")
        return False
    if any(not 0 <= k < V for k in first):
        report(f"Sampling: returned {first}, but indices must lie in [0, {V}).")
        return False
    if _draw(fn, logits, 1.0, 0, 5) != first:
        report("Sampling: two runs with generators of the same seed gave different draws. Use the `rng` you are "
               "given (rng.random(), rng.choice(...)), never np.random.* or a generator of your own: grading and "
               "reproducible sampling depend on it.")
        return False
    n = 4000

    def frequencies_match(temperature):
        counts = np.bincount(_draw(fn, logits, temperature, 2, n), minlength=V)
        expected = n * probabilities(logits, temperature)
        chi2 = float(np.sum((counts - expected) ** 2 / expected))
        if chi2 > 25.0:  # chi-square with 4 degrees of freedom: P(chi2 > 25) < 1e-4
            what = "nearly uniform" if temperature > 100 else f"softmax(logits / {temperature:g})"
            report(f"Sampling: at temperature {temperature:g} the frequencies {(counts / n).round(3).tolist()} do not "
                   f"match {what} = {(expected / n).round(3).tolist()} (chi-square {chi2:.0f} > 25).")
            return False
        return True

    if not frequencies_match(1.0):
        return False
    greedy, error = _safe(_draw, fn, logits, 0.01, 1, 50)
    if error is not None:
        report(f"Sampling: at temperature 0.01 your function failed ({type(error).__name__}: {error}). Divide the "
               "logits by the temperature and subtract their maximum before exponentiating, or exp() overflows.")
        return False
    if set(greedy) != {int(logits.argmax())}:
        report(f"Sampling: at temperature 0.01 the draws should always be the argmax ({int(logits.argmax())}); "
               f"got {sorted(set(greedy))}. Are you multiplying by the temperature instead of dividing?")
        return False
    if not (frequencies_match(0.5) and frequencies_match(1e4)):
        return False
    report("Sampling: correct: it follows the generator, is greedy as T -> 0, uniform as T grows, "
           "and matches the softmax in frequency.")
    return True


def check_tbptt_step(fn, report=print):
    """Check ``fn(model, chunk, state) -> (loss, new_state)``, one step of truncated BPTT (Torch).

    ``model(ids, state) -> (logits, state)`` is a
    :class:`lstm_course.models.charlm.CharLSTM`; ``chunk`` is a (T + 1, B)
    LongTensor; ``state`` the ``(h, c)`` carried from the previous chunk, or
    None at the start. The returned state must carry the values forward
    (no reset) but no gradient history (detached). Never raises.
    """
    import torch

    from ..models.charlm import CharLSTM

    torch.manual_seed(0)
    model = CharLSTM(5, 4).double()
    gen = torch.Generator().manual_seed(0)
    chunks = [torch.randint(0, 5, (7, 2), generator=gen) for _ in range(3)]

    def reference(chunk, state):
        logits, new_state = model(chunk[:-1], state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 5), chunk[1:].reshape(-1))
        return loss, tuple(s.detach() for s in new_state)

    state_ref, state = None, None
    for n, chunk in enumerate(chunks):
        out, error = _safe(fn, model, chunk, state)
        if isinstance(error, NotImplementedError):
            report("TBPTT step: not attempted yet. Hint: run the model from `state`, compute the loss on the next "
                   "characters, and return the new state with .detach() on each tensor.")
            return False
        if error is not None:
            report(f"TBPTT step: your function raised {type(error).__name__}: {error}")
            return False
        if not isinstance(out, tuple) or len(out) != 2:
            report("TBPTT step: return a pair (loss, new_state).")
            return False
        loss, new_state = out
        ref_loss, state_ref = reference(chunk, state_ref)
        if new_state is None or not isinstance(new_state, tuple):
            report("TBPTT step: new_state must be the (h, c) pair the model returned, so that the next chunk "
                   "starts where this one ended.")
            return False
        if any(s.requires_grad or s.grad_fn is not None for s in new_state):
            report("TBPTT step: the state you return was never detached: it still carries the whole graph of this "
                   "chunk, so the next backward pass would reach into (or fail on) earlier chunks and memory grows "
                   "with every step. Return tuple(s.detach() for s in new_state).")
            return False
        if not torch.allclose(loss.detach(), ref_loss.detach(), atol=1e-10):
            if n > 0:
                report("TBPTT step: the first chunk is right but a later one is not: the state was reset by mistake "
                       "(or not used). Truncated BPTT cuts the gradient at the chunk boundary but keeps the values: "
                       "run the model from the state you were given.")
            else:
                report("TBPTT step: the loss of the first chunk differs from the reference: predict chunk[1:] from "
                       "chunk[:-1] with cross-entropy.")
            return False
        state = new_state
    report(f"TBPTT step: correct on {len(chunks)} consecutive chunks: the state is carried and detached.")
    return True
