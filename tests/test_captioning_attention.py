"""The attention captioner and its pointing measure: what the chapter's attention maps rest on."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course.data.shapes import (IMAGE_SIZE, VOCAB, Scene, Shape, encode_captions, load_captioning,  # noqa: E402
                                     object_mask, render, render_with_centres)
from lstm_course.experiments import attend as ca  # noqa: E402
from lstm_course.experiments.captioning import QUICK_STEPS  # noqa: E402
from lstm_course.models.captioning import AttentionCaptioner, caption_loss  # noqa: E402

G = IMAGE_SIZE // 8


@pytest.fixture(scope="module")
def small():
    return load_captioning(60, 10, 30, 10, seed=0)


def test_render_with_centres_draws_the_same_image_as_render():
    scene = Scene((Shape("large", "red", "circle"), Shape("small", "blue", "square")), ("left",))
    image, centres = render_with_centres(scene, np.random.default_rng(3))
    assert np.array_equal(image, render(scene, np.random.default_rng(3)))
    assert centres.shape == (2, 2) and centres[1, 0] > centres[0, 0]  # the second object to the right
    for obj, (cx, cy) in zip(scene.objects, centres):
        assert object_mask(obj, cx, cy)[int(cy), int(cx)]  # the centre pixel is inside its object


def test_every_split_keeps_one_centre_per_object(small):
    for split in small.values():
        assert [len(c) for c in split.centres] == [len(s.objects) for s in split.scenes]


def test_cell_cover_adds_up_to_each_objects_area(small):
    split = small["test"]
    for scene, centres in zip(split.scenes[:10], split.centres[:10]):
        cover = ca.cell_cover(scene, centres)
        assert cover.shape == (len(scene.objects), G * G)
        for obj, (cx, cy), row in zip(scene.objects, centres, cover):
            assert row.sum() * 64 == pytest.approx(object_mask(obj, cx, cy).sum())


def test_the_attention_captioner_reads_one_map_per_word_that_sums_to_one(small):
    torch.manual_seed(0)
    model = AttentionCaptioner(F=16, E=8, H=12, A=6)
    images = torch.as_tensor(small["train"].images[:3])
    ids, mask = encode_captions([r[0] for r in small["train"].references[:3]])
    ids = torch.as_tensor(ids)
    logits = model(images, ids[:-1])
    assert logits.shape == (ids.shape[0] - 1, 3, len(VOCAB))
    weights = model.attention_of(images, ids[:-1])
    assert weights.shape == (ids.shape[0] - 1, G * G, 3)
    assert torch.allclose(weights.sum(1), torch.ones(ids.shape[0] - 1, 3))
    loss = caption_loss(model, images, ids, torch.as_tensor(mask))
    loss.backward()
    assert model.W_q.grad is not None and model.W_k.grad.abs().sum() > 0
    captions, w = model.greedy_with_weights(images, max_len=5)
    assert len(captions) == 3 and w.shape == (5, G * G, 3)


def test_pointing_scores_one_when_the_attention_sits_on_the_named_object(small, monkeypatch):
    split = small["test"]
    model = AttentionCaptioner(F=16, E=8, H=12, A=6)

    def on_the_named_object(images, ids_in):
        T, B = ids_in.shape
        weights = torch.full((T, G * G, B), 1e-9)
        rows = [k for k, s in enumerate(split.scenes) if len(s.objects) >= 2]
        for j in range(B):
            k = rows[len(on_the_named_object.seen) + j]
            cover = ca.cell_cover(split.scenes[k], split.centres[k])
            text = split.references[k][0]
            for named, step in enumerate(ca.shape_word_steps(text)):
                weights[step, :, j] = torch.as_tensor(cover[named] / cover[named].sum())
        on_the_named_object.seen.extend(range(B))
        return weights

    on_the_named_object.seen = []
    monkeypatch.setattr(model, "attention_of", on_the_named_object)
    found = ca.pointing(model, split)
    assert len(found["hits"]) == sum(len(s.objects) for s in split.scenes if len(s.objects) >= 2)
    assert np.mean(found["hits"]) == 1.0
    assert set(found["objects"]) <= {2, 3}


def test_the_quick_run_keeps_what_the_chapter_reads():
    from lstm_course.experiments import run_experiment

    m = run_experiment("captioning-attention", quick=True)
    assert m["steps"] == QUICK_STEPS and m["grid"] == G
    n = m["pointing_words"]
    assert len(m["pointing_hits"]) == len(m["pointing_hits_untrained"]) == len(m["pointing_scenes"]) == n
    assert 0 < m["pointing_chance"] < 1
    for example in m["examples"]:
        assert len(example["weights"]) == len(example["caption"].split()) + 1
