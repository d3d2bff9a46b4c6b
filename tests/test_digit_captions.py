"""Captioning strips of real handwritten digits (chapter 15): the strips read left to right, the splits share no
image, held-out sequences never reach training, and the captioner speaks the digits' own vocabulary.

The strip and score tests use made-up digits; the experiment's quick run needs the real data set
(``make data``) and skips without it.
"""

import numpy as np
import pytest

from lstm_course.realdata import cache, digits

torch = pytest.importorskip("torch")

from lstm_course.experiments import digits as digit_captions  # noqa: E402


def _fake_digits():
    """Ten made-up 16 x 16 digits, digit d drawn with ink (d + 1) / 10, and their labels."""
    small = np.repeat(((np.arange(10) + 1) / 10).astype(np.float32), 16 * 16).reshape(10, 16, 16)
    return small, np.arange(10)


def test_the_splits_share_no_image_and_keep_each_digit_in_proportion():
    labels = np.repeat(np.arange(10), 500)
    splits = digits.split_indices(labels)
    assert {k: len(v) for k, v in splits.items()} == {"train": 3000, "val": 500, "test": 1500}
    everything = np.concatenate(list(splits.values()))
    assert len(np.unique(everything)) == len(labels), "every image in exactly one split"
    assert all(np.all(np.bincount(labels[v]) == len(v) // 10) for v in splits.values())


def test_shrinking_by_area_keeps_the_mean_ink():
    images = np.random.default_rng(0).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    small = digits.shrink(images)
    assert small.shape == (3, 16, 16) and small.dtype == np.float32
    assert np.allclose(small.mean(axis=(1, 2)), images.mean(axis=(1, 2)) / 255, atol=1e-6)


def test_a_strip_shows_its_digits_left_to_right_without_overlap():
    small, labels = _fake_digits()
    images, sequences = digits.strips(small, labels, np.arange(10), 200, np.random.default_rng(1))
    assert images.shape == (200, 3, 48, 48) and {len(s) for s in sequences} == {1, 2, 3}
    for image, sequence in zip(images, sequences):
        ink_by_column = image[0].max(axis=0)  # (48,): each column holds one digit's ink or none
        seen = [round(float(v) * 10) - 1 for k, v in enumerate(ink_by_column)
                if v > 0 and (k == 0 or ink_by_column[k - 1] != v)]
        assert tuple(seen) == sequence, "the caption's order is the order from the left"
        assert np.count_nonzero(image[0]) == 16 * 16 * len(sequence), "no digit covers another"


def test_excluded_sequences_never_appear():
    small, labels = _fake_digits()
    exclude = {(1, 2), (3,), (0, 0, 0)}
    _, sequences = digits.strips(small, labels, np.arange(10), 500, np.random.default_rng(2), exclude=exclude)
    assert not exclude & set(sequences)


def test_held_out_sequences_are_a_fifth_of_each_length_and_never_train():
    held = digit_captions.held_out_sequences()
    assert sum(len(s) == 2 for s in held) == 20 and sum(len(s) == 3 for s in held) == 200
    assert all(len(s) in (2, 3) for s in held)


def test_a_caption_is_the_digit_words_in_order():
    assert digits.caption((3, 1, 4)) == "three one four" and digits.caption((0,)) == "zero"


@pytest.mark.parametrize("a, b, distance", [("abc", "abc", 0), ("abc", "abd", 1), ("ab", "abc", 1),
                                            ("", "abc", 3), ("kitten", "sitting", 3)])
def test_edit_distance(a, b, distance):
    assert digit_captions.edit_distance(list(a), list(b)) == distance


def test_the_scores_count_digits_lengths_and_unseen_sequences():
    sequences = [(1,), (2, 3), (4, 5, 6)]
    captions = ["one", "two four", "four five"]
    result = digit_captions.scores(captions, sequences, seen={(1,), (2, 3)})
    assert result["hits"] == [1, 0, 0] and result["exact_match"] == pytest.approx(1 / 3)
    assert result["digit_error_rate"] == pytest.approx(2 / 6)  # one substitution, one deletion, of 6 digits
    assert result["count_accuracy"] == pytest.approx(2 / 3)
    assert result["exact_match_by_digits"] == {"1": 1.0, "2": 0.0, "3": 0.0}
    assert result["exact_match_unseen"] == 0.0


def test_the_nearest_strip_in_pixels_gives_its_caption():
    train = np.random.default_rng(3).random((5, 3, 4, 4)).astype(np.float32)
    captions = [f"c{k}" for k in range(5)]
    assert digit_captions.nearest_pixel_captions(train, captions, train[[3, 1]] + 0.01) == ["c3", "c1"]


def test_the_captioner_writes_in_the_vocabulary_it_was_given():
    from lstm_course.models.captioning import Captioner, caption_batches
    from lstm_course.data.shapes import CaptionSplit

    torch.manual_seed(0)
    model = Captioner("every", F=8, E=4, H=8, vocab=digit_captions.VOCAB, max_words=3)
    assert model.readout.out_features == 13
    captions = model.eval().greedy(torch.zeros(2, 3, 48, 48))
    # untrained, it may never write <end>: greedy stops after max_words + 1 tokens
    assert all(set(c.split()) <= set(digits.DIGIT_WORDS) and len(c.split()) <= 4 for c in captions)
    split = CaptionSplit(np.zeros((2, 3, 48, 48), np.float32), [(1,), (9, 9)], [["one"], ["nine nine"]])
    _, ids, mask = caption_batches(split, 4, np.random.default_rng(0), vocab=digit_captions.VOCAB)(0)
    assert int(ids.max()) < 13 and mask.shape[1] == 4


def test_the_quick_run_on_real_digits_reports_the_captioner_and_both_baselines():
    if not cache.is_fetched(digits.SOURCE):
        pytest.skip("digits is not fetched (make data)")
    from lstm_course.experiments import run_experiment

    metrics = run_experiment("captioning-digits", quick=True, progress=lambda line: None)
    assert metrics["train_strips"] == 120 and metrics["seeds"] == 1
    for name in ("most_frequent", "nearest_pixels", "captioner"):
        assert 0 <= metrics[f"{name}_exact_match"] <= 1
        assert metrics[f"{name}_digit_error_rate"] >= 0
    assert len(metrics["captioner_exact_match_per_seed"]) == 1 and len(metrics["examples"]) == 12


def test_the_saved_run_backs_the_chapter_no_baseline_can_write_an_unseen_sequence():
    from lstm_course import records

    m = records.saved("captioning-digits")["metrics"]
    assert m["seeds"] == 5 and len(m["captioner_exact_match_unseen_per_seed"]) == 5
    assert m["most_frequent_exact_match_unseen"] == 0 and m["nearest_pixels_exact_match_unseen"] == 0
    assert 0 < m["test_sequences_seen_in_training"] < 1


def test_the_segmenting_baseline_cuts_at_empty_columns_and_names_each_piece():
    small, labels = _fake_digits()
    # each made-up digit: a bar of its own height in a 16 x 16 cell, so that pieces differ in shape
    shapes = np.zeros((10, 16, 16), np.float32)
    for d in range(10):
        shapes[d, 2:4 + d, 5:11] = 1.0
    images, sequences = digits.strips(shapes, labels, np.arange(10), 50, np.random.default_rng(4))
    pieces = [digit_captions.ink_pieces(image) for image in images]
    assert [len(p) for p in pieces] == [len(s) for s in sequences], "one piece per digit"
    captions = digit_captions.segmented_captions(shapes, labels, images)
    assert captions == [digits.caption(s) for s in sequences]
    assert digit_captions.segmented_captions(shapes, labels, np.zeros((1, 3, 48, 48), np.float32)) == [""]
