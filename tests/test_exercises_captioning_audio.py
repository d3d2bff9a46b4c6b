"""The captioning and audio checkers accept the reference, name each mistake of their zoo, and stage their hints.

Captioning: the teacher-forced loss with its padding mask (``check_caption_loss``) and greedy captions at test
time (``check_caption_sample``), as in CS231n. Audio: Karplus–Strong (eq. ``karplus-strong``), the generation
loop's frame update, and a harmonic's half-life from the per-period gain rho |cos(pi f / f_s)|.
"""

import numpy as np
import pytest

from conftest import run_checker
from lstm_course.exercises import (check_caption_loss, check_caption_sample, check_clipped_precision,
                                   check_frame_update, check_half_life, check_karplus_strong)
from lstm_course.exercises import audio, captioning

CHECKERS = [
    (check_caption_loss, captioning.reference_caption_loss, captioning.LOSS_MISTAKES, captioning.LOSS_HINTS),
    (check_caption_sample, captioning.reference_sample, captioning.SAMPLE_MISTAKES, captioning.SAMPLE_HINTS),
    (check_clipped_precision, captioning.reference_modified_precision, captioning.PRECISION_MISTAKES,
     captioning.PRECISION_HINTS),
    (check_karplus_strong, audio.reference_karplus_strong, audio.KS_MISTAKES, audio.KS_HINTS),
    (check_frame_update, audio.reference_push, audio.FRAME_MISTAKES, audio.FRAME_HINTS),
    (check_half_life, audio.reference_half_life, audio.HALF_MISTAKES, audio.HALF_HINTS),
]
IDS = [c[0].__name__ for c in CHECKERS]
ZOO = [(checker, mistake) for checker, _, mistakes, _ in CHECKERS for mistake in mistakes]


@pytest.mark.parametrize("checker, reference, mistakes, hints", CHECKERS, ids=IDS)
def test_checker_accepts_the_reference(checker, reference, mistakes, hints):
    ok, text = run_checker(checker, reference)
    assert ok, text


@pytest.mark.parametrize("checker, mistake", ZOO, ids=[f"{c.__name__}-{m.name}" for c, m in ZOO])
def test_checker_names_each_mistake_of_its_zoo(checker, mistake):
    ok, text = run_checker(checker, mistake.fn)
    assert not ok and mistake.name in text, text


@pytest.mark.parametrize("checker, reference, mistakes, hints", CHECKERS, ids=IDS)
def test_not_attempted_shows_the_nudge_not_the_formula(checker, reference, mistakes, hints):
    def unattempted(*args):
        raise NotImplementedError  # your code here

    ok, text = run_checker(checker, unattempted)
    assert not ok and "not attempted" in text
    assert hints.nudge in text and hints.formula not in text


@pytest.mark.parametrize("checker, reference, mistakes, hints", CHECKERS, ids=IDS)
def test_a_wrong_attempt_that_is_no_known_mistake_gets_the_formula(checker, reference, mistakes, hints):
    def off(*args):
        out = reference(*args)
        return out + 0.5 if not isinstance(out, np.ndarray) or out.dtype.kind == "f" else out + 1

    ok, text = run_checker(checker, off)
    assert not ok and hints.formula in text


def test_the_mistakes_are_told_apart_on_the_checkers_own_cases():
    for cases, reference, mistakes in ((captioning.LOSS_CASES, captioning.reference_caption_loss,
                                        captioning.LOSS_MISTAKES),
                                       (captioning.PRECISION_CASES, captioning.reference_modified_precision,
                                        captioning.PRECISION_MISTAKES),
                                       (audio.KS_CASES, audio.reference_karplus_strong, audio.KS_MISTAKES),
                                       (audio.FRAME_CASES, audio.reference_push, audio.FRAME_MISTAKES),
                                       (audio.HALF_CASES, audio.reference_half_life, audio.HALF_MISTAKES)):
        for case in cases:
            values = [np.asarray(reference(*case.args))] + [np.asarray(m.fn(*case.args)) for m in mistakes]
            for j, a in enumerate(values):
                for b in values[j + 1:]:
                    assert a.shape != b.shape or not np.allclose(a, b), case.name


def test_greedy_captions_stop_at_the_end_token_in_some_rows_and_run_to_max_len_in_others():
    args = captioning.SAMPLE_CASES[0].args
    ids, end, pad = captioning.reference_sample(*args), args[5], args[6]
    ended = [end in row for row in ids]
    assert any(ended) and not all(ended)
    for row in ids[np.array(ended)]:
        k = list(row).index(end)
        assert np.all(row[k + 1:] == pad)


def test_karplus_strong_reference_is_the_packages_string_before_clipping():
    from lstm_course.data.audio import karplus_strong

    y = karplus_strong(20, 300, np.random.default_rng(0), amplitude=0.5)[0]
    assert np.allclose(audio.reference_karplus_strong(y[:20], 300, 0.998), y, rtol=0, atol=1e-12)


def test_frame_update_matches_the_models_generation_loop():
    torch = pytest.importorskip("torch")
    from lstm_course.models.audio import SampleLSTM

    model = SampleLSTM(6, context=7)
    frame, code = np.random.default_rng(1).uniform(-0.5, 0.5, (2, 7)), np.array([3, 200])
    values = model.values[torch.as_tensor(code)][None, :, None]  # (1, B, 1), as in SampleLSTM.generate
    theirs = torch.cat([values, torch.as_tensor(frame, dtype=torch.float32)[None, :, :-1]], dim=-1)[0]
    assert np.allclose(audio.reference_push(frame, code), theirs.numpy(), atol=1e-6)  # float32 buffer


def test_half_life_of_the_10th_harmonic_of_a3():
    periods = audio.reference_half_life(10 * 8000 / 36.5, 0.998, 8000)
    gain = 0.998 * np.cos(np.pi * 10 * 8000 / 36.5 / 8000)
    assert gain ** periods == pytest.approx(0.5, abs=1e-12) and 1.5 < periods < 1.7


def test_modified_precision_is_what_corpus_bleu_multiplies():
    from lstm_course.bleu import corpus_bleu

    candidates, references, _ = captioning.PRECISION_CASES[0].args
    p = [captioning.reference_modified_precision(candidates, references, n) for n in range(1, 3)]
    c = sum(len(x.split()) for x in candidates)
    r = sum(min((abs(len(y.split()) - len(x.split())), len(y.split())) for y in refs)[1]
            for x, refs in zip(candidates, references))
    expected = min(1.0, np.exp(1 - r / c)) * np.exp(np.mean(np.log(p)))
    assert corpus_bleu(candidates, references, max_n=2) == pytest.approx(expected, rel=1e-12)


def test_papinenis_example_clips_seven_thes_to_two():
    p = captioning.reference_modified_precision(["the the the the the the the"],
                                                [["the cat is on the mat", "there is a cat on the mat"]], 1)
    assert p == pytest.approx(2 / 7, abs=1e-15)
