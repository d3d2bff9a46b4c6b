"""Checker for the truncated-BPTT training loop, end to end (the generative chapter's training loop, Torch).

The learner writes ``fn(model, optimiser, ids, B, T, steps) -> losses``: cut
the character stream ``ids`` into ``B`` contiguous streams, walk them in chunks
of ``T`` inputs, carry the state from chunk to chunk with its gradient history
cut (detached), start afresh (state ``None``) when the streams run out, and take
one optimiser step per chunk. The checker runs the learner's loop in a child
process on its own copy of a small model, compares every step's loss and the
final weights with the reference, and names the mistake whose loop gives the
same numbers.
"""

import copy

import numpy as np

from . import runner
from ._harness import Hints, describe_error, not_attempted, protect, type_name

V, H, B, T, STEPS, STREAM = 5, 4, 3, 4, 7, 63  # 63 ids -> 3 streams of 21: chunks at 0, 4, 8, 12, 16, then a new epoch
LEARNING_RATE = 0.5

TBPTT_LOOP_HINTS = Hints(
    nudge="the chapter's training loop, end to end: cut `ids` into B streams of contiguous text (one per column), "
          "walk them T characters at a time, and for each chunk predict its next characters from the state the "
          "previous chunk left, then take one optimiser step. Which state does the next chunk need, and what must "
          "it forget? What happens when the streams run out?",
    formula="n = len(ids) // B; data = ids[:n * B].reshape(B, n).T (column b is stream b). Each step: if "
            "position + T + 1 > n, start a new epoch (position 0, state None); chunk = data[position:position + T "
            "+ 1]; logits, state = model(chunk[:-1], state); state = tuple(s.detach() for s in state); loss = "
            "cross_entropy(logits.reshape(-1, model.V), chunk[1:].reshape(-1)); zero_grad, backward, step; "
            "append loss.item(); position += T.")

# Each mistake as the loop that makes it (the keyword of _loop it turns), and what to say when the numbers match.
MISTAKES = (
    ("reset", "the state is reset at every chunk (each chunk starts from None): truncated BPTT cuts the gradient "
              "at a chunk boundary but keeps the values, so pass the state the previous chunk returned"),
    ("carry_across_epochs", "when the streams run out and you go back to their start, the state of the last chunk "
                            "is carried into the first one: that state belongs to the end of the text, so a new "
                            "epoch starts from None"),
    ("no_zero_grad", "the gradients accumulate from step to step: call optimiser.zero_grad() before (or after) each "
                     "step, or every update also repeats all the earlier gradients"),
    ("rows", "the streams are cut the wrong way: with ids.reshape(-1, B) each column jumps B characters at a time "
             "through the text. Stream b must be contiguous text: ids[:n * B].reshape(B, n).T"),
    ("stride", "each chunk starts T + 1 characters after the previous one, so one character is never predicted: "
               "the last character of a chunk (its last target) is the first input of the next, so advance by T"),
    ("no_step", "the weights never change: call optimiser.step() after loss.backward()"),
    ("targets", "the targets are the inputs themselves: the model must predict chunk[1:] from chunk[:-1]"),
)


def _loop(model, optimiser, ids, B, T, steps, *, reset=False, carry_across_epochs=False, no_zero_grad=False,
          rows=False, stride=False, no_step=False, targets=False):
    """The reference loop (no keyword set), or the loop that makes one named mistake."""
    import torch

    n = len(ids) // B
    data = ids[:n * B].reshape(n, B) if rows else ids[:n * B].reshape(B, n).T
    state, position, losses = None, 0, []
    for _ in range(steps):
        if position + T + 1 > data.shape[0]:
            position, state = 0, (state if carry_across_epochs else None)
        chunk = data[position:position + T + 1]
        logits, state = model(chunk[:-1], None if reset else state)
        state = tuple(s.detach() for s in state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, model.V),
                                                 (chunk[:-1] if targets else chunk[1:]).reshape(-1))
        if not no_zero_grad:
            optimiser.zero_grad()
        loss.backward()
        if not no_step:
            optimiser.step()
        losses.append(loss.item())
        position += T + 1 if stride else T
    return losses


