"""``python -m lstm_course run translate-bible``: chapters 11 and 12's encoder–decoder on real sentences.

English verses of the World English Bible into the French of Louis Segond 1910
(:mod:`lstm_course.realdata.bible`), word by word: verses of at most ``MAX_TOKENS`` (20) tokens on both sides,
whole books held out for the test. The encoder–decoder is chapter 11's (:class:`~lstm_course.models.seq2seq.Seq2Seq`,
a bidirectional LSTM encoder and an LSTM decoder), with and without attention, trained from the same seeds for
the same steps. Scored by corpus BLEU (the course's :func:`~lstm_course.bleu.corpus_bleu`, with sacrebleu's
figure beside it) and sacrebleu's chrF, greedy and with beam search, against a baseline that translates a test
verse by the French of the training verse most like it.
"""

from collections import Counter

import numpy as np
import torch

from ..bleu import corpus_bleu
from ..data.numbers import BOS, EOS, PAD, Vocab, encode_batch
from ..decoding import beam_search
from ..models.seq2seq import Seq2Seq
from ..models.training import train
from ..realdata import bible
from .running import one_thread
from .seq2seq_eval import beam_step, greedy_decode

MAX_TOKENS = 20  # both sides: the verses a small model on two CPU cores can learn in minutes
MIN_COUNT = 3  # a training word seen once or twice becomes <unk>
UNK = "<unk>"
LENGTH_BANDS = ((1, 10), (11, 15), (16, 20))  # source tokens
BEAM_EVERY = 3  # every third test verse (all books) is decoded again with beam search, greedy on the same beside it


NEAR_COPY = 0.8  # a test verse whose English word set overlaps a training verse's this much (Jaccard) is dropped


def near_copies(test_sources, train_sources, threshold=NEAR_COPY):
    """Indices of the test sources whose word set has a Jaccard overlap of ``threshold`` or more with some
    training source (an exact repeat included): verses that another book retells nearly word for word.

    Parameters
    ----------
    test_sources, train_sources : list of list of str

    Returns
    -------
    set of int
    """
    by_word = {}
    train_sets = [set(s) for s in train_sources]
    for j, words in enumerate(train_sets):
        for w in words:
            by_word.setdefault(w, []).append(j)
    found = set()
    for i, source in enumerate(test_sources):
        words, shared = set(source), Counter()
        for w in words:
            shared.update(by_word.get(w, ()))
        if any(n / len(words | train_sets[j]) >= threshold for j, n in shared.items()):
            found.add(i)
    return found


class Corpus:
    """Tokenised, filtered splits and the two vocabularies (rare training words mapped to ``<unk>``).

    The test split loses every verse that nearly repeats a training verse (:func:`near_copies`); how many is
    ``dropped_near_copies``.
    """

    def __init__(self, max_tokens=MAX_TOKENS, min_count=MIN_COUNT, limit=None):
        parts = bible.split(bible.pairs())
        self.splits = {}
        for name, verses in parts.items():
            kept = [(bible.tokens(v.english), bible.tokens(v.french), v) for v in verses]
            kept = [k for k in kept if 0 < len(k[0]) <= max_tokens and 0 < len(k[1]) <= max_tokens]
            self.splits[name] = kept[:limit] if limit else kept
        train_pairs = self.splits["train"]
        copies = near_copies([s for s, _, _ in self.splits["test"]], [s for s, _, _ in train_pairs])
        self.dropped_near_copies = len(copies)
        self.splits["test"] = [k for i, k in enumerate(self.splits["test"]) if i not in copies]
        self.src_known = self._known([s for s, _, _ in train_pairs], min_count)
        self.tgt_known = self._known([t for _, t, _ in train_pairs], min_count)
        self.src_vocab = Vocab([self.source(s) for s, _, _ in train_pairs] + [[UNK]])
        self.tgt_vocab = Vocab([self.target(t) for _, t, _ in train_pairs] + [[UNK]])

    @staticmethod
    def _known(sentences, min_count):
        counts = Counter(token for sentence in sentences for token in sentence)
        return {token for token, count in counts.items() if count >= min_count}

    def source(self, tokens):
        return [t if t in self.src_known else UNK for t in tokens]

    def target(self, tokens):
        return [t if t in self.tgt_known else UNK for t in tokens]


