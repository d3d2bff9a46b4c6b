"""Captioning scenes, generated offline: small RGB images of one to three shapes, with captions from a grammar.

Each shape has a colour from a small palette and one of two sizes. The objects
of a scene form a chain: each one stands clearly to the right of, or clearly
below, the one before it, so that "to the left of" and "above" between
consecutive objects are well defined (three objects make a row, a column or
an L-shaped staircase). Every image comes with several reference captions
(varied phrasings of the same scene).

The splits are honest about generalisation. A scene's *description* (its
objects with their attributes, in canonical order, and its relations) is
assigned to exactly one of train, validation and test, so no validation or
test scene is described the same way as any training scene: a model cannot
pass the test by recalling a training caption. Some colour-shape
combinations (``HELD_OUT``) never occur in train, validation or test; they
have a split of their own, which measures compositional generalisation.
"""

from typing import NamedTuple

import numpy as np

SHAPES = ("circle", "square", "triangle")
COLOURS = {"red": (0.9, 0.15, 0.15), "green": (0.15, 0.8, 0.2), "blue": (0.2, 0.3, 0.95), "yellow": (0.95, 0.9, 0.15)}
SIZES = {"small": 3.5, "large": 6.0}  # radius in pixels
HELD_OUT = (("green", "triangle"), ("blue", "circle"))
RELATIONS = {"left": ("to the left of", "to the right of"), "above": ("above", "below")}
MAX_OBJECTS = 3
IMAGE_SIZE = 48
SPLIT_FRACTIONS = {"train": 0.6, "val": 0.1, "test": 0.3}  # of the scene descriptions with each number of objects
SPECIALS = ("<pad>", "<start>", "<end>")
WORDS = ("a", "there", "is", "that", "to", "the", "of", "left", "right", "above", "below",
         *SIZES, *COLOURS, *SHAPES)
VOCAB = SPECIALS + WORDS
WORD_ID = {w: k for k, w in enumerate(VOCAB)}
MAX_CAPTION_WORDS = 4 * MAX_OBJECTS + 6 * (MAX_OBJECTS - 1)  # "there is" + "to the right of" + "that is" ...


class Shape(NamedTuple):
    size: str
    colour: str
    shape: str


class Scene(NamedTuple):
    """A scene's description.

    ``objects`` in canonical order (the chain from the upper-left object on);
    ``relations`` holds one of "left" or "above" per consecutive pair:
    ``relations[k]`` says that ``objects[k]`` is to the left of, or above,
    ``objects[k + 1]``. A single object has ``relations == ()``.
    """

    objects: tuple
    relations: tuple


class CaptionSplit(NamedTuple):
    images: np.ndarray  # (N, 3, IMAGE_SIZE, IMAGE_SIZE) float32 in [0, 1]
    scenes: list  # N Scene
    references: list  # N lists of captions (strings)
    centres: list = None  # N arrays (objects, 2): each object's centre (x, y) in pixels, in canonical order


def _phrase(obj):
    return f"{obj.size} {obj.colour} {obj.shape}"


def _chain(objects, words):
    """ "a A w1 a B that is w2 a C": every relation after the first is introduced by "that is"."""
    text = f"a {_phrase(objects[0])}"
    for k, (word, obj) in enumerate(zip(words, objects[1:])):
        text += f"{' that is' if k else ''} {word} a {_phrase(obj)}"
    return text


def captions(scene):
    """Every reference caption of ``scene`` (the first is the canonical one)."""
    if not scene.relations:
        (obj,) = scene.objects
        return [f"a {_phrase(obj)}", f"there is a {_phrase(obj)}", f"a {obj.colour} {obj.shape} that is {obj.size}"]
    forward = _chain(scene.objects, [RELATIONS[r][0] for r in scene.relations])
    backward = _chain(scene.objects[::-1], [RELATIONS[r][1] for r in scene.relations[::-1]])
    return [forward, f"there is {forward}", backward, f"there is {backward}"]


_RELATION_WORDS = {tuple(phrase.split()): (relation, way) for relation, phrases in RELATIONS.items()
                   for way, phrase in enumerate(phrases)}  # ("to", "the", "left", "of") -> ("left", 0)


