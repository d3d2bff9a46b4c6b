"""Where a captioner looks: soft attention over the encoder's grid (Show, Attend and Tell) on the shape scenes.

One :class:`~lstm_course.models.captioning.AttentionCaptioner` is trained as
the captioning experiment trains its three designs (the same scenes, steps,
batches and learning-rate schedule), then scored the same way. What is new is
a measure of where it looks. On each test scene of two or three objects the
canonical caption is read with teacher forcing, and at the step that predicts
each object's shape word the attention falls on the grid: the share of it on
each object is the attention weight of each cell times the fraction of that
cell the object covers, summed. The word *points* at the object it names when
that object gets the largest share. The same measure of the same network
before training is the null; a random pick among the objects is the chance
line.
"""

import numpy as np
import torch

from ..data.shapes import IMAGE_SIZE, SHAPES, WORD_ID, encode_captions, load_captioning, object_mask, parse_caption
from ..models.captioning import AttentionCaptioner, caption_batches
from .captioning import (BATCH_SIZE, FULL_SIZES, FULL_STEPS, LEARNING_RATE, QUICK_STEPS, canonical_only, scores,
                         train_cosine)
from .running import one_thread

GRID = IMAGE_SIZE // 8  # the encoder's grid: 6 x 6 cells of 8 x 8 pixels
EXAMPLES = 4  # test scenes whose attention maps the record keeps


def cell_cover(scene, centres):
    """(objects, GRID * GRID): the fraction of each grid cell (row-major) that each object of ``scene`` covers."""
    covers = []
    for obj, (cx, cy) in zip(scene.objects, centres):
        mask = object_mask(obj, cx, cy).astype(float)  # (IMAGE_SIZE, IMAGE_SIZE)
        covers.append(mask.reshape(GRID, 8, GRID, 8).mean(axis=(1, 3)).reshape(-1))
    return np.array(covers)


def shape_word_steps(caption):
    """The input steps at which a caption's shape words are predicted (step ``w`` predicts word ``w``)."""
    return [w for w, word in enumerate(caption.split()) if word in SHAPES]


@torch.no_grad()
def pointing(model, split, device="cpu", batch_size=250):
    """Where ``model`` looks when it names each shape, on the scenes of ``split`` with two or more objects.

    Returns
    -------
    dict
        ``hits`` (words,) 1 where the named object gets the largest share of
        the attention, ``scenes`` (words,) the scene index of each word,
        ``objects`` (words,) how many objects its scene has, and
        ``share_named`` (words,) the attention share of the named object.
    """
    rows = [k for k, s in enumerate(split.scenes) if len(s.objects) >= 2]
    model.eval()
    out = {"hits": [], "scenes": [], "objects": [], "share_named": []}
    for start in range(0, len(rows), batch_size):
        batch = rows[start:start + batch_size]
        texts = [split.references[k][0] for k in batch]  # canonical: its objects in canonical order
        ids, _ = encode_captions(texts)
        images = torch.as_tensor(split.images[batch], device=device)
        weights = model.attention_of(images, torch.as_tensor(ids[:-1], device=device)).cpu().numpy()  # (T, G*G, B)
        for j, k in enumerate(batch):
            cover = cell_cover(split.scenes[k], split.centres[k])  # (objects, G*G)
            for named, step in enumerate(shape_word_steps(texts[j])):
                share = cover @ weights[step, :, j]  # (objects,)
                out["hits"].append(int(np.argmax(share) == named))
                out["scenes"].append(k)
                out["objects"].append(len(cover))
                out["share_named"].append(float(share[named]))
    model.train()
    return out


@torch.no_grad()
def attention_examples(model, split, n=EXAMPLES, device="cpu"):
    """Up to ``n`` test scenes of two or three objects that ``model`` captions exactly right, with its weights.

    Each example keeps the scene index, the greedy caption, and the weights
    (words + 1, GRID * GRID) behind each of its words and the ``<end>``,
    rounded to 4 decimals; the first scenes of each size, in split order.
    """
    model.eval()
    examples, wanted = [], {2: (n + 1) // 2, 3: n // 2}
    for k, scene in enumerate(split.scenes):
        size = len(scene.objects)
        if wanted.get(size, 0) == 0:
            continue
        captions, weights = model.greedy_with_weights(torch.as_tensor(split.images[k:k + 1], device=device))
        if parse_caption(captions[0]) != scene:
            continue
        words = len(captions[0].split()) + 1  # and the <end>
        examples.append({"index": k, "caption": captions[0],
                         "weights": np.round(weights[:words, :, 0].cpu().numpy(), 4).tolist()})
        wanted[size] -= 1
        if not any(wanted.values()):
            break
    model.train()
    return examples


@one_thread
def run(quick=False, seed=0, device="cpu", progress=print, **options):
    """``python -m lstm_course run captioning-attention``: a captioner with soft attention, and where it looks.

    Trains one :class:`~lstm_course.models.captioning.AttentionCaptioner` as
    ``run captioning`` trains its designs (``FULL_STEPS`` steps of Adam on a
    cosine schedule, the canonical captions), scores it on the test and
    held-out splits (``scores``), and measures :func:`pointing` for it and for
    the same network before training (``*_untrained``), with the chance line
    ``pointing_chance`` (the mean of 1 / objects over the words). Keeps
    :func:`attention_examples` for the chapter's maps. One torch thread.
    """
    sizes, steps = ((120, 30, 40, 40), QUICK_STEPS) if quick else (FULL_SIZES, FULL_STEPS)
    data = load_captioning(*sizes, seed=seed)
    torch.manual_seed(seed)
    model = AttentionCaptioner().to(device)
    untrained = pointing(model, data["test"], device)
    progress("training the attention captioner")
    rng = np.random.default_rng(seed)
    losses = train_cosine(model, caption_batches(canonical_only(data["train"]), BATCH_SIZE, rng, device), steps,
                          LEARNING_RATE, progress)
    metrics = {"steps": steps, "batch_size": BATCH_SIZE, "learning_rate": LEARNING_RATE, "torch_threads": 1,
               "train_scenes": sizes[0], "test_scenes": sizes[2], "heldout_scenes": sizes[3], "grid": GRID,
               "final_train_loss": float(np.mean(losses[-50:]))}
    for split, suffix in (("test", ""), ("heldout", "_heldout_combinations")):
        model.eval()
        captions = []
        for start in range(0, len(data[split].images), 250):
            captions += model.greedy(torch.as_tensor(data[split].images[start:start + 250], device=device))
        model.train()
        for key, value in scores(captions, data[split]).items():
            metrics[f"{key}{suffix}"] = value
    trained = pointing(model, data["test"], device)
    for name, found in (("", trained), ("_untrained", untrained)):
        metrics[f"pointing_rate{name}"] = float(np.mean(found["hits"]))
        metrics[f"pointing_hits{name}"] = found["hits"]
        metrics[f"share_named{name}"] = float(np.mean(found["share_named"]))
    metrics["pointing_scenes"] = trained["scenes"]
    metrics["pointing_words"] = len(trained["hits"])
    metrics["pointing_chance"] = float(np.mean([1 / n for n in trained["objects"]]))
    metrics["examples"] = attention_examples(model, data["test"], device=device)
    metrics["start_id"] = WORD_ID["<start>"]
    return metrics
