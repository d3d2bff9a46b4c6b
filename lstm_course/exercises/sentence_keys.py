"""Checker for the question-answering chapter: gather one key per sentence from a padded batch.

The attention reader's keys are the bidirectional encoder's outputs at the last word of each sentence (the
"."). The learner gathers them from the padded word outputs ``(T, B, 2H)`` given the end indices ``(J, B)``
and the sentence mask ``(J, B)``.
"""

import numpy as np

from ._harness import Case, Hints, Mistake, check_function, shape_problem


def _reference(outputs, ends, mask):
    keys = np.take_along_axis(outputs, ends[:, :, None], axis=0)  # (J, B, 2H)
    return np.where(mask[:, :, None], keys, 0.0)


def _off_by_one(outputs, ends, mask):
    return _reference(outputs, np.minimum(ends + 1, outputs.shape[0] - 1), mask)


def _forward_only(outputs, ends, mask):
    return _reference(outputs, ends, mask)[:, :, : outputs.shape[2] // 2]


def _padding_keyed(outputs, ends, mask):
    return np.take_along_axis(outputs, ends[:, :, None], axis=0)


MISTAKES = [
    Mistake("off by one: the token after the end",
            "ends[j, b] is the index of sentence j's last word (its '.') in story b, already counted from 0: "
            "take outputs[ends[j, b], b], not the word after it.", _off_by_one),
    Mistake("the forward direction only",
            "a bidirectional encoder's output at a word is [forward state, backward state], 2H numbers: keep "
            "all of them; the backward half is what has read the rest of the sentence.", _forward_only),
    Mistake("padded sentences given a key",
            "a story with fewer sentences than the longest has padded sentences (mask False); their ends are 0, "
            "a placeholder. Their keys must be zeros (np.where(mask[:, :, None], keys, 0.0)).", _padding_keyed),
]

HINTS = Hints(
    nudge="For every sentence j of every story b, pick the encoder output at the word ends[j, b]: a gather along "
          "the time axis 0 of outputs (T, B, 2H). The result is (J, B, 2H); rows where mask is False are zeros.",
    formula="keys[j, b] = outputs[ends[j, b], b] where mask[j, b], else 0: np.take_along_axis(outputs, "
            "ends[:, :, None], axis=0), then np.where(mask[:, :, None], keys, 0.0).")


def _cases():
    rng = np.random.default_rng(7)
    cases = []
    for name, sentence_lengths in (("B=3 stories of 3, 2 and 1 sentences", ([4, 5, 3], [6, 4], [5])),
                                   ("B=2 stories of 2 and 4 sentences", ([3, 6], [4, 4, 5, 3]))):
        J, B = max(len(s) for s in sentence_lengths), len(sentence_lengths)
        T = max(sum(s) for s in sentence_lengths)
        ends, mask = np.zeros((J, B), dtype=np.int64), np.zeros((J, B), dtype=bool)
        for b, lengths in enumerate(sentence_lengths):
            ends[: len(lengths), b] = np.cumsum(lengths) - 1
            mask[: len(lengths), b] = True
        cases.append(Case(name, (rng.normal(size=(T, B, 6)), ends, mask)))
    return cases


def check_sentence_keys(fn, report=print):
    """Check ``fn(outputs (T, B, 2H), ends (J, B), mask (J, B)) -> keys (J, B, 2H)``.

    ``ends[j, b]`` is the index (from 0) of the last word of sentence j in story b, 0 for a padded sentence;
    ``mask[j, b]`` is True for a real sentence. ``keys[j, b] = outputs[ends[j, b], b]`` where ``mask``, zeros
    elsewhere. Names the mistakes of ``MISTAKES``; never raises.
    """
    return check_function(
        fn, title="Sentence keys", arg_names=("outputs", "ends", "mask"), cases=_cases(), reference=_reference,
        mistakes=MISTAKES, output_names=("keys",),
        check_output=lambda out, expected: shape_problem(out, expected, ("keys",)), hints=HINTS, report=report)