def parse_caption(caption):
    """Read a caption back into a :class:`Scene`, or None if it is not a sentence of the grammar.

    The grammar: an optional "there is", then "a SIZE COLOUR SHAPE", then up to
    two more objects, each after a relation ("to the left of", "to the right
    of", "above", "below"), the second relation introduced by "that is". The
    relations hold between consecutive objects and must all point one way
    (left/above: the chain is read forwards; right/below: backwards). A single
    object may also be written "a COLOUR SHAPE that is SIZE".
    """
    tokens = caption.split()
    if tokens[:2] == ["there", "is"]:
        tokens = tokens[2:]
    if (len(tokens) == 6 and tokens[0] == "a" and tokens[1] in COLOURS and tokens[2] in SHAPES
            and tokens[3:5] == ["that", "is"] and tokens[5] in SIZES):
        return Scene((Shape(tokens[5], tokens[1], tokens[2]),), ())
    objects, relations, ways, k = [], [], set(), 0
    while True:
        np_ = tokens[k:k + 4]
        if len(np_) != 4 or np_[0] != "a" or np_[1] not in SIZES or np_[2] not in COLOURS or np_[3] not in SHAPES:
            return None
        objects.append(Shape(*np_[1:]))
        k += 4
        if k == len(tokens):
            break
        if len(objects) == MAX_OBJECTS:
            return None
        if len(objects) > 1:
            if tokens[k:k + 2] != ["that", "is"]:
                return None
            k += 2
        for words, (relation, way) in _RELATION_WORDS.items():
            if tuple(tokens[k:k + len(words)]) == words:
                relations.append(relation)
                ways.add(way)
                k += len(words)
                break
        else:
            return None
    if len(ways) > 1:
        return None
    if ways == {1}:
        objects, relations = objects[::-1], relations[::-1]
    return Scene(tuple(objects), tuple(relations))


_GRID_Y, _GRID_X = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE] + 0.5  # pixel centres


def object_mask(obj, cx, cy):
    """The pixels (IMAGE_SIZE, IMAGE_SIZE) bool that :class:`Shape` ``obj`` covers when centred at (``cx``, ``cy``)."""
    yy, xx = _GRID_Y, _GRID_X
    r = SIZES[obj.size]
    if obj.shape == "circle":
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    if obj.shape == "square":
        return (np.abs(xx - cx) <= 0.85 * r) & (np.abs(yy - cy) <= 0.85 * r)
    return (yy >= cy - r) & (yy <= cy + r) & (np.abs(xx - cx) <= (yy - (cy - r)) / 2)  # apex up, base down


def _draw(image, obj, cx, cy, rng):
    inside = object_mask(obj, cx, cy)
    colour = np.clip(np.array(COLOURS[obj.colour]) + rng.uniform(-0.05, 0.05, 3), 0, 1)
    image[:, inside] = colour[:, None]


def object_kinds(heldout=False):
    """Every (size, colour, shape) :class:`Shape`, with (``heldout`` True) or without a held-out combination."""
    return [Shape(s, c, k) for s in SIZES for c in COLOURS for k in SHAPES if ((c, k) in HELD_OUT) == heldout]


def _positions(relations, rng):
    """Object centres (x, y) for a chain: each object 14-16 px right of (or below) the previous, +-2 px across."""
    n = len(relations) + 1
    steps = [np.array([1.0, 0.0]) if r == "left" else np.array([0.0, 1.0]) for r in relations]
    offsets = [np.zeros(2)]
    for step in steps:
        gap, wobble = rng.uniform(14, 16), rng.uniform(-2, 2)
        offsets.append(offsets[-1] + gap * step + wobble * step[::-1])
    offsets = np.array(offsets)
    margin = max(SIZES.values()) + 1
    low, high = margin - offsets.min(0), IMAGE_SIZE - margin - offsets.max(0)
    assert np.all(low <= high), "the chain must fit in the image"
    return offsets + rng.uniform(low, high) if n else offsets


def render(scene, rng):
    """The image (3, IMAGE_SIZE, IMAGE_SIZE) float32 of ``scene``, placed and coloured with noise from ``rng``."""
    return render_with_centres(scene, rng)[0]


def render_with_centres(scene, rng):
    """:func:`render`'s image, and the objects' centres (objects, 2) as (x, y) pixels (the same draws of ``rng``)."""
    image = np.full((3, IMAGE_SIZE, IMAGE_SIZE), 0.1) + rng.normal(0, 0.03, (3, IMAGE_SIZE, IMAGE_SIZE))
    centres = _positions(scene.relations, rng)
    for obj, (cx, cy) in zip(scene.objects, centres):
        _draw(image, obj, cx, cy, rng)
    return np.clip(image, 0, 1).astype(np.float32), np.asarray(centres, dtype=float)


def _n_descriptions(n):
    return len(object_kinds()) ** n * len(RELATIONS) ** (n - 1)


