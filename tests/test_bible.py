"""Real sentence pairs (chapters 11 and 12): the Bible's verses in English and French, aligned by verse,
whole books held out, rare words mapped to <unk>, and the scores of the translation experiment.

The tests that read the verses skip without them (``make data``); the tokeniser and the scores need nothing.
"""

import pytest

from lstm_course.bleu import corpus_bleu
from lstm_course.realdata import bible, cache

needs_verses = pytest.mark.skipif(not cache.is_fetched(bible.SOURCE), reason="bible-en-fr is not fetched (make data)")


def test_the_tokeniser_keeps_elisions_whole_and_splits_punctuation():
    assert bible.tokens("Et Dieu dit: Que la lumière soit! L’homme") == [
        "et", "dieu", "dit", ":", "que", "la", "lumière", "soit", "!", "l'homme"]
    assert bible.tokens("Don't fear, Abram.") == ["don't", "fear", ",", "abram", "."]


def test_held_out_books_share_no_verse_with_training():
    verses = [bible.Verse(book, 1, 1, "a", "b") for book in range(1, 67)]
    parts = bible.split(verses)
    books = {name: {v.book for v in part} for name, part in parts.items()}
    assert not books["train"] & books["test"] and not books["train"] & books["val"]
    assert books["test"] == {3, 13, 23, 33, 43, 53, 63} and len(books["train"]) == 53


@needs_verses
def test_every_verse_is_aligned_in_both_versions():
    verses = bible.pairs()
    assert len(verses) == 31102 and all(v.english and v.french for v in verses)
    first = verses[0]
    assert (first.book, first.chapter, first.verse) == (1, 1, 1)
    assert first.english.startswith("In the beginning God created") and first.french.startswith("Au commencement")


def test_the_course_bleu_equals_sacrebleu_on_tokenised_text():
    sacrebleu = pytest.importorskip("sacrebleu")
    candidates = ["et dieu dit : que la lumière soit", "le fils de l'homme", "il vint à jérusalem ."]
    references = ["et dieu dit : que la lumière soit !", "le fils de l'homme est venu", "il alla à jérusalem ."]
    ours = corpus_bleu(candidates, [[r] for r in references])
    theirs = sacrebleu.corpus_bleu(candidates, [references], tokenize="none", smooth_method="none", force=True)
    assert abs(ours - theirs.score / 100) < 1e-12


@needs_verses
def test_the_quick_run_reports_both_arms_the_baseline_and_the_beam():
    pytest.importorskip("torch")
    from lstm_course.experiments import bible as experiment
    from lstm_course.experiments import run_experiment

    m = run_experiment("translate-bible", quick=True, progress=lambda line: None)
    assert m["train_verses"] == 300 and m["test_verses"] == 40 and m["max_tokens"] == experiment.MAX_TOKENS
    for arm in ("attention", "no_attention"):
        assert len(m[f"{arm}_bleu_per_seed"]) == 1
        assert abs(m[f"{arm}_bleu_per_seed"][0] - m[f"{arm}_sacrebleu_bleu_per_seed"][0]) < 1e-9
    assert abs(m["nearest_bleu"] - m["nearest_sacrebleu_bleu"]) < 1e-9 and 0 <= m["nearest_chrf"] <= 1
    assert 0 <= m["beam_bleu"] <= 1 and m["attention_map"]["source"]


@needs_verses
def test_rare_training_words_become_unk_and_the_vocabularies_hold_it():
    pytest.importorskip("torch")
    from lstm_course.experiments.bible import UNK, Corpus

    corpus = Corpus(limit=200)
    assert corpus.source(["zzzz-never"]) == [UNK] and UNK in corpus.src_vocab.index
    assert all(len(s) <= 20 and len(t) <= 20 for s, t, _ in corpus.splits["train"])


def test_alignment_quality_counts_short_verses_and_reads_matching_lengths_as_aligned():
    same = [bible.Verse(1, 1, k, " ".join(["w"] * n), " ".join(["m"] * n)) for k, n in enumerate((3, 8, 25, 12))]
    q = bible.alignment_quality(same)
    assert abs(q["length_correlation"] - 1) < 1e-12 and q["ratio_within_2"] == 1 and q["short_verses"] == 3
    skewed = [bible.Verse(1, 1, 1, "a b c d e", "x"), bible.Verse(1, 1, 2, "a", "x y z")]
    assert bible.alignment_quality(skewed)["ratio_within_2"] == 0


@needs_verses
def test_another_public_domain_pair_reads_the_same_verses():
    verses = bible.pairs("k", "5")
    assert len(verses) == 31102 and verses[0].english.startswith("In the beginning God created")
