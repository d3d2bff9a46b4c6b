"""Number-word pairs and bAbI-like stories: disjoint splits, real language rules, correct answers."""

import numpy as np
import pytest

from lstm_course.data import numbers, stories


def test_number_splits_are_disjoint_and_hold_out_the_long_band():
    data = numbers.make_number_data("en-de", n_train=3000, n_validation=200, n_test=300, n_held_out=50)
    sets = [set(s.numbers.tolist()) for s in (data.train, data.validation, data.test, data.held_out)]
    for j in range(4):
        for k in range(j + 1, 4):
            assert not sets[j] & sets[k]
    low, high = numbers.HELD_OUT
    assert all(low <= n <= high for n in sets[3])
    assert not any(low <= n <= high for s in sets[:3] for n in s)
    assert max(sets[0]) >= 10 ** 5  # several orders of magnitude


def test_german_puts_units_before_tens_and_french_counts_in_twenties():
    assert numbers.number_words(23, "de") == "dreiundzwanzig"
    assert numbers.number_words(97, "fr") == "quatre-vingt-dix-sept"
    assert numbers.words(numbers.number_words(1999, "en")) == ["one", "thousand", "nine", "hundred", "and",
                                                              "ninety", "nine"]


def test_vocab_round_trip_and_padding_is_time_major():
    data = numbers.make_number_data("en-fr", n_train=500, n_validation=10, n_test=10, n_held_out=5)
    ids, lengths = numbers.encode_batch(data.test.targets[:3], data.tgt_vocab, bos_eos=True)
    assert ids.shape == (lengths.max(), 3)
    assert ids[0].tolist() == [numbers.BOS] * 3
    for b in range(3):
        assert data.tgt_vocab.decode(ids[1:, b]) == data.test.targets[b]


def test_bad_pair_is_one_clear_error():
    with pytest.raises(ValueError, match=r"pair must be one of \['en-de', 'en-fr'\]; got 'en-es'"):
        numbers.make_number_data("en-es")


@pytest.mark.parametrize("kind", ["single", "two"])
def test_story_answers_follow_from_the_supporting_facts(kind):
    data = stories.make_stories(kind, 200, 2, 10, seed=1)
    for story, question, answer, supporting in zip(*data):
        moves = [story[s] for s in supporting if story[s][-2] in stories.ROOMS]
        assert len(moves) == 1 and moves[0][-2] == stories.ROOMS[answer]  # one supporting move names the room
        last = moves[0]
        if kind == "single":
            person = question[2]
            assert last[0] == person
            assert not any(s[0] == person for s in story[supporting[0] + 1:])
        else:
            (pick,) = [story[s] for s in supporting if story[s][-2] not in stories.ROOMS]
            assert pick[-2] == question[3] and pick[0] == last[0]
            later = [s for s in story[max(supporting) + 1:] if s[0] == last[0] and s[-2] in stories.ROOMS]
            assert not later  # the holder does not move after the supporting move


def test_story_encoding_marks_each_sentence_end():
    data = stories.make_stories("single", 5, 2, 6, seed=0)
    index = {w: k for k, w in enumerate(stories.vocabulary())}
    words, lengths, ends, mask, questions = stories.encode_stories(data, index)
    for b, story in enumerate(data.stories):
        assert mask[:, b].sum() == len(story)
        assert all(words[ends[s, b], b] == index["."] for s in range(len(story)))
        assert lengths[b] == sum(len(s) for s in story)