def reference_train_tbptt(model, optimiser, ids, B, T, steps):
    """The reference answer: the per-step losses (list of ``steps`` floats) of truncated BPTT over ``ids`` (N,).

    ``model(ids (T, B), state) -> (logits (T, B, V), state)`` as
    :class:`lstm_course.models.charlm.CharLSTM`; ``optimiser`` updates its
    parameters in place.
    """
    return _loop(model, optimiser, ids, B, T, steps)


def _setup():
    """A small float64 CharLSTM, its SGD optimiser and a stream of ids, the same on every call."""
    import torch

    from ..models.charlm import CharLSTM

    torch.manual_seed(0)
    model = CharLSTM(V, H).double()
    ids = torch.randint(0, V, (STREAM,), generator=torch.Generator().manual_seed(1))
    return model, torch.optim.SGD(model.parameters(), lr=LEARNING_RATE), ids


def _run_variant(**mistake):
    model, optimiser, ids = _setup()
    losses = _loop(model, optimiser, ids, B, T, STEPS, **mistake)
    return np.array(losses), {name: value.numpy().copy() for name, value in model.state_dict().items()}


def _learner_loop(fn):
    """In the child: ``fn`` on a fresh copy of the set-up, with what the parent checks (plain data)."""
    import torch

    model, optimiser, ids = _setup()
    given = ids.clone()
    try:
        out = fn(model, optimiser, given, B, T, STEPS)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001  (described for the parent)
        return {"raised": runner.exception_record(error)}
    if isinstance(out, (list, tuple)):  # losses as tensors are accepted: read their values here
        out = [float(v.detach()) if isinstance(v, torch.Tensor) and v.numel() == 1 else v for v in out]
    return {"out": out, "weights": {name: value.detach().numpy().copy() for name, value in model.state_dict().items()},
            "ids_changed": not torch.equal(given, ids)}


def _losses(out):
    """The learner's losses as a float array of length STEPS, or ``(None, problem)``."""
    if not isinstance(out, (list, tuple, np.ndarray)):
        return None, f"return the list of the {STEPS} losses, one float per step; got {type_name(out)}"
    if len(out) != STEPS:
        return None, (f"return one loss per step: {STEPS} steps were asked for, and {len(out)} losses came back "
                      "(one optimiser step per chunk, and `steps` chunks in all, across epochs)")
    values = []
    for k, v in enumerate(out):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            return None, f"loss {k + 1} is {type_name(v)}; return plain numbers, such as loss.item()"
        values.append(float(v))
    return np.array(values), None


def _named_mistakes(losses):
    """The messages of the one mistake, or else the two, whose loop gives exactly ``losses`` (singles first, so a
    pair that amounts to one of them, such as no step and no zero_grad, is named as the one)."""
    import itertools

    for size in (1, 2):
        for combination in itertools.combinations(MISTAKES, size):
            variant = _run_variant(**{keyword: True for keyword, _ in combination})[0]
            if np.allclose(losses, variant, atol=1e-10, rtol=0):
                return [text for _, text in combination]
    return []


# What autograd's errors mean in this loop (torch's own message names the tensor, not the mistake).
_AUTOGRAD_ERRORS = (
    ("backward through the graph a second time",
     "the state carried into the next chunk was never detached: backward() then reaches into the previous "
     "chunk's graph, which is already freed. Cut it after each chunk with state = tuple(s.detach() for s in "
     "state)"),
    ("modified by an inplace operation",
     "the weights changed between a forward pass and its backward(): either optimiser.step() comes before "
     "loss.backward() (zero_grad, backward, then step), or the state was never detached, so backward() reaches "
     "into an earlier chunk's graph, built with weights that have since been updated"),
)


