"""Captioning scenes, generated offline: small RGB images of one or two shapes, with captions from a grammar.

Each shape has a colour from a small palette and one of two sizes. Two shapes
stand clearly side by side or one clearly above the other, so that "to the left
of" and "above" are well defined. Every image comes with several reference
captions (varied phrasings of the same scene). Some colour-shape combinations
(``HELD_OUT``) never occur in training, validation or the ordinary test split;
they have a test split of their own, which measures compositional
generalisation.
"""

from typing import NamedTuple

import numpy as np

SHAPES = ("circle", "square", "triangle")
COLOURS = {"red": (0.9, 0.15, 0.15), "green": (0.15, 0.8, 0.2), "blue": (0.2, 0.3, 0.95), "yellow": (0.95, 0.9, 0.15)}
SIZES = {"small": 3.5, "large": 6.5}  # radius in pixels
HELD_OUT = (("green", "triangle"), ("blue", "circle"))
RELATIONS = {"left": ("to the left of", "to the right of"), "above": ("above", "below")}
IMAGE_SIZE = 32
SPECIALS = ("<pad>", "<start>", "<end>")
WORDS = ("a", "there", "is", "that", "to", "the", "of", "left", "right", "above", "below",
         *SIZES, *COLOURS, *SHAPES)
VOCAB = SPECIALS + WORDS
WORD_ID = {w: k for k, w in enumerate(VOCAB)}


class Shape(NamedTuple):
    size: str
    colour: str
    shape: str


class Scene(NamedTuple):
    """``objects`` in canonical order: the left (or upper) one first; ``relation`` "left", "above" or None."""

    objects: tuple
    relation: object


class CaptionSplit(NamedTuple):
    images: np.ndarray  # (N, 3, IMAGE_SIZE, IMAGE_SIZE) float32 in [0, 1]
    scenes: list  # N Scene
    references: list  # N lists of captions (strings)


def _phrase(obj):
    return f"{obj.size} {obj.colour} {obj.shape}"


def captions(scene):
    """Every reference caption of ``scene`` (the first is the canonical one)."""
    if scene.relation is None:
        (obj,) = scene.objects
        return [f"a {_phrase(obj)}", f"there is a {_phrase(obj)}", f"a {obj.colour} {obj.shape} that is {obj.size}"]
    first, second = scene.objects
    forward, backward = RELATIONS[scene.relation]
    return [f"a {_phrase(first)} {forward} a {_phrase(second)}",
            f"there is a {_phrase(first)} {forward} a {_phrase(second)}",
            f"a {_phrase(second)} {backward} a {_phrase(first)}",
            f"there is a {_phrase(second)} {backward} a {_phrase(first)}"]


def parse_caption(caption):
    """Read a caption back into a :class:`Scene`, or None if it describes no well-formed scene."""
    tokens = caption.split()
    sizes = [t for t in tokens if t in SIZES]
    colours = [t for t in tokens if t in COLOURS]
    shapes = [t for t in tokens if t in SHAPES]
    n = len(shapes)
    if n not in (1, 2) or len(sizes) != n or len(colours) != n:
        return None
    objects = tuple(Shape(*triple) for triple in zip(sizes, colours, shapes))
    words = set(tokens) & {"left", "right", "above", "below"}
    if n == 1:
        return Scene(objects, None) if not words else None
    if len(words) != 1:
        return None
    (word,) = words
    if word in ("right", "below"):
        objects = objects[::-1]
    return Scene(objects, "left" if word in ("left", "right") else "above")


def _draw(image, obj, cx, cy, rng):
    yy, xx = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] + 0.5
    r = SIZES[obj.size]
    if obj.shape == "circle":
        inside = (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    elif obj.shape == "square":
        inside = (np.abs(xx - cx) <= 0.85 * r) & (np.abs(yy - cy) <= 0.85 * r)
    else:  # an upward triangle: apex at the top, base at the bottom
        inside = (yy >= cy - r) & (yy <= cy + r) & (np.abs(xx - cx) <= (yy - (cy - r)) / 2)
    colour = np.clip(np.array(COLOURS[obj.colour]) + rng.uniform(-0.05, 0.05, 3), 0, 1)
    image[:, inside] = colour[:, None]


def _random_object(rng, heldout):
    while True:
        obj = Shape(str(rng.choice(list(SIZES))), str(rng.choice(list(COLOURS))), str(rng.choice(SHAPES)))
        if ((obj.colour, obj.shape) in HELD_OUT) == heldout:
            return obj


def random_scene(rng, heldout=False):
    """A scene and its image (3, IMAGE_SIZE, IMAGE_SIZE).

    With ``heldout`` True, at least one object has a held-out colour-shape combination;
    otherwise none has.
    """
    image = np.full((3, IMAGE_SIZE, IMAGE_SIZE), 0.1) + rng.normal(0, 0.03, (3, IMAGE_SIZE, IMAGE_SIZE))
    if rng.random() < 0.5:
        objects, relation = (_random_object(rng, heldout),), None
        positions = [rng.uniform(9, 23, 2)]
    else:
        special = int(rng.integers(2)) if heldout else -1  # which object carries the held-out combination
        objects = tuple(_random_object(rng, heldout and k == special) for k in range(2))
        relation = "left" if rng.random() < 0.5 else "above"
        along, across = rng.uniform(7, 9), rng.uniform(9, 23)  # first object; the second one 14-18 px further
        gap, wobble = rng.uniform(14, 18), rng.uniform(-2, 2)
        pairs = [(along, across), (along + gap, across + wobble)]
        positions = [np.array(p if relation == "left" else p[::-1]) for p in pairs]
    for obj, (cx, cy) in zip(objects, positions):
        _draw(image, obj, cx, cy, rng)
    return Scene(objects, relation), np.clip(image, 0, 1).astype(np.float32)


def make_split(n, rng, heldout=False):
    """``n`` scenes drawn with ``rng``, their images and reference captions."""
    scenes, images = zip(*(random_scene(rng, heldout) for _ in range(n)))
    return CaptionSplit(np.stack(images), list(scenes), [captions(s) for s in scenes])


def load_captioning(n_train=6000, n_val=500, n_test=1000, n_heldout=500, seed=0):
    """Fixed, seeded splits: ``{"train", "val", "test", "heldout"}`` of :class:`CaptionSplit`.

    The same seed gives the same images. No held-out combination appears in
    train, val or test; every "heldout" scene contains one.
    """
    rng = np.random.default_rng([seed, 2015])
    return {"train": make_split(n_train, rng), "val": make_split(n_val, rng),
            "test": make_split(n_test, rng), "heldout": make_split(n_heldout, rng, heldout=True)}


def encode_captions(texts, max_len=None):
    """Token ids (T + 1, N) from ``<start>`` to ``<end>``, padded with ``<pad>``, and the mask (T, N) of real targets."""
    rows = [[WORD_ID["<start>"]] + [WORD_ID[w] for w in t.split()] + [WORD_ID["<end>"]] for t in texts]
    T1 = max_len or max(map(len, rows))
    ids = np.full((T1, len(rows)), WORD_ID["<pad>"], dtype=np.int64)
    for j, row in enumerate(rows):
        ids[:len(row), j] = row
    return ids, (ids[1:] != WORD_ID["<pad>"]).astype(np.float32)


def decode_ids(ids):
    """A caption from a sequence of ids, stopping at ``<end>``."""
    words = []
    for k in ids:
        if VOCAB[int(k)] == "<end>":
            break
        words.append(VOCAB[int(k)])
    return " ".join(w for w in words if w not in SPECIALS)