def _description(n, index):
    """The ``index``-th scene description with ``n`` ordinary objects (mixed radix: objects, then relations)."""
    kinds, names = object_kinds(), list(RELATIONS)
    objects, relations = [], []
    for _ in range(n):
        index, k = divmod(index, len(kinds))
        objects.append(kinds[k])
    for _ in range(n - 1):
        index, k = divmod(index, len(names))
        relations.append(names[k])
    return Scene(tuple(objects), tuple(relations))


def split_of_descriptions(n, seed=0):
    """``{"train", "val", "test"}``: the description indices (see ``_description``) of each split, for ``n`` objects.

    A seeded permutation of all descriptions with ``n`` ordinary objects, cut
    in the proportions of ``SPLIT_FRACTIONS``: the three sets are disjoint.
    """
    order = np.random.default_rng([seed, 2015, n]).permutation(_n_descriptions(n))
    cuts = np.round(np.cumsum([0, *SPLIT_FRACTIONS.values()]) * len(order)).astype(int)
    return {name: order[a:b] for name, a, b in zip(SPLIT_FRACTIONS, cuts[:-1], cuts[1:])}


def random_scene(rng, heldout=False, allowed=None):
    """A random :class:`Scene` of one to ``MAX_OBJECTS`` objects (the number uniform).

    ``allowed`` maps a number of objects to the description indices to draw
    from (uniformly); without it every ordinary description may be drawn. With
    ``heldout`` True, at least one object has a held-out colour-shape
    combination (and ``allowed`` is ignored).
    """
    n = int(rng.integers(1, MAX_OBJECTS + 1))
    if not heldout:
        index = rng.choice(allowed[n]) if allowed is not None else rng.integers(_n_descriptions(n))
        return _description(n, int(index))
    relations = tuple(str(r) for r in rng.choice(list(RELATIONS), n - 1))
    special = int(rng.integers(n))  # which object carries a held-out combination; the others may too
    objects = tuple(_pick(rng, object_kinds(True)) if k == special else _pick(rng, object_kinds() + object_kinds(True))
                    for k in range(n))
    return Scene(objects, relations)


def _pick(rng, items):
    return items[int(rng.integers(len(items)))]


def make_split(n, rng, heldout=False, allowed=None):
    """``n`` scenes drawn with ``rng`` (see :func:`random_scene`), their images and reference captions."""
    scenes = [random_scene(rng, heldout, allowed) for _ in range(n)]
    drawn = [render_with_centres(s, rng) for s in scenes]
    return CaptionSplit(np.stack([image for image, _ in drawn]), scenes, [captions(s) for s in scenes],
                        [centres for _, centres in drawn])


def load_captioning(n_train=6000, n_val=500, n_test=1000, n_heldout=500, seed=0):
    """Fixed, seeded splits: ``{"train", "val", "test", "heldout"}`` of :class:`CaptionSplit`.

    The same seed gives the same images. No scene description of "val" or
    "test" occurs in "train" (:func:`split_of_descriptions`). No held-out
    combination appears in train, val or test; every "heldout" scene contains one.
    """
    rng = np.random.default_rng([seed, 2015])
    parts = {n: split_of_descriptions(n, seed) for n in range(1, MAX_OBJECTS + 1)}
    allowed = {name: {n: parts[n][name] for n in parts} for name in SPLIT_FRACTIONS}
    return {"train": make_split(n_train, rng, allowed=allowed["train"]),
            "val": make_split(n_val, rng, allowed=allowed["val"]),
            "test": make_split(n_test, rng, allowed=allowed["test"]),
            "heldout": make_split(n_heldout, rng, heldout=True)}


def encode_captions(texts, max_len=None, vocab=VOCAB):
    """Token ids (T + 1, N) from ``<start>`` to ``<end>``, padded with ``<pad>``, and the mask (T, N) of real targets.

    ``vocab`` is the word list the ids index (it starts with ``SPECIALS``); by default the scenes' words.
    """
    word_id = WORD_ID if vocab is VOCAB else {w: k for k, w in enumerate(vocab)}
    rows = [[word_id["<start>"]] + [word_id[w] for w in t.split()] + [word_id["<end>"]] for t in texts]
    T1 = max_len or max(map(len, rows))
    ids = np.full((T1, len(rows)), word_id["<pad>"], dtype=np.int64)
    for j, row in enumerate(rows):
        ids[:len(row), j] = row
    return ids, (ids[1:] != word_id["<pad>"]).astype(np.float32)


def decode_ids(ids, vocab=VOCAB):
    """A caption from a sequence of ids into ``vocab`` (by default the scenes' words), stopping at ``<end>``."""
    words = []
    for k in ids:
        if vocab[int(k)] == "<end>":
            break
        words.append(vocab[int(k)])
    return " ".join(w for w in words if w not in SPECIALS)
