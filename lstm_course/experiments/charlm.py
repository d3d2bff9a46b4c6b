"""Train a character-level LSTM on a real corpus for a fixed number of steps, with truncated BPTT.

The training text is cut into B parallel streams; each step reads the next
chunk of T characters of every stream, starting from the state the previous
chunk ended in (detached: truncated BPTT). Progress (loss, bits/char,
characters/s) goes to ``progress``; a checkpoint is written regularly and on
Ctrl-C, so a stopped run keeps what it learned.
"""

import math
import time

import numpy as np
import torch

from ..data.corpus import load_corpus, ngram_bits_per_char
from ..checkpoint import check_checkpoint_path, save_checkpoint
from ..models.charlm import CharLSTM
from ..models.training import detach, train_step
from ..progress import Progress, bar
from ..sampling import sample
from .running import one_thread

LN2 = math.log(2)
CURVE_TEMPERATURE = 0.7  # the temperature of the sample stored at each point of the validation curve
SAMPLE_TEMPERATURES = (0.3, 0.7, 1.0)  # the samples a full run stores, each primed with "def "
CURVE_CHARACTERS = 32_768  # the validation curve reads this prefix of the validation text (the final value reads all)
FULL_STEPS = 1200  # the saved full run's step budget (about 2-3 minutes on 2 CPU cores with the twin)
QUICK_STEPS = 40  # --quick: seconds
# How far a rerun of the full run on another CPU may move each headline metric (absolute), for `reproduce`:
# 3 seed-to-seed sd of book/results/charlm-seeds.json (lstm_course.experiments.seeds.tolerances, seeds 1-4 on an
# AVX2 CPU: 0.1445 and 0.0412), rounded up to 2 significant digits; tests/test_evidence_seeds.py checks them.
TOLERANCES = {"val_bpc": 0.15, "val_over_bigram": 0.042}


def streams(ids, B):
    """Cut ``ids`` (N,) into B contiguous streams: (N // B, B)."""
    n = len(ids) // B
    return ids[:n * B].reshape(B, n).T.copy()


def _check_fits(data, B, T, B_val=16):
    """Training needs one chunk of T + 1 characters in each of B streams; validation two per stream."""
    if len(data.train) < B * (T + 1):
        raise ValueError(f"the corpus is too short: training needs at least B * (T + 1) = {B * (T + 1):,} "
                         f"characters ({B} streams of {T + 1}); its training part has {len(data.train):,}")
    if len(data.validation) < 2 * B_val:
        raise ValueError(f"the corpus is too short: validation needs at least {2 * B_val} characters "
                         f"(its last 10%); it has {len(data.validation):,}")


@torch.no_grad()
def bits_per_char(net, ids, device, B=16, T=256):
    """Mean validation bits per character, reading ``ids`` in B streams with the state carried along."""
    net.eval()
    data = torch.as_tensor(streams(ids, B), device=device)
    total, count, state = 0.0, 0, None
    for start in range(0, data.shape[0] - 1, T):
        chunk = data[start:start + T + 1]
        logits, state = net(chunk[:-1], state)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, net.V), chunk[1:].reshape(-1), reduction="sum")
        total, count = total + loss.item(), count + chunk[1:].numel()
    net.train()
    return total / count / LN2


@torch.no_grad()
def generate(net, vocab, prime, length, temperature, rng, device="cpu"):
    """Run ``net`` over ``prime``, then feed it its own draws for ``length`` characters; return the text."""
    net.eval()
    logits, state = net(torch.as_tensor(vocab.encode(prime)[:, None], device=device))
    out = []
    for _ in range(length):
        k = int(sample(logits[-1].double().cpu().numpy(), rng, temperature)[0])  # (1, V) -> one id
        out.append(k)
        logits, state = net(torch.tensor([[k]], device=device), state)  # the draw is the next input
    net.train()
    return prime + vocab.decode(out)


PRIMES = {"shakespeare": "HAMLET:\n"}  # the prime of a named corpus other than the book's Python one


