"""Character-type tagging of Python source: unidirectional vs bidirectional vs stacked, on one budget."""

import numpy as np
import torch

from ..data.tagging import TAGS, VOCAB_SIZE, load_windows
from ..models.tagger import Tagger, predict_tags, train_tagger
from .running import one_thread, over_seeds

MODELS = {  # name: (num_layers, bidirectional)
    "unidirectional": (1, False),
    "bidirectional": (1, True),
    "stacked_bidirectional": (2, True),
}


def word_starts(tags):
    """(T, B) mask of the first character of each name or keyword: where the future decides the tag."""
    name, kw = TAGS.index("name"), TAGS.index("keyword")
    is_word = (tags == name) | (tags == kw)
    previous = np.concatenate([np.zeros_like(is_word[:1]), is_word[:-1]], axis=0)
    start = is_word & ~previous
    start[0] = False  # a window's first character may continue a word from the previous window
    return start


def evaluate(predicted, split):
    """Accuracy, accuracy at word starts, and the error rate for each true tag."""
    correct = predicted == split.tags
    starts = word_starts(split.tags)
    per_tag = {tag: float(1 - correct[split.tags == k].mean()) for k, tag in enumerate(TAGS)}
    return {"accuracy": float(correct.mean()), "accuracy_word_start": float(correct[starts].mean()),
            "error_rate_per_tag": per_tag}


QUICK_STEPS = 50  # --quick: a smoke test of seconds, one seed, 20 files


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, backend="twin"):
    """``python -m lstm_course run tagging``: unidirectional, bidirectional and stacked taggers over seeds.

    ``backend`` runs the recurrence: our Torch twin (default) or ``"nn"`` (``torch.nn``). One torch
    thread: the twin runs a few small operations per time step, and a second thread, waiting at
    every one of them, made it several times slower on two shared cores (measured under load).
    """
    steps, seeds, n_files = (QUICK_STEPS, 1, 20) if quick else (1200, 3, 60)
    train, validation = load_windows(T=64, n_files=n_files)
    progress(f"data: {train.ids.shape[1]} training and {validation.ids.shape[1]} validation windows of 64 "
             f"characters, from {len(train.files)} and {len(validation.files)} files")
    majority = int(np.bincount(train.tags.ravel(), minlength=len(TAGS)).argmax())
    metrics = {"steps": steps, "seeds": seeds, "batch_size": 32, "hidden_size": 64,
               "train_windows": int(train.ids.shape[1]), "validation_windows": int(validation.ids.shape[1]),
               "accuracy_majority": float((validation.tags == majority).mean()), "majority_tag": TAGS[majority],
               "backend": backend}
    for name, (num_layers, bidirectional) in MODELS.items():
        def run_one(s, rng):
            model = Tagger(VOCAB_SIZE, len(TAGS), rng, num_layers=num_layers, bidirectional=bidirectional,
                           backend=backend)
            history = train_tagger(model, train, steps, 32, rng, device=device, progress=progress)
            result = evaluate(predict_tags(model, validation.ids, device), validation)
            return {**result, "seconds": history["seconds"],
                    "final_train_loss": float(np.mean(history["losses"][-50:]))}

        runs = over_seeds(run_one, seed, seeds, progress, name)
        metrics[f"accuracy_{name}"] = float(np.mean([r["accuracy"] for r in runs]))
        metrics[f"accuracy_{name}_per_seed"] = [r["accuracy"] for r in runs]
        metrics[f"accuracy_word_start_{name}"] = float(np.mean([r["accuracy_word_start"] for r in runs]))
        metrics[f"error_rate_per_tag_{name}"] = {t: float(np.mean([r["error_rate_per_tag"][t] for r in runs]))
                                                  for t in TAGS}
        metrics[f"seconds_per_step_{name}"] = float(np.mean([r["seconds"] for r in runs]) / steps)
    return metrics
