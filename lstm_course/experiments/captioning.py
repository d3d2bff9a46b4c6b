"""Captioning shape scenes: CNN + LSTM decoder (the image at every step; only in the initial state; only as the
first input) against two baselines."""

import math
from collections import Counter

import numpy as np
import torch

from ..bleu import corpus_bleu
from ..data.shapes import SHAPES, Scene, load_captioning, object_kinds, parse_caption, render
from ..models.captioning import Captioner, caption_batches, caption_loss, features_of, predict
from ..models.training import train_step
from ..progress import Progress, bar
from .running import one_thread

ATTRIBUTES = ("shape", "colour", "size")
FULL_SIZES = (6000, 500, 1000, 500)  # train, val, test, heldout scenes
FULL_STEPS, BATCH_SIZE, LEARNING_RATE = 1200, 64, 4e-3
QUICK_STEPS = 12  # --quick: a smoke test of seconds (each design trains this many steps on 120 scenes)
FIT_SCENES = 1000  # the first training scenes, captioned again to measure how well each captioner fits them
ARMS = (("every", ""), ("init", "_initial_state"), ("input", "_first_input"))  # conditioning, suffix of its keys
CANONICAL_TRAINING = True  # train on each scene's first caption only (the references still score BLEU)


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
    """Exact match (all scenes and per number of objects), BLEU-4 and attribute accuracy (all scenes, and
    single-shape scenes) of ``captions`` on ``split``."""
    single = [k for k, s in enumerate(split.scenes) if len(s.objects) == 1]
    by_count = {}
    for n in sorted({len(s.objects) for s in split.scenes}):
        rows = [k for k, s in enumerate(split.scenes) if len(s.objects) == n]
        by_count[str(n)] = exact_match([captions[k] for k in rows], [split.scenes[k] for k in rows])
    return {"exact_match": exact_match(captions, split.scenes),
            "exact_match_by_objects": by_count,
            "bleu4": corpus_bleu(captions, split.references),
            "attribute_accuracy": attribute_accuracy(captions, split.scenes),
            "attribute_accuracy_single_shape": attribute_accuracy([captions[k] for k in single],
                                                                  [split.scenes[k] for k in single])}


def lookup_rate(captions, scenes, train_scenes):
    """How often a single-object caption names a shape that training showed *alone* with that size and colour.

    On test scenes, whose single objects never stand alone in training (the
    split is over descriptions), such a shape is always wrong: it is a training
    caption recalled for its size and colour, not a shape read from the image.

    Returns
    -------
    float or None
        The fraction among single-object ``scenes`` whose caption parses to one
        object (None if there are none).
    """
    alone = {}
    for scene in train_scenes:
        if len(scene.objects) == 1:
            (obj,) = scene.objects
            alone.setdefault((obj.size, obj.colour), set()).add(obj.shape)
    hits = []
    for caption, scene in zip(captions, scenes):
        guess = parse_caption(caption)
        if len(scene.objects) == 1 and guess is not None and len(guess.objects) == 1:
            obj = guess.objects[0]
            hits.append(obj.shape in alone.get((scene.objects[0].size, scene.objects[0].colour), ()))
    return float(np.mean(hits)) if hits else None


def shape_probe(model, n_per_kind=100, seed=0, device="cpu"):
    """Accuracy of a linear read-out of a lone object's shape from the encoder's features (frozen).

    Fresh images of one object, ``n_per_kind`` of each ordinary (size, colour,
    shape); three quarters fit a softmax regression (L-BFGS, features
    standardised), the other quarter scores it. A diagnostic of the encoder,
    not a captioner: its images are neither training nor test scenes.

    Returns
    -------
    float
        The held-out fraction of shapes read correctly (chance: 1/3).
    """
    rng = np.random.default_rng([seed, 7])
    scenes = [Scene((kind,), ()) for kind in object_kinds() for _ in range(n_per_kind)]
    order = rng.permutation(len(scenes))
    images = np.stack([render(scenes[k], rng) for k in order])
    labels = torch.tensor([SHAPES.index(scenes[k].objects[0].shape) for k in order])
    x = torch.as_tensor(features_of(model, images, device=device), dtype=torch.float64)
    cut = 3 * len(x) // 4
    x = (x - x[:cut].mean(0)) / (x[:cut].std(0) + 1e-6)
    readout = torch.nn.Linear(x.shape[1], len(SHAPES)).double()
    optimiser = torch.optim.LBFGS(readout.parameters(), max_iter=200)

    def closure():
        optimiser.zero_grad()
        loss = torch.nn.functional.cross_entropy(readout(x[:cut]), labels[:cut])
        (loss + 1e-3 * readout.weight.square().sum()).backward()
        return loss

    with torch.enable_grad():
        optimiser.step(closure)
    with torch.no_grad():
        return float((readout(x[cut:]).argmax(1) == labels[cut:]).double().mean())


def nearest_captions(train_features, train_split, features):
    """The canonical caption of the nearest training image (Euclidean, in feature space) for each row of ``features``."""
    sq = (features ** 2).sum(1)[:, None] - 2 * features @ train_features.T + (train_features ** 2).sum(1)[None]
    return [train_split.references[k][0] for k in sq.argmin(axis=1)]


