"""Train a character-level LSTM on a real corpus for a fixed time, with truncated BPTT.

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

LN2 = math.log(2)
SAMPLE_TEMPERATURES = (0.3, 0.7, 1.0)  # the samples a full run stores, each primed with "def "
CURVE_CHARACTERS = 32_768  # the validation curve reads this prefix of the validation text (the final value reads all)


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


def train_charlm(minutes=2.0, corpus="stdlib", device="cpu", seed=0, H=256, T=100, B=32, lr=1e-2, max_norm=1.0,
                 checkpoint=None, progress=print, max_steps=None, curve_points=0, samples=(), backend="twin"):
    """Train for ``minutes`` of wall-clock time; return the metrics dict (see the book's generative chapter).

    ``curve_points`` > 0 also records the validation bits/char on the first
    ``CURVE_CHARACTERS`` validation characters that many times during training
    (the clock pauses while it is measured): ``val_curve_seconds``,
    ``val_curve_steps``, ``val_curve_bpc``. ``samples`` (temperatures) stores
    one 200-character sample per temperature, primed with ``"def "``. ``backend`` runs the LSTM:
    our Torch twin (default) or ``"nn"`` (``torch.nn.LSTM``).

    Raises ``ValueError`` before any training for a checkpoint path that is a
    directory or the corpus, and for a corpus too short for one chunk of B
    streams or for validation.
    """
    if checkpoint:
        check_checkpoint_path(checkpoint, corpus)
    rng = np.random.default_rng(seed)
    data = load_corpus(corpus)
    _check_fits(data, B, T)
    baselines = ngram_bits_per_char(data)
    progress(data.description)
    from ..numpy_impl.charlm import init_charlm

    net = CharLSTM.from_tree(init_charlm(len(data.vocab), H, rng, forget_bias=1.0), backend).to(device)
    optimiser = torch.optim.Adam(net.parameters(), lr=lr)
    train_streams = torch.as_tensor(streams(data.train, B), device=device)
    meta = {"num_layers": 1, "hidden_size": H, "corpus": corpus, "description": data.description}
    state, step, position, start, last_report = None, 0, 0, time.perf_counter(), time.perf_counter()
    losses, last_save = [], time.perf_counter()
    interrupted, ticked = False, start
    advance = bar(progress, minutes * 60, f"charlm, {minutes:g} min", unit="s")
    curve = {"val_curve_seconds": [], "val_curve_steps": [], "val_curve_bpc": []}
    next_point = minutes * 60 / curve_points if curve_points else math.inf
    try:
        if curve_points:  # the untrained model: about the uniform baseline (inside try: Ctrl-C is safe here too)
            first = bits_per_char(net, data.validation[:CURVE_CHARACTERS], device)
            for key, value in zip(curve, (0.0, 0, first)):
                curve[key].append(value)
            start = ticked = time.perf_counter()
        while time.perf_counter() - start < minutes * 60 and (max_steps is None or step < max_steps):
            if position + T + 1 > train_streams.shape[0]:
                position, state = 0, None  # a new epoch starts the streams afresh
            chunk = train_streams[position:position + T + 1]
            logits, state = net(chunk[:-1], state)
            state = detach(state)  # truncated BPTT: carry the values, cut the gradient
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, net.V), chunk[1:].reshape(-1))
            losses.append(train_step(net, optimiser, loss, max_norm))
            position, step = position + T, step + 1
            now = time.perf_counter()
            advance(now - ticked, bits_per_char=loss.item() / LN2)
            ticked = now
            if now - last_report > 5 and not isinstance(progress, Progress):
                rate = step * T * B / (now - start)
                progress(f"step {step:5d}  loss {loss.item():.3f} nats  {loss.item() / LN2:.3f} bits/char  "
                         f"{rate:,.0f} chars/s  {now - start:5.0f}/{minutes * 60:.0f} s")
                last_report = now
            if now - start >= next_point:  # a point of the validation curve, off the training clock
                curve["val_curve_seconds"].append(now - start)
                curve["val_curve_steps"].append(step)
                curve["val_curve_bpc"].append(bits_per_char(net, data.validation[:CURVE_CHARACTERS], device))
                start += time.perf_counter() - now
                ticked = time.perf_counter()  # the bar counts training time only, as the clock does
                next_point += minutes * 60 / curve_points
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
    val_bpc = bits_per_char(net, data.validation, device)
    if curve_points and curve["val_curve_steps"][-1:] != [step]:  # the end point, unless just measured
        curve["val_curve_seconds"].append(seconds)
        curve["val_curve_steps"].append(step)
        curve["val_curve_bpc"].append(bits_per_char(net, data.validation[:CURVE_CHARACTERS], device))
    extra = {**curve, "val_curve_characters": CURVE_CHARACTERS} if curve_points else {}
    if samples:
        extra["sample_prime"], extra["sample_temperatures"] = "def ", list(samples)
        extra["samples"] = [generate(net, data.vocab, "def ", 200, tau, np.random.default_rng(seed), device)
                            for tau in samples]
    return {"val_bpc": val_bpc, **baselines, "val_over_bigram": val_bpc / baselines["bigram_bpc"],
            "steps": step, "chars_per_second": step * T * B / max(seconds, 1e-9), "seconds": seconds,
            "train_loss_last_100": float(np.mean(losses[-100:])) / LN2 if losses else None,
            "hidden_size": H, "chunk": T, "batch_size": B, "vocabulary": len(data.vocab), "interrupted": interrupted,
            "backend": backend, **extra}


def run(quick=False, seed=0, device="cpu", progress=print, minutes=None, corpus="stdlib", checkpoint=None,
        backend="twin"):
    """``python -m lstm_course run charlm``: :func:`train_charlm` for ``minutes`` (2, or 0.1 with ``quick``)."""
    if minutes is None:
        minutes = 0.1 if quick else 2.0
    return train_charlm(minutes=minutes, corpus=corpus, device=device, seed=seed,
                        H=64 if quick else 256, checkpoint=checkpoint, progress=progress,
                        curve_points=2 if quick else 6, samples=SAMPLE_TEMPERATURES, backend=backend)
