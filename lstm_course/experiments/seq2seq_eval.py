"""Training and evaluation helpers for the encoder–decoder experiments."""

import numpy as np
import torch

from ..data.numbers import BOS, EOS, PAD, encode_batch, words
from ..models.training import train


def edit_distance(a, b):
    """Levenshtein distance: substitutions, deletions and insertions, each costing 1."""
    previous = list(range(len(b) + 1))
    for j, ca in enumerate(a, 1):
        current = [j]
        for k, cb in enumerate(b, 1):
            current.append(min(previous[k] + 1, current[k - 1] + 1, previous[k - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(predicted, references):
    """Corpus character error rate: total edits / total reference characters (can exceed 1)."""
    edits = sum(edit_distance(p, r) for p, r in zip(predicted, references))
    return edits / max(sum(len(r) for r in references), 1)


def _batch(data, idx, device):
    src, src_lengths = encode_batch([words(data.train.sources[j]) for j in idx], data.src_vocab)
    tgt, _ = encode_batch([data.train.targets[j] for j in idx], data.tgt_vocab, bos_eos=True)
    return torch.tensor(src, device=device), src_lengths, torch.tensor(tgt, device=device)


def train_seq2seq(model, data, steps, batch_size, rng, device, progress, lr=5e-3):
    """Adam with teacher forcing, gradient-norm clipping at 1 and a linear decay over the second half."""
    N = len(data.train.numbers)

    def batches(step):
        return _batch(data, rng.choice(N, batch_size, replace=False), device)

    def loss_fn(model, src, src_lengths, tgt):
        logits, _ = model(src, src_lengths, tgt[:-1])  # teacher forcing: the true previous character
        return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), tgt[1:].reshape(-1),
                                                 ignore_index=PAD)

    model.train()
    return train(model, loss_fn, batches, steps, lr=lr, progress=progress, decay=True)


def beam_step(model, memory, device):
    """The ``step`` function of :func:`lstm_course.decoding.beam_search` for one encoded source.

    Parameters
    ----------
    model : lstm_course.models.seq2seq.Seq2Seq
    memory : dict
        ``model.encode``'s memory of one source: the summary (1, 2H), the others (S, 1, ...).
    device : str

    Returns
    -------
    callable
        ``step(tokens_last (K,), state) -> (log_probs (K, V) float64 on the CPU, new_state)``, the memory
        expanded to the K hypotheses.
    """
    def step(tokens_last, state):
        K = len(tokens_last)
        mem = {key: value.expand(K, -1) if key == "summary"
               else value.expand(value.shape[0], K, *value.shape[2:]) for key, value in memory.items()}
        logits, new_state, _ = model.step(torch.as_tensor(tokens_last, device=device), state, mem)
        return torch.log_softmax(logits, dim=1).double().cpu(), new_state

    return step


def greedy_decode(model, src_seqs, data, device, max_len=80, batch_size=250):
    """Batched greedy decoding, feeding back its own predictions.

    Returns
    -------
    predicted : list of str
    weights : ndarray (T, S, B) of the last batch, or None without attention
    logprobs : ndarray (B_total,), total log-probability of each output (up to EOS)
    """
    model.eval()
    predicted, logprobs, weights = [], [], None
    for begin in range(0, len(src_seqs), batch_size):
        chunk = src_seqs[begin:begin + batch_size]
        src, lengths = encode_batch(chunk, data.src_vocab)
        B = len(chunk)
        with torch.no_grad():
            memory, state = model.encode(torch.tensor(src, device=device), lengths)
            y = torch.full((B,), BOS, dtype=torch.long, device=device)
            done = torch.zeros(B, dtype=torch.bool, device=device)
            total = torch.zeros(B, dtype=torch.float64, device=device)
            out, alphas = [], []
            for _ in range(max_len):
                logits, state, alpha = model.step(y, state, memory)
                log_probs = torch.log_softmax(logits, dim=1)
                y = log_probs.argmax(dim=1)
                total += torch.where(done, 0.0, log_probs.gather(1, y[:, None])[:, 0].double())
                out.append(y)
                alphas.append(alpha)
                done |= y == EOS
                if bool(done.all()):
                    break
        tokens = torch.stack(out).cpu().numpy()  # (T, B)
        predicted += [data.tgt_vocab.decode(tokens[:, b]) for b in range(B)]
        logprobs.append(total.cpu().numpy())
        if alphas[0] is not None:
            weights = torch.stack(alphas).cpu().numpy()
    return predicted, weights, np.concatenate(logprobs)


def teacher_forced_accuracy(model, src_seqs, targets, data, device, batch_size=250):
    """Fraction of next characters (EOS included) predicted right when the true previous one is fed in."""
    model.eval()
    right = total = 0
    for begin in range(0, len(src_seqs), batch_size):
        src, lengths = encode_batch(src_seqs[begin:begin + batch_size], data.src_vocab)
        tgt, _ = encode_batch(targets[begin:begin + batch_size], data.tgt_vocab, bos_eos=True)
        tgt = torch.tensor(tgt, device=device)
        with torch.no_grad():
            logits, _ = model(torch.tensor(src, device=device), lengths, tgt[:-1])
        valid = tgt[1:] != PAD
        right += int(((logits.argmax(dim=2) == tgt[1:]) & valid).sum())
        total += int(valid.sum())
    return right / max(total, 1)


def free_running_accuracy(predicted, targets):
    """Fraction of target characters (and the end) that greedy decoding, feeding back its own
    predictions, gets right at the same position."""
    right = total = 0
    for p, t in zip(predicted, targets):
        right += sum(a == b for a, b in zip(p, t)) + (len(p) == len(t))
        total += len(t) + 1
    return right / max(total, 1)


END = "\x00"  # the end of a sequence, as a character that no target contains


def teacher_forced_predictions(model, src_seqs, targets, data, device, batch_size=250):
    """The most probable next character at every position of each target, given the true prefix.

    Returns
    -------
    list of str
        One string per target, ``len(target) + 1`` characters: the prediction at each position,
        the end (EOS) written as ``END`` (and any other special token as ``"\\x01"``).
    """
    model.eval()
    out = []
    for begin in range(0, len(src_seqs), batch_size):
        chunk = targets[begin:begin + batch_size]
        src, lengths = encode_batch(src_seqs[begin:begin + batch_size], data.src_vocab)
        tgt, _ = encode_batch(chunk, data.tgt_vocab, bos_eos=True)
        with torch.no_grad():
            logits, _ = model(torch.tensor(src, device=device), lengths, torch.tensor(tgt[:-1], device=device))
        best = logits.argmax(dim=2).cpu().numpy()  # (T, B)
        for b, target in enumerate(chunk):
            ids = best[: len(target) + 1, b]
            out.append("".join(END if k == EOS else data.tgt_vocab.chars[k] if k > EOS else "\x01" for k in ids))
    return out


def errors_after_first(predicted, forced, targets):
    """Errors after the first one, feeding back the model's own output against feeding in the true prefix.

    Until its first error, greedy decoding writes what teacher forcing predicts (the prefixes are
    the same). After it, ``own`` counts the edits between the rest of the greedy output and the rest
    of the target (alignment-based, so a shifted tail is not all wrong), ``true`` the teacher-forced
    errors at the same target positions, where the prefix is always the true one.

    Parameters
    ----------
    predicted : list of str
        (N,) greedy outputs.
    forced : list of str
        (N,) :func:`teacher_forced_predictions` of the same targets.
    targets : list of str
        (N,) the references.

    Returns
    -------
    dict
        ``first`` (N,) the first error's position (-1 for an exact output); ``own``, ``true`` (N,)
        the error counts after it (0 for an exact output); ``rest`` (N,) the target positions after
        it (EOS included); ``same_until_first`` whether each greedy output agrees with teacher forcing
        up to and including its first error (True for all but float ties).
    """
    first, own, true, rest, same = [], [], [], [], []
    for p, f, t in zip(predicted, forced, targets):
        P, T = p + END, t + END
        e = next((i for i, (a, b) in enumerate(zip(P, T)) if a != b), None)
        if e is None:
            first.append(-1), own.append(0), true.append(0), rest.append(0), same.append(True)
            continue
        first.append(e)
        own.append(edit_distance(P[e + 1:], T[e + 1:]))
        true.append(sum(a != b for a, b in zip(f[e + 1:], T[e + 1:])))
        rest.append(len(T) - e - 1)
        same.append(P[: e + 1] == f[: e + 1])
    return {"first": first, "own": own, "true": true, "rest": rest, "same_until_first": same}
