"""Checkers for the generative chapter: temperature sampling, and one truncated-BPTT step."""

import copy

import numpy as np

from ..sampling import probabilities
from . import runner
from ._harness import Hints, _text, describe_error, global_rng_leak, not_attempted, protect, type_name

SAMPLING_HINTS = Hints(
    nudge="turn the logits into probabilities at the given temperature (the chapter's sampling equation: a low "
          "temperature sharpens the distribution, a high one flattens it), then draw one index with the generator "
          "`rng` you are given. Return one int in [0, V).",
    formula="p = softmax(logits / temperature), with the maximum subtracted before exp; return the first index "
            "where the cumulative sum of p exceeds rng.random().")
_NOT_ATTEMPTED = "not attempted yet. Replace `raise NotImplementedError` with your code"


def _index(value, V):
    """A drawn symbol as an int: ``(k, None)`` or ``(None, problem)``; floats, bools, several values are refused."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item() if value.dtype.kind in "iu" else value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        return None, (f"returned {_text(value, 60)} ({type_name(value)}); return one integer index "
                      f"in [0, {V}), such as int(k)")
    if not 0 <= value < V:
        return None, f"returned {int(value)}, but indices must lie in [0, {V})"
    return int(value), None


def _draw(fn, logits, temperature, seed, n):
    """``n`` draws with one generator of seed ``seed``: ``(list, None)`` or ``(None, problem)``."""
    rng = np.random.default_rng(seed)  # one generator for the n calls, made in one child process
    results, error = runner.run_calls(fn, [(logits.copy(), temperature, rng) for _ in range(n)], send_args=False)
    draws = []
    for call in range(n):
        if call == len(results):
            if not_attempted(error):
                return None, _NOT_ATTEMPTED
            return None, f"{describe_error(error)} on call {call + 1} at temperature {temperature:g}"
        if results[call].global_rng:
            return None, global_rng_leak(results[call].global_rng, "use the generator `rng` you are given "
                                         "(rng.random(), rng.choice(...)), so that the same seed gives the same draws "
                                         "and the caller's own random numbers are left alone")
        k, problem = _index(results[call][0], len(logits))
        if problem:
            return None, f"at temperature {temperature:g} your function {problem}"
        draws.append(k)
    return draws, None


@protect
def check_sample_with_temperature(fn, report=print):
    """Check ``fn(logits (V,), temperature, rng) -> int`` by its properties.

    The properties: it returns an integer index in [0, V); it uses the
    generator it is given (same seed, same draws); temperature 0.01 gives the
    argmax; a huge temperature gives nearly uniform draws; at temperature 1
    and 0.5 the frequencies match the softmax of ``logits / temperature`` (a
    chi-square test). Every call of ``fn`` is stopped after
    ``_guard.TIME_LIMIT`` seconds. Never raises.
    """
    if not callable(fn):
        report(f"Sampling: expected a function, got {type(fn).__name__}.")
        return False
    logits = np.array([2.0, 1.0, 0.0, -1.0, 0.5])
    V = len(logits)
    # 30 draws: a sampler on NumPy's global state repeats 5 draws by chance about once in 250 runs, 30 never
    first, problem = _draw(fn, logits, 1.0, 0, 30)
    if problem is None:
        again, problem = _draw(fn, logits, 1.0, 0, 30)
        if problem is None and again != first:
            problem = ("two runs with generators of the same seed gave different draws. Use the `rng` you are "
                       "given (rng.random(), rng.choice(...)), never np.random.* or a generator of your own: "
                       "grading and reproducible sampling depend on it")
    if problem == _NOT_ATTEMPTED:
        report(f"Sampling: {problem}.\nHint: {SAMPLING_HINTS.nudge}")
        return False
    if problem is not None:
        report(f"Sampling: {problem}.\nHint: {SAMPLING_HINTS.formula}")
        return False
    # In the browser (no fork: runner.FORK is False) every call is converted in the page's one Python, about
    # 1 ms each in Pyodide: 4,000 draws per temperature took 9 s of the page's 10 s limit, so there it draws
    # 1,500, still far more than a wrong temperature needs to show in the chi-square.
    n = 4000 if runner.FORK else 1500

    def chi2(counts, temperature):
        expected = n * probabilities(logits, temperature)
        return float(np.sum((counts - expected) ** 2 / expected)), expected

    def frequencies_problem(temperature):
        draws, problem = _draw(fn, logits, temperature, 2, n)
        if problem is not None:
            return problem
        counts = np.bincount(np.asarray(draws, dtype=np.intp), minlength=V)
        score, expected = chi2(counts, temperature)
        if score > 25.0:  # chi-square with 4 degrees of freedom: P(chi2 > 25) < 1e-4
            what = "nearly uniform" if temperature > 100 else f"softmax(logits / {temperature:g})"
            problem = (f"at temperature {temperature:g} the frequencies {(counts / n).round(3).tolist()} do not "
                       f"match {what} = {(expected / n).round(3).tolist()} (chi-square {score:.0f} > 25)")
            if temperature != 1.0 and chi2(counts, 1.0)[0] <= 25.0:
                problem += (": they match temperature 1, so your function ignores the temperature (divide the "
                            "logits by it)")
            elif temperature != 1.0 and chi2(counts, 1 / temperature)[0] <= 25.0:
                problem += (f": they match temperature {1 / temperature:g}, so you multiplied the logits by the "
                            "temperature instead of dividing")
        return problem

    problem = frequencies_problem(1.0) or frequencies_problem(0.5)
    if problem is None:
        greedy, problem = _draw(fn, logits, 0.01, 1, 50)
        if problem is None and set(greedy) != {int(logits.argmax())}:
            problem = (f"at temperature 0.01 the draws should always be the argmax ({int(logits.argmax())}); "
                       f"got {sorted(set(greedy))}")
        if problem is None:  # logits / temperature = 2000: exp() overflows unless the maximum is subtracted first
            large = 10 * logits[::-1]  # (the argmax last: a NaN cumulative sum tends to give index 0)
            greedy, problem = _draw(fn, large, 0.01, 1, 20)
            if problem is None and set(greedy) != {int(large.argmax())}:
                problem = (f"with the logits {large.tolist()} at temperature 0.01 the draws should always be the "
                           f"argmax ({int(large.argmax())}); got {sorted(set(greedy))}")
            if problem is not None:
                problem += (". exp(logits / temperature) overflows to inf (exp(2000)): subtract the largest "
                            "logit / temperature before exponentiating")
    problem = problem or frequencies_problem(1e4)
    if problem is not None:
        report(f"Sampling: {problem}.\nHint: {SAMPLING_HINTS.formula}")
        return False
    report("Sampling: correct: it follows the generator, is greedy as tau -> 0, uniform as tau grows, "
           "and matches the softmax in frequency.")
    return True


check_sample_with_temperature.hints = SAMPLING_HINTS


def _reference_step(model, chunk, state):
    import torch

    logits, new_state = model(chunk[:-1], state)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))
    return loss, tuple(s.detach() for s in new_state)


def _loss_problem(loss):
    """What is wrong with the returned loss (plain data: a :class:`runner.TensorInfo` for a tensor), or None."""
    if isinstance(loss, (float, int, np.floating, np.integer)):
        return ("the loss is a plain number: return the loss tensor itself (no .item() or float()), so that the "
                "training loop can call loss.backward() on it")
    if not isinstance(loss, runner.TensorInfo):
        return f"the loss must be a torch tensor; got {type_name(loss)}"
    if loss.shape != ():
        return (f"the loss must be one number, a tensor of shape (); got shape {tuple(loss.shape)}: average over "
                "every predicted character (cross_entropy's default reduction='mean')")
    if loss.dtype != "float64":
        return f"the loss is {loss.dtype}; the model is float64: do not cast it"
    if not loss.has_grad_fn:
        return ("the loss carries no gradient (detached, or rebuilt from a number): return the tensor "
                "cross_entropy gave you, so that the training loop can call loss.backward()")
    if loss.values is None or np.isnan(loss.values).any():
        return "the loss is NaN"
    return None


def _state_problem(new_state, expected):
    if not isinstance(new_state, (tuple, list)) or len(new_state) != 2:
        got = f"a {type(new_state).__name__} of {len(new_state)}" if isinstance(new_state, (tuple, list)) else \
            type_name(new_state)
        return (f"new_state must be the (h, c) pair the model returned, so that the next chunk starts where this "
                f"one ended; got {got}")
    for name, s, e in zip(("h", "c"), new_state, expected):
        if not isinstance(s, runner.TensorInfo):
            return f"new_state's {name} must be a tensor; got {type_name(s)}"
        if s.requires_grad or s.has_grad_fn:
            return ("the state you return was never detached: it still carries the whole graph of this chunk, so "
                    "the next backward pass would reach into (or fail on) earlier chunks and memory grows with "
                    "every step. Return tuple(s.detach() for s in new_state)")
        if tuple(s.shape) != tuple(e.shape) or s.dtype != "float64" or s.values is None:
            return (f"new_state's {name} has shape {tuple(s.shape)} and dtype {s.dtype};"
                    f" expected {tuple(e.shape)} float64, as the model returns it")
        if not np.allclose(s.values, e.numpy(), atol=1e-10, rtol=0):
            return (f"new_state's {name} is not the state the model reached at the end of this chunk: return the "
                    "state the model gave back (detached), not a reset or modified one")
    return None


def _learner_chunks(fn, model, chunks, states, weights):
    """In the child: ``fn`` on each chunk, with what the parent checks about each call (plain data)."""
    import torch

    records = []
    for chunk, state in zip(chunks, states):
        given = chunk.clone()
        try:
            out = fn(model, given, None if state is None else tuple(s.clone() for s in state))
        except KeyboardInterrupt:
            raise
        except BaseException as error:  # noqa: BLE001  (described for the parent)
            records.append({"raised": runner.exception_record(error)})
            break
        records.append({"out": out, "grads": any(p.grad is not None for p in model.parameters()),
                        "changed": [name for name, value in model.state_dict().items()
                                    if not torch.equal(value, weights[name])],
                        "chunk_changed": not (given.shape == chunk.shape and torch.equal(given, chunk))})
    return records


@protect
def check_tbptt_step(fn, report=print):
    """Check ``fn(model, chunk, state) -> (loss, new_state)``, one step of truncated BPTT (Torch).

    ``model(ids, state) -> (logits, state)`` is a
    :class:`lstm_course.models.charlm.CharLSTM`; ``chunk`` is a (T + 1, B)
    LongTensor; ``state`` the ``(h, c)`` carried from the previous chunk, or
    None at the start. ``loss`` is the mean cross-entropy, a float64 scalar
    tensor with its graph (the training loop, not ``fn``, calls
    ``backward()``); the returned state must carry the values forward (no
    reset) but no gradient history (detached), and ``chunk`` must be left as
    it is. The learner's function runs in a child process on its own copy of
    the model; the reference is computed here. Never raises.
    """
    try:
        import torch

        from ..models.charlm import CharLSTM
    except ImportError:
        report("TBPTT step: this exercise needs PyTorch, which is not installed here.")
        return False
    if not callable(fn):
        report(f"TBPTT step: expected a function, got {type(fn).__name__}.")
        return False
    torch.manual_seed(0)
    model = CharLSTM(5, 4).double()
    learner_model = copy.deepcopy(model)
    weights = {name: value.clone() for name, value in model.state_dict().items()}
    gen = torch.Generator().manual_seed(0)
    chunks = [torch.randint(0, 5, (7, 2), generator=gen) for _ in range(3)]
    hint = TBPTT_HINTS.formula
    references, states, state = [], [None], None
    for chunk in chunks:  # the reference, and the state each chunk is given, before any learner code runs
        ref_loss, state = _reference_step(model, chunk, state)
        references.append((float(ref_loss.detach()), state))
        states.append(state)
    records, error = runner.run(_learner_chunks, fn, learner_model, chunks, states[:-1], weights)
    if error is None and not (isinstance(records, list) and all(isinstance(r, dict) for r in records)):
        error = runner.Failure("broken", message="the records of the calls are malformed")
    if error is not None:
        report(f"TBPTT step: {describe_error(error)}.\nHint: {hint}")
        return False
    for n, record in enumerate(records):
        if "raised" in record:
            error = runner.failure_from_record(record["raised"])
            if not_attempted(error):
                report(f"TBPTT step: not attempted yet. Replace `raise NotImplementedError` with your code.\n"
                       f"Hint: {TBPTT_HINTS.nudge}")
                return False
            report(f"TBPTT step: {describe_error(error)} (chunk {n + 1}).\nHint: {hint}")
            return False
        if record["grads"]:
            report("TBPTT step: your function called backward() (the model's parameters now hold gradients). "
                   "The training loop calls loss.backward() itself, once, after your step: return the loss "
                   "without calling backward().")
            return False
        if record["changed"]:
            report(f"TBPTT step: your function changed the model's weights ({', '.join(map(str, record['changed']))})"
                   ". One step computes the loss and the new state; updating the weights is the optimiser's job, "
                   "after backward().")
            return False
        if record["chunk_changed"]:
            report(f"TBPTT step: your function modified its input chunk in place (chunk {n + 1}). The training loop "
                   "still needs the original ids: compute new tensors instead of writing into the arguments.")
            return False
        out = record["out"]
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            got = f"{len(out)} values" if isinstance(out, (tuple, list)) else type_name(out)
            report(f"TBPTT step: return a pair (loss, new_state); got {got}.\nHint: {hint}")
            return False
        loss, new_state = out
        ref_loss, state = references[n]
        problem = _loss_problem(loss)
        if problem is None and not np.allclose(loss.values, ref_loss, atol=1e-10, rtol=0):
            if n > 0:
                problem = ("the first chunk is right but a later one is not: the state was reset by mistake (or not "
                           "used). Truncated BPTT cuts the gradient at the chunk boundary but keeps the values: run "
                           "the model from the state you were given")
            else:
                problem = (f"the loss of the first chunk is {float(loss.values):.6f}, the reference {ref_loss:.6f}: "
                           "predict chunk[1:] from chunk[:-1] with the mean cross-entropy")
        problem = problem or _state_problem(new_state, state)
        if problem is not None:
            report(f"TBPTT step: {problem} (chunk {n + 1}).\nHint: {hint}")
            return False
    if len(records) != len(chunks):
        report(f"TBPTT step: its result could not be read back.\nHint: {hint}")
        return False
    report(f"TBPTT step: correct on {len(chunks)} consecutive chunks: the state is carried and detached.")
    return True


TBPTT_HINTS = Hints(
    nudge="one chunk of truncated BPTT (the chapter's training loop): predict each next character of the chunk, "
          "starting from the state you are given, and return the mean loss (a tensor, with its graph) and the "
          "state for the next chunk. What must that state keep from this chunk, and what must it lose?",
    formula="logits and new_state come from the model run on chunk[:-1] from `state`; the loss is the mean "
            "cross-entropy of those logits against chunk[1:]; return (loss, new_state with every tensor "
            "detached), and leave backward() to the training loop.")
check_tbptt_step.hints = TBPTT_HINTS