def _batches(corpus, batch_size, rng, device):
    train_pairs = corpus.splits["train"]

    def batch(step):
        idx = rng.choice(len(train_pairs), batch_size, replace=False)
        src, lengths = encode_batch([corpus.source(train_pairs[j][0]) for j in idx], corpus.src_vocab)
        tgt, _ = encode_batch([corpus.target(train_pairs[j][1]) for j in idx], corpus.tgt_vocab, bos_eos=True)
        return torch.tensor(src, device=device), lengths, torch.tensor(tgt, device=device)

    return batch


def _loss(model, src, lengths, tgt):
    logits, _ = model(src, lengths, tgt[:-1])
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), tgt[1:].reshape(-1),
                                             ignore_index=PAD)


def nearest_verse(corpus, sources):
    """The retrieval baseline: for each source, the French of the training verse with the most similar English.

    Similarity is the cosine of tf-idf word vectors (idf from the training sources); ties go to the first
    training verse.
    """
    train_pairs = corpus.splits["train"]
    vocab = {w: k for k, w in enumerate(sorted({t for s, _, _ in train_pairs for t in s}))}
    df = np.zeros(len(vocab))
    for s, _, _ in train_pairs:
        df[[vocab[t] for t in set(s)]] += 1
    idf = np.log((1 + len(train_pairs)) / (1 + df)) + 1

    def vectors(sentences):
        m = np.zeros((len(sentences), len(vocab)))
        for i, s in enumerate(sentences):
            for t in s:
                if t in vocab:
                    m[i, vocab[t]] += idf[vocab[t]]
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    best = np.argmax(vectors(sources) @ vectors([s for s, _, _ in train_pairs]).T, axis=1)
    return [" ".join(train_pairs[j][1]) for j in best]


def scores(candidates, references):
    """``{"bleu", "sacrebleu_bleu", "chrf"}`` of candidate strings against one reference string each.

    ``bleu`` is :func:`lstm_course.bleu.corpus_bleu` in [0, 1]; ``sacrebleu_bleu`` and ``chrf`` are sacrebleu's
    on the same tokenised text (``tokenize="none"``), divided by 100.
    """
    import sacrebleu

    bleu = corpus_bleu(candidates, [[r] for r in references])
    theirs = sacrebleu.corpus_bleu(candidates, [references], tokenize="none", smooth_method="none", force=True)
    chrf = sacrebleu.corpus_chrf(candidates, [references])
    return {"bleu": bleu, "sacrebleu_bleu": theirs.score / 100, "chrf": chrf.score / 100}


def _band(n):
    return next(f"{low}-{high}" for low, high in LENGTH_BANDS if low <= n <= high)