def sample_prime(vocab, validation, preferred="def "):
    """The text that primes the stored samples: ``preferred`` if ``vocab`` can encode it, else the validation text's start.

    Parameters
    ----------
    vocab : Vocabulary
        The corpus's characters.
    validation : np.ndarray
        (N_val,) validation ids; its first ``len(preferred)`` characters are the fallback
        (a corpus of DNA or Greek has no ``d``, ``e`` or ``f``).
    preferred : str, optional
        The prime of the book's Python corpus.

    Returns
    -------
    str
        A prime every character of which ``vocab`` encodes.
    """
    if set(preferred) <= set(vocab.chars):
        return preferred
    return vocab.decode(validation[:len(preferred)])


def _evaluation_seconds(net, data, device, curve_points, samples):
    """About how long the evaluation after training takes: timed on one validation read and one generated character."""
    probe = data.validation[:min(len(data.validation), 16 * 257)]
    start = time.perf_counter()
    bits_per_char(net, probe, device)
    per_char = (time.perf_counter() - start) / len(probe)
    start = time.perf_counter()
    generate(net, data.vocab, data.vocab.decode(data.validation[:1]), 5, 1.0, np.random.default_rng(0), device)
    per_draw = (time.perf_counter() - start) / 6
    curve = (curve_points + 1) * min(CURVE_CHARACTERS, len(data.validation)) if curve_points else 0
    return per_char * (len(data.validation) + curve) + per_draw * 204 * len(samples)