@protect
def check_tbptt_loop(fn, report=print):
    """Check ``fn(model, optimiser, ids, B, T, steps) -> losses``, the truncated-BPTT training loop (Torch).

    ``model(ids (T, B), state) -> (logits (T, B, V), state)`` is a float64
    :class:`lstm_course.models.charlm.CharLSTM`, ``optimiser`` an SGD
    optimiser over its parameters, ``ids`` a (N,) LongTensor of characters.
    ``losses`` is a list of ``steps`` floats, one per optimiser step. The
    loop runs in a child process on its own copy of the model, with ``B = 3``
    streams, chunks of ``T = 4`` and ``steps = 7``, so that the streams run
    out once; its losses and final weights are compared with the reference
    (within 1e-10), and a mistake whose loop gives the same numbers is named.
    Never raises.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        report("TBPTT loop: this exercise needs PyTorch, which is not installed here.")
        return False
    if not callable(fn):
        report(f"TBPTT loop: expected a function, got {type(fn).__name__}.")
        return False
    hint = TBPTT_LOOP_HINTS.formula
    reference, weights = _run_variant()
    record, error = runner.run(_learner_loop, fn)
    if error is None and not isinstance(record, dict):
        error = runner.Failure("broken", message="the record of the call is malformed")
    if error is None and "raised" in record:
        error = runner.failure_from_record(record["raised"])
        if not_attempted(error):
            report("TBPTT loop: not attempted yet. Replace `raise NotImplementedError` with your code.\n"
                   f"Hint: {TBPTT_LOOP_HINTS.nudge}")
            return False
        message = str(getattr(error, "message", ""))
        for marker, text in _AUTOGRAD_ERRORS:
            if marker in message:
                report(f"TBPTT loop: {text}.\nHint: {hint}")
                return False
    if error is not None:
        report(f"TBPTT loop: {describe_error(error)}.\nHint: {hint}")
        return False
    if record.get("ids_changed"):
        report("TBPTT loop: your function modified `ids` in place. Build the streams as new tensors (reshape and "
               "slice), leaving the text as it was given.")
        return False
    losses, problem = _losses(record.get("out"))
    if problem is not None:
        report(f"TBPTT loop: {problem}.\nHint: {hint}")
        return False
    learner_weights = record.get("weights", {})
    if np.allclose(losses, reference, atol=1e-10, rtol=0) and all(
            np.allclose(learner_weights.get(name), value, atol=1e-10, rtol=0) for name, value in weights.items()):
        report(f"TBPTT loop: correct: {STEPS} steps over {B} streams in chunks of {T}, the state carried and "
               "detached, and a new epoch started afresh.")
        return True
    named = _named_mistakes(losses)
    if named:
        report(f"TBPTT loop: {'; and '.join(named)}.\nHint: {hint}")
        return False
    wrong = int(np.argmax(~np.isclose(losses, reference, atol=1e-10, rtol=0))) if not np.allclose(
        losses, reference, atol=1e-10, rtol=0) else None
    if wrong is None:
        report("TBPTT loop: every loss is right but the final weights are not: after the last backward(), take the "
               "last optimiser step, and change the weights in no other way (no extra clipping or decay).\n"
               f"Hint: {hint}")
    elif wrong == 0:
        report(f"TBPTT loop: the first loss is {losses[0]:.6f}, the reference {reference[0]:.6f}: the first chunk "
               "is data[0:T + 1] of the column streams, predicted from the state None with the mean cross-entropy."
               f"\nHint: {hint}")
    else:
        report(f"TBPTT loop: the losses agree up to step {wrong} and differ from step {wrong + 1} on ({losses[wrong]:.6f} "
               f"against {reference[wrong]:.6f}); this matches none of the common mistakes.\nHint: {hint}")
    return False


check_tbptt_loop.hints = TBPTT_LOOP_HINTS
