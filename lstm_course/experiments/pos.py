"""Part-of-speech tagging of real English (``python -m lstm_course run pos``): the seed's tagging task.

Data: the ``pos-english`` real data set (``python -m lstm_course data fetch pos-english``). Training is
the first 18,000 sentences of the OANC sample, whose Penn tags were assigned by a tagger (**silver**);
the test set is its last 2,000 sentences; the 1,001 lines of the WSJ sample carry **gold** tags and are a
second test set, from another source. Models: a most-frequent-tag baseline (each word's commonest
training tag; an unknown word gets the commonest tag of its suffix, else of all words), and LSTM
taggers read left to right, in both directions, and in two stacked bidirectional layers, over seeds.
Accuracy is reported on all tokens and on unknown words (not seen in training).
"""

import collections

import numpy as np

from ..realdata import pos
from .running import one_thread, over_seeds

MODELS = {"unidirectional": (False, 1), "bidirectional": (True, 1), "stacked_bidirectional": (True, 2)}
HELD_OUT = 2000


class MostFrequentTag:
    """Each word's commonest training tag; for an unknown word its suffix's, else the commonest tag."""

    def __init__(self, sentences):
        by_word, by_suffix = collections.defaultdict(collections.Counter), collections.defaultdict(collections.Counter)
        everything = collections.Counter()
        for sentence in sentences:
            for word, tag in sentence:
                by_word[word.lower()][tag] += 1
                by_suffix[word.lower()[-3:]][tag] += 1
                everything[tag] += 1
        self.word = {w: c.most_common(1)[0][0] for w, c in by_word.items()}
        self.suffix = {x: c.most_common(1)[0][0] for x, c in by_suffix.items()}
        self.default = everything.most_common(1)[0][0]

    def tag(self, words):
        """Tags for a list of words."""
        return [self.word.get(w.lower()) or self.suffix.get(w.lower()[-3:], self.default) for w in words]


def score(predicted, sentences, known):
    """Accuracy over all tokens and over unknown words, and the counts.

    Parameters
    ----------
    predicted : list of list of str
        One predicted tag per word.
    sentences : list of list of (str, str)
    known : set of str
        Lowercased words seen in training.
    """
    right = unknown = unknown_right = total = 0
    for tags, sentence in zip(predicted, sentences):
        for guess, (word, tag) in zip(tags, sentence):
            total += 1
            right += guess == tag
            if word.lower() not in known:
                unknown += 1
                unknown_right += guess == tag
    return {"accuracy": right / total, "accuracy_unknown": unknown_right / max(unknown, 1), "tokens": total,
            "unknown_tokens": unknown}


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """Most-frequent-tag baseline and three LSTM taggers over seeds, on silver OANC and gold WSJ tags.

    One torch thread (the taggers are small). ``quick``: 1,000 training sentences, 40 steps, one seed.
    """
    from ..models.word_tagger import Vocabulary, WordTagger, predict, train_word_tagger

    oanc, wsj = pos.sentences("oanc"), pos.sentences("wsj")
    train, test = oanc[:-HELD_OUT], oanc[-HELD_OUT:]
    steps, seeds = 1000, 5
    if quick:
        train, test, wsj, steps, seeds = train[:1000], test[:200], wsj[:100], 40, 1
    vocabulary = Vocabulary(train)
    known = vocabulary.known
    progress(f"data: {len(train)} training sentences (silver tags), {len(test)} test (silver), "
             f"{len(wsj)} WSJ lines (gold); {len(vocabulary.tags)} tags")
    baseline = MostFrequentTag(train)
    metrics = {"steps": steps, "seeds": seeds, "batch_size": 32, "hidden_size": 64, "backend": backend,
               "train_sentences": len(train), "test_sentences": len(test), "wsj_lines": len(wsj)}
    for split, sentences in (("test", test), ("wsj", wsj)):
        result = score([baseline.tag([w for w, _ in s]) for s in sentences], sentences, known)
        metrics[f"{split}_tokens"], metrics[f"{split}_unknown_tokens"] = result["tokens"], result["unknown_tokens"]
        metrics[f"most_frequent_{split}_accuracy"] = result["accuracy"]
        metrics[f"most_frequent_{split}_accuracy_unknown"] = result["accuracy_unknown"]
    for name, (bidirectional, num_layers) in MODELS.items():
        def run_one(s, rng):
            model = WordTagger(vocabulary, rng, bidirectional=bidirectional, num_layers=num_layers, backend=backend)
            history = train_word_tagger(model, vocabulary, train, steps, 32, rng, progress=progress)
            out = {"seconds": history["seconds"], "final_train_loss": float(np.mean(history["losses"][-50:]))}
            for split, sentences in (("test", test), ("wsj", wsj)):
                tags = [[vocabulary.tags[k] for k in row] for row in predict(model, vocabulary, sentences)]
                result = score(tags, sentences, known)
                out[f"{split}_accuracy"], out[f"{split}_accuracy_unknown"] = result["accuracy"], result["accuracy_unknown"]
            return out

        runs = over_seeds(run_one, seed, seeds, progress, name)
        for key in ("test_accuracy", "test_accuracy_unknown", "wsj_accuracy", "wsj_accuracy_unknown",
                    "final_train_loss"):
            metrics[f"{name}_{key}_per_seed"] = [r[key] for r in runs]
            metrics[f"{name}_{key}"] = float(np.mean([r[key] for r in runs]))
        metrics[f"seconds_per_step_{name}"] = float(np.mean([r["seconds"] for r in runs]) / steps)
    return metrics