def train_cosine(model, batches, steps, lr, progress=None):
    """Adam with global-norm clipping (1.0), its learning rate decayed from ``lr`` to 0 on a half cosine.

    Parameters
    ----------
    model : Captioner
    batches : callable
        ``batches(step)`` gives ``(images, ids, mask)`` (see ``lstm_course.models.captioning.caption_batches``).
    steps : int
    lr : float
    progress : callable, optional
        A :class:`lstm_course.progress.Progress` draws a bar; any other function gets ten lines of text.

    Returns
    -------
    list of float
        The loss of every step.
    """
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    losses, lines = [], progress is not None and not isinstance(progress, Progress)
    with bar(progress, steps) as advance:
        for step in range(steps):
            for group in optimiser.param_groups:
                group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / steps))
            losses.append(train_step(model, optimiser, caption_loss(model, *batches(step)), max_norm=1.0))
            advance(loss=losses[-1])
            if lines and (step + 1) % max(1, steps // 10) == 0:
                progress(f"  step {step + 1}/{steps} loss {losses[-1]:.4f}")
    return losses


def example_rows(correct, n=12):
    """Indices of up to ``n`` examples to show: the first right ones and the first wrong ones, half each where
    there are enough of both, in their order in the split."""
    right = [k for k, c in enumerate(correct) if c]
    wrong = [k for k, c in enumerate(correct) if not c]
    n_right = min(len(right), max(n // 2, n - len(wrong)))
    return sorted(right[:n_right] + wrong[:n - n_right])


def canonical_only(split):
    """``split`` with only the first (canonical) reference caption of each scene, for training."""
    return split._replace(references=[refs[:1] for refs in split.references])


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, **options):
    """``python -m lstm_course run captioning``: the CNN + LSTM captioner against its baselines.

    Trains three captioners (features in the initial state and at every step,
    the unsuffixed keys; features only in the initial state, ``_initial_state``;
    features only as the first input, ``_first_input``) on the training split's
    canonical captions (Adam, the learning rate decayed on a cosine), decodes
    greedily, and scores them with two baselines on the test split (scene
    descriptions never seen in training) and on the held-out colour-shape
    combinations. The training-set fit (exact match on the first
    ``FIT_SCENES`` training scenes), the mean training loss of the last 50
    steps and the shape probe are measured for every captioner; the
    nearest-neighbour baseline uses the features of the every-step
    captioner's encoder, and every example shown (``examples*``) is that
    captioner's. One torch thread: on a shared two-core machine, two threads
    fought over the small matrices and ran several times slower.
    """
    sizes, steps = ((120, 30, 40, 40), QUICK_STEPS) if quick else (FULL_SIZES, FULL_STEPS)
    data = load_captioning(*sizes, seed=seed)
    progress("data: " + ", ".join(f"{k} {len(v.scenes)}" for k, v in data.items()) + " scenes")
    seen = set(data["train"].scenes)
    metrics = {"steps": steps, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE, "torch_threads": 1,
               "train_scenes": sizes[0], "test_scenes": sizes[2], "heldout_scenes": sizes[3],
               "test_scenes_seen_in_training": float(np.mean([s in seen for s in data["test"].scenes]))}
    models, training = {}, canonical_only(data["train"]) if CANONICAL_TRAINING else data["train"]
    for conditioning, suffix in ARMS:
        progress(f"training, conditioning = {conditioning}")
        torch.manual_seed(seed)
        model = Captioner(conditioning).to(device)
        rng = np.random.default_rng(seed)
        losses = train_cosine(model, caption_batches(training, BATCH_SIZE, rng, device), steps, LEARNING_RATE,
                              progress)
        models[conditioning] = model
        metrics[f"final_train_loss{suffix}"] = float(np.mean(losses[-50:]))
    fit = data["train"]._replace(images=data["train"].images[:FIT_SCENES], scenes=data["train"].scenes[:FIT_SCENES],
                                 references=data["train"].references[:FIT_SCENES])
    for conditioning, suffix in ARMS:
        train_captions, _ = predict(models[conditioning], fit.images, device=device)
        metrics[f"exact_match_train{suffix}"] = exact_match(train_captions, fit.scenes)
        metrics[f"shape_probe{suffix}"] = shape_probe(models[conditioning], 10 if quick else 100, seed, device)
    train_features = features_of(models["every"], data["train"].images, device=device)
    frequent = Counter(refs[0] for refs in data["train"].references).most_common(1)[0][0]
    for split in ("test", "heldout"):
        captions, features = predict(models["every"], data[split].images, device=device)
        others = {name: predict(models[conditioning], data[split].images, device=device)[0]
                  for conditioning, name in ARMS[1:]}
        nearest = nearest_captions(train_features, data["train"], features)
        suffix = "" if split == "test" else "_heldout_combinations"
        for name, caps in (("", captions), *others.items(), ("_nearest_neighbour", nearest),
                           ("_most_frequent", [frequent] * len(captions))):
            for key, value in scores(caps, data[split]).items():
                metrics[f"{key}{name}{suffix}"] = value
            metrics[f"lookup_rate{name}{suffix}"] = lookup_rate(caps, data[split].scenes, data["train"].scenes)
        right = [parse_caption(c) == s for c, s in zip(captions, data[split].scenes)]
        metrics[f"examples{suffix}"] = [{"index": k, "caption": captions[k], "nearest_neighbour": nearest[k],
                                         "correct": right[k]} for k in example_rows(right)]
    metrics["most_frequent_caption"] = frequent
    return metrics
