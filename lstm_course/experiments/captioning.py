"""Captioning shape scenes: CNN + LSTM decoder (initial-state vs first-input conditioning) against two baselines."""

from collections import Counter

import numpy as np
import torch

from ..bleu import corpus_bleu
from ..data.shapes import load_captioning, parse_caption
from ..models.captioning import Captioner, caption_batches, caption_loss, predict
from ..models.training import train

ATTRIBUTES = ("shape", "colour", "size")


def attribute_accuracy(captions, scenes):
    """Per-attribute accuracy of generated ``captions`` read back into scenes.

    Objects are compared slot by slot in canonical order (left or upper one
    first); a caption that does not parse, or names the wrong number of
    objects, gets every attribute of that scene wrong. ``relation`` is
    scored per consecutive pair, on scenes of two or more objects.

    Returns
    -------
    dict
        ``{"shape", "colour", "size", "relation", "count"}`` accuracies in [0, 1]
        (``relation`` is None without scenes of two or more objects).
    """
    right, total = Counter(), Counter()
    for caption, truth in zip(captions, scenes):
        guess = parse_caption(caption)
        same_count = guess is not None and len(guess.objects) == len(truth.objects)
        right["count"] += same_count
        total["count"] += 1
        for k, obj in enumerate(truth.objects):
            for a in ATTRIBUTES:
                right[a] += same_count and getattr(guess.objects[k], a) == getattr(obj, a)
                total[a] += 1
        for k, relation in enumerate(truth.relations):
            right["relation"] += same_count and guess.relations[k] == relation
            total["relation"] += 1
    return {a: (right[a] / total[a] if total[a] else None) for a in (*ATTRIBUTES, "relation", "count")}


def exact_match(captions, scenes):
    """Fraction of captions that parse to exactly the true scene."""
    return float(np.mean([parse_caption(c) == s for c, s in zip(captions, scenes)]))


def scores(captions, split):
    """Exact match, BLEU-4 and attribute accuracy (all scenes, and single-shape scenes) on ``split``."""
    single = [k for k, s in enumerate(split.scenes) if len(s.objects) == 1]
    return {"exact_match": exact_match(captions, split.scenes),
            "bleu4": corpus_bleu(captions, split.references),
            "attribute_accuracy": attribute_accuracy(captions, split.scenes),
            "attribute_accuracy_single_shape": attribute_accuracy([captions[k] for k in single],
                                                                  [split.scenes[k] for k in single])}


def nearest_captions(train_features, train_split, features):
    """The canonical caption of the nearest training image (Euclidean, in feature space) for each row of ``features``."""
    sq = (features ** 2).sum(1)[:, None] - 2 * features @ train_features.T + (train_features ** 2).sum(1)[None]
    return [train_split.references[k][0] for k in sq.argmin(axis=1)]


def run(quick=False, seed=0, device="cpu", progress=print, **options):
    """``python -m lstm_course run captioning``: the CNN + LSTM captioner against its baselines."""
    sizes, steps = ((300, 50, 100, 100), 60) if quick else ((6000, 500, 1000, 500), 1500)
    data = load_captioning(*sizes, seed=seed)
    progress("data: " + ", ".join(f"{k} {len(v.scenes)}" for k, v in data.items()) + " scenes")
    metrics = {"steps": steps, "batch_size": 64, "train_scenes": sizes[0], "test_scenes": sizes[2],
               "heldout_scenes": sizes[3]}
    models = {}
    for conditioning in ("init", "input"):
        progress(f"training, conditioning = {conditioning}")
        torch.manual_seed(seed)
        model = Captioner(conditioning).to(device)
        rng = np.random.default_rng(seed)
        history = train(model, caption_loss, caption_batches(data["train"], 64, rng, device), steps, lr=2e-3,
                        max_norm=1.0, progress=progress)
        models[conditioning] = model
        metrics[f"final_train_loss_{conditioning}"] = float(np.mean(history["losses"][-50:]))
    train_captions, train_features = predict(models["init"], data["train"].images, device=device)
    for split in ("test", "heldout"):
        captions, features = predict(models["init"], data[split].images, device=device)
        first_input, _ = predict(models["input"], data[split].images, device=device)
        nearest = nearest_captions(train_features, data["train"], features)
        frequent = Counter(refs[0] for refs in data["train"].references).most_common(1)[0][0]
        suffix = "" if split == "test" else "_heldout_combinations"
        for name, caps in (("", captions), ("_first_input", first_input), ("_nearest_neighbour", nearest),
                           ("_most_frequent", [frequent] * len(captions))):
            for key, value in scores(caps, data[split]).items():
                metrics[f"{key}{name}{suffix}"] = value
        metrics[f"examples{suffix}"] = [{"index": k, "caption": captions[k], "nearest_neighbour": nearest[k],
                                         "correct": parse_caption(captions[k]) == data[split].scenes[k]}
                                        for k in range(12)]
    metrics["most_frequent_caption"] = frequent
    return metrics