def _beam(model, corpus, sources, device, beam_size, alpha, max_len):
    """The best finished hypothesis of :func:`lstm_course.decoding.beam_search` for each source, as text."""
    out = []
    model.eval()
    for source in sources:
        src, lengths = encode_batch([source], corpus.src_vocab)
        with torch.no_grad():
            memory, state = model.encode(torch.tensor(src, device=device), lengths)
            tokens, _ = beam_search(beam_step(model, memory, device), state, BOS, EOS, beam_size, max_len=max_len,
                                    length_penalty=alpha)[0]
        out.append(corpus.tgt_vocab.decode(tokens))
    return out


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, seeds=None):
    """Train both arms from ``seeds`` seeds; greedy BLEU and chrF on the held-out books, beam search on one.

    Parameters
    ----------
    quick : bool
        A smoke run: 300 training verses, 20 steps, one seed, 40 test verses (its numbers say nothing).
        The full run: 1,000 steps of 32 verses per arm and seed.
    seed : int
    device : str
    progress : callable
    seeds : int, optional
        3 in the full run.

    Returns
    -------
    dict
        Per seed and arm (``attention``, ``no_attention``): ``*_bleu_per_seed``, ``*_chrf_per_seed``,
        ``*_sacrebleu_bleu_per_seed``, BLEU by source length; the retrieval baseline's ``nearest_*``; the first
        seed's attention model with beam search on every ``BEAM_EVERY``-th (third) test verse (``beam_*``, and
        ``beam_greedy_*`` for greedy decoding of the same verses); examples and one attention map. The
        baseline writes the training verse's own words, rare ones included, which the models can only write
        as ``<unk>``.
    """
    steps, H, batch_size = (20, 32, 16) if quick else (1000, 96, 32)
    seeds = seeds or (1 if quick else 3)
    corpus = Corpus(limit=300 if quick else None)
    test = corpus.splits["test"][:40] if quick else corpus.splits["test"]
    sources = [corpus.source(s) for s, _, _ in test]
    references = [" ".join(t) for _, t, _ in test]
    bands = [_band(len(s)) for s, _, _ in test]
    progress(f"data: {len(corpus.splits['train'])} training verses, {len(test)} test verses of held-out books; "
             f"vocabularies {len(corpus.src_vocab)} English and {len(corpus.tgt_vocab)} French tokens")
    metrics = {"train_verses": len(corpus.splits["train"]), "test_verses": len(test), "max_tokens": MAX_TOKENS,
               "min_count": MIN_COUNT, "src_vocab": len(corpus.src_vocab), "tgt_vocab": len(corpus.tgt_vocab),
               "test_books": sorted({v.book for _, _, v in test}), "steps": steps, "hidden_size": H,
               "test_dropped_near_copies": corpus.dropped_near_copies, "near_copy_jaccard": NEAR_COPY,
               "test_verses_by_book": dict(Counter(str(v.book) for _, _, v in test)),
               "batch_size": batch_size, "seeds": list(range(seed, seed + seeds)), "torch_threads": 1,
               "test_target_unknown_share": float(np.mean([t not in corpus.tgt_known
                                                           for _, ts, _ in test for t in ts])),
               "band_sizes": {b: bands.count(b) for b in sorted(set(bands))}}
    nearest = nearest_verse(corpus, [s for s, _, _ in test])
    metrics.update({f"nearest_{k}": v for k, v in scores(nearest, references).items()})
    kept = {}
    for arm, attention in (("attention", True), ("no_attention", False)):
        for key in ("bleu", "sacrebleu_bleu", "chrf", "bleu_by_length"):
            metrics[f"{arm}_{key}_per_seed"] = []
        for s in metrics["seeds"]:
            progress(f"{arm}, seed {s}")
            torch.manual_seed(s)
            model = Seq2Seq(len(corpus.src_vocab), len(corpus.tgt_vocab), D=64, H=H, A=H,
                            attention=attention).to(device)
            train(model, _loss, _batches(corpus, batch_size, np.random.default_rng(s), device), steps, lr=3e-3,
                  progress=progress, decay=True)
            predicted, _, _ = greedy_decode(model, sources, corpus, device, max_len=MAX_TOKENS + 10)
            for key, value in scores(predicted, references).items():
                metrics[f"{arm}_{key}_per_seed"].append(value)
            metrics[f"{arm}_bleu_by_length_per_seed"].append(
                {b: corpus_bleu([p for p, k in zip(predicted, bands) if k == b],
                                [[r] for r, k in zip(references, bands) if k == b]) for b in sorted(set(bands))})
            if s == metrics["seeds"][0]:
                kept[arm] = (model, predicted)
    model, greedy = kept["attention"]
    chosen = list(range(0, len(sources), BEAM_EVERY))
    progress(f"beam search (beam 5, length penalty 0.6) with the first seed's attention model, {len(chosen)} verses")
    beamed = _beam(model, corpus, [sources[i] for i in chosen], device, 5, 0.6, MAX_TOKENS + 10)
    metrics.update({f"beam_{k}": v for k, v in scores(beamed, [references[i] for i in chosen]).items()})
    metrics.update({f"beam_greedy_{k}": v for k, v in scores([greedy[i] for i in chosen],
                                                             [references[i] for i in chosen]).items()})
    metrics["beam_size"], metrics["beam_alpha"], metrics["beam_verses"] = 5, 0.6, len(chosen)
    beam_of = dict(zip(chosen, beamed))
    metrics["examples"] = [{"english": v.english, "french": v.french, "reference": r, "attention": g,
                            "no_attention": kept["no_attention"][1][i], "nearest": nearest[i], "beam": beam_of.get(i)}
                           for i, ((_, _, v), r, g) in enumerate(zip(test, references, greedy)) if i % 97 == 5][:8]
    metrics["attention_map"] = _attention_map(model, corpus, test, device)
    return metrics


def _attention_map(model, corpus, test, device):
    """The attention weights of the first seed's model on the shortest test verse of 8 to 12 source tokens."""
    candidates = [k for k, (s, _, _) in enumerate(test) if 8 <= len(s) <= 12] or [0]
    k = candidates[0]
    source = corpus.source(test[k][0])
    predicted, weights, _ = greedy_decode(model, [source], corpus, device, max_len=MAX_TOKENS + 10)
    words = predicted[0].split()
    return {"source": source, "output": words, "reference": test[k][1],
            "weights": np.round(weights[:len(words) + 1, :len(source), 0], 3).tolist()}