def train_charlm(minutes=None, corpus="stdlib", device="cpu", seed=0, H=256, T=100, B=32, lr=1e-2, max_norm=1.0,
                 checkpoint=None, progress=print, steps=None, curve_points=0, samples=(), backend="twin",
                 max_steps=None):
    """Train for ``steps`` steps (or ``minutes``); return the metrics dict (see the book's generative chapter).

    A run is defined by its step budget ``steps`` (``FULL_STEPS`` when neither
    ``steps`` nor ``minutes`` is given), so that the same call gives the same
    numbers on any machine up to floating-point noise. ``minutes`` is a wall-clock
    budget for the whole call, evaluation included: training stops early enough
    for the (timed beforehand) evaluation to fit. With both, training stops at
    whichever comes first. The metrics record the ``steps`` done.

    ``curve_points`` > 0 also records the validation bits/char on the first
    ``CURVE_CHARACTERS`` validation characters that many times during training,
    at equal step intervals (equal training-time intervals under ``minutes``
    alone): ``val_curve_steps``, ``val_curve_bpc`` and ``val_curve_seconds`` (training time,
    validation excluded). ``samples`` (temperatures) stores one 200-character sample per
    temperature, primed with ``"def "`` (``PRIMES`` names the prime of another named corpus), or with the
    validation text's first four characters for a corpus that cannot encode it (:func:`sample_prime`;
    ``sample_prime`` in the metrics); with a curve as well, ``val_curve_samples`` holds one 200-character
    sample at ``CURVE_TEMPERATURE`` from each point of the curve (drawn from its own generator, so the
    training is the same with or without them).
    ``backend`` runs the LSTM: our Torch twin (default) or ``"nn"`` (``torch.nn.LSTM``).
    ``max_steps`` is the older name of ``steps``.

    Raises ``ValueError`` before any training for a checkpoint path that is a
    directory or the corpus, a ``steps`` that is not a positive integer, a ``minutes``
    that is not a positive number, and a corpus too short for one chunk of B
    streams or for validation.
    """
    called = time.perf_counter()
    if max_steps is not None:
        if steps is not None:
            raise ValueError(f"give steps or its older name max_steps, not both; got {steps!r} and {max_steps!r}")
        steps = max_steps
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1):
        raise ValueError(f"steps must be a positive integer; got {steps!r}")
    if minutes is not None and (isinstance(minutes, bool) or not isinstance(minutes, (int, float))
                                or not math.isfinite(minutes) or minutes <= 0):
        raise ValueError(f"minutes must be a positive number; got {minutes!r}")
    if steps is None and minutes is None:
        steps = FULL_STEPS
    if checkpoint:
        check_checkpoint_path(checkpoint, corpus)
    rng = np.random.default_rng(seed)
    data = load_corpus(corpus)
    _check_fits(data, B, T)
    # checked before training: a sample never fails after it
    prime = sample_prime(data.vocab, data.validation, PRIMES.get(corpus, "def "))
    baselines = ngram_bits_per_char(data)
    progress(data.description)
    from ..numpy_impl.charlm import init_charlm

    net = CharLSTM.from_tree(init_charlm(len(data.vocab), H, rng, forget_bias=1.0), backend).to(device)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    train_streams = torch.as_tensor(streams(data.train, B), device=device)
    meta = {"num_layers": 1, "hidden_size": H, "corpus": corpus, "description": data.description}
    if minutes is not None:  # the whole call fits in minutes: leave room for the evaluation after training
        evaluation = _evaluation_seconds(net, data, device, curve_points, samples)
        train_seconds = max(0.0, minutes * 60 - (time.perf_counter() - called) - evaluation)
    else:
        train_seconds = math.inf
    state, step, position, start, last_report = None, 0, 0, time.perf_counter(), time.perf_counter()
    losses, last_save = [], time.perf_counter()
    interrupted, ticked = False, start
    by_steps = steps is not None
    if by_steps:
        advance = bar(progress, steps, f"charlm, {steps} steps", unit="step")
    else:
        advance = bar(progress, train_seconds, f"charlm, {minutes:g} min", unit="s")
    curve = {"val_curve_seconds": [], "val_curve_steps": [], "val_curve_bpc": []}
    interval = (steps if by_steps else train_seconds) / curve_points if curve_points else math.inf
    next_point = interval
    try:
        if curve_points:  # the untrained model: about the uniform baseline (inside try: Ctrl-C is safe here too)
            first = bits_per_char(net, data.validation[:CURVE_CHARACTERS], device)
            for key, value in zip(curve, (0.0, 0, first)):
                curve[key].append(value)
            if samples:
                curve["val_curve_samples"] = [
                    generate(net, data.vocab, prime, 200, CURVE_TEMPERATURE, np.random.default_rng(seed), device)]
            start = ticked = time.perf_counter()
        while time.perf_counter() - start < train_seconds and (steps is None or step < steps):
            if position + T + 1 > train_streams.shape[0]:
                position, state = 0, None  # a new epoch starts the streams afresh
            chunk = train_streams[position:position + T + 1]
            logits, state = net(chunk[:-1], state)
            state = detach(state)  # truncated BPTT: carry the values, cut the gradient
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, net.V), chunk[1:].reshape(-1))
            losses.append(train_step(net, optimiser, loss, max_norm))
            position, step = position + T, step + 1
            now = time.perf_counter()
            advance(1 if by_steps else now - ticked, bits_per_char=loss.item() / LN2)
            ticked = now
            if now - last_report > 5 and not isinstance(progress, Progress):
                rate = step * T * B / (now - start)
                budget = f"{step}/{steps} steps" if by_steps else f"{now - start:5.0f}/{train_seconds:.0f} s"
                progress(f"step {step:5d}  loss {loss.item():.3f} nats  {loss.item() / LN2:.3f} bits/char  "
                         f"{rate:,.0f} chars/s  {budget}")
                last_report = now
            if (step if by_steps else now - start) >= next_point:  # a point of the validation curve, off the clock
                curve["val_curve_seconds"].append(now - start)
                curve["val_curve_steps"].append(step)
                curve["val_curve_bpc"].append(bits_per_char(net, data.validation[:CURVE_CHARACTERS], device))
                if samples:  # what the model writes at this point of training (its own generator: training unchanged)
                    curve.setdefault("val_curve_samples", []).append(
                        generate(net, data.vocab, prime, 200, CURVE_TEMPERATURE, np.random.default_rng(seed), device))
                start += time.perf_counter() - now
                ticked = time.perf_counter()  # the bar counts training time only, as the clock does
                next_point += interval
            if checkpoint and now - last_save > 30:
                save_checkpoint(checkpoint, net.to_tree(), data.vocab.chars, {**meta, "steps": step})
                last_save = now
    except KeyboardInterrupt:
        interrupted = True
        advance.close()
        progress("interrupted: saving the last checkpoint")
    advance.close()
    seconds = time.perf_counter() - start
    if checkpoint:
        save_checkpoint(checkpoint, net.to_tree(), data.vocab.chars, {**meta, "steps": step})
        progress(f"checkpoint: {checkpoint}")
    progress(f"evaluating: bits/char on all {len(data.validation):,} validation characters"
             + (f", then {len(samples)} samples" if samples else ""))
    val_bpc = bits_per_char(net, data.validation, device)
    if curve_points and curve["val_curve_steps"][-1:] != [step]:  # the end point, unless just measured
        curve["val_curve_seconds"].append(seconds)
        curve["val_curve_steps"].append(step)
        curve["val_curve_bpc"].append(bits_per_char(net, data.validation[:CURVE_CHARACTERS], device))
        if samples:
            curve.setdefault("val_curve_samples", []).append(
                generate(net, data.vocab, prime, 200, CURVE_TEMPERATURE, np.random.default_rng(seed), device))
    extra = {**curve, "val_curve_characters": CURVE_CHARACTERS} if curve_points else {}
    if samples:
        extra["sample_prime"], extra["sample_temperatures"] = prime, list(samples)
        extra["samples"] = [generate(net, data.vocab, prime, 200, tau, np.random.default_rng(seed), device)
                            for tau in samples]
    return {"val_bpc": val_bpc, **baselines, "val_over_bigram": val_bpc / baselines["bigram_bpc"],
            "steps": step, "step_budget": steps, "minutes": minutes, "seed": seed,
            "chars_per_second": step * T * B / max(seconds, 1e-9), "seconds": seconds,
            "train_loss_last_100": float(np.mean(losses[-100:])) / LN2 if losses else None,
            "hidden_size": H, "chunk": T, "batch_size": B, "vocabulary": len(data.vocab), "interrupted": interrupted,
            "backend": backend, **extra}


@one_thread  # the same reduction order on any machine, and no second thread waiting on a shared CPU
def run(quick=False, seed=0, device="cpu", progress=print, minutes=None, corpus="stdlib", checkpoint=None,
        backend="twin", steps=None):
    """``python -m lstm_course run charlm``: :func:`train_charlm` for ``steps`` steps or ``minutes``.

    With neither, the step budget is ``FULL_STEPS`` (``QUICK_STEPS`` with ``quick``, which
    also shrinks the model to 64 units): the saved run is defined by its steps, not by the
    machine's speed. ``minutes`` bounds the whole command's wall time instead (or as well).
    """
    if steps is None and minutes is None:
        steps = QUICK_STEPS if quick else FULL_STEPS
    metrics = train_charlm(minutes=minutes, corpus=corpus, device=device, seed=seed,
                           H=64 if quick else 256, checkpoint=checkpoint, progress=progress, steps=steps,
                           curve_points=2 if quick else 6, samples=SAMPLE_TEMPERATURES, backend=backend)
    line = losing_to_a_baseline(metrics, corpus)
    if line:
        progress(line)
    return metrics


def losing_to_a_baseline(metrics, corpus="stdlib"):
    """One line when the run's validation bits/char are worse than a count baseline's, else None.

    The unigram and bigram tables need no training; an LSTM stopped after a few
    steps has not yet learnt what they count. The line says so and names the
    saved full run, which is far below both.
    """
    if not all(key in metrics for key in ("val_bpc", "unigram_bpc", "bigram_bpc", "steps")):
        return None
    worse = [name for name in ("unigram", "bigram") if metrics["val_bpc"] > metrics[f"{name}_bpc"]]
    if not worse:
        return None
    name = "charlm" if corpus == "stdlib" else f"charlm-{corpus}"
    return (f"this run loses to the {worse[0]} baseline: {metrics['val_bpc']:.3f} bits/char against "
            f"{metrics[worse[0] + '_bpc']:.3f}, after {metrics['steps']:,} steps. That is too little training for "
            f"the LSTM to learn even what a {worse[0]} table counts; the saved full run ({FULL_STEPS:,} steps) is "
            f"book/results/{name}.json (`python -m lstm_course reproduce {name}` reruns it).")
