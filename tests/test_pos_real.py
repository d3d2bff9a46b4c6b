"""Part-of-speech tagging of real sentences: the tagger reads each sentence alone, whatever shares its batch.

The model tests use made-up sentences; the experiment's quick run needs the real data set
(``make data``) and skips without it.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from lstm_course.experiments.pos import MostFrequentTag, score  # noqa: E402
from lstm_course.models.word_tagger import Vocabulary, WordTagger, _reverse_within, shape_of  # noqa: E402
from lstm_course.realdata import cache, pos  # noqa: E402

SENTENCES = [[("The", "DT"), ("cat", "NN"), ("sat", "VBD"), (".", ".")],
             [("A", "DT"), ("dog", "NN"), ("ran", "VBD"), ("home", "NN"), ("today", "NN"), (".", ".")],
             [("Cats", "NNS"), ("sat", "VBD")],
             [("The", "DT"), ("dog", "NN"), ("sat", "VBD"), (".", ".")]]


def test_shapes_of_words():
    assert [shape_of(w) for w in ("cat", "Cat", "NASA", "3rd", "--")] == [0, 1, 2, 3, 4]


def test_reversing_within_each_length_leaves_the_padding_in_place():
    xs = torch.arange(12.0).reshape(4, 3, 1)  # (T, B, 1), column b = 0..3 + 4 * ...
    out = _reverse_within(xs, [4, 2, 1])[..., 0]
    assert out[:, 0].tolist() == [9.0, 6.0, 3.0, 0.0]
    assert out[:, 1].tolist() == [4.0, 1.0, 7.0, 10.0] and out[:, 2].tolist() == [2.0, 5.0, 8.0, 11.0]


@pytest.mark.parametrize("bidirectional, num_layers", [(False, 1), (True, 1), (True, 2)])
def test_a_sentence_gets_the_same_tags_alone_as_in_a_padded_batch(bidirectional, num_layers):
    vocabulary = Vocabulary(SENTENCES, min_count=1)
    model = WordTagger(vocabulary, np.random.default_rng(0), E=8, H=5, bidirectional=bidirectional,
                       num_layers=num_layers).double()
    batch = [torch.from_numpy(a) for a in vocabulary.encode(SENTENCES)]
    together = model(*batch[:3], batch[4])  # (T, B, C)
    for b, sentence in enumerate(SENTENCES):
        alone = [torch.from_numpy(a) for a in vocabulary.encode([sentence])]
        assert torch.allclose(model(*alone[:3], alone[4])[:, 0], together[:len(sentence), b], atol=1e-12)


def test_the_twin_and_torch_nn_tag_alike():
    vocabulary = Vocabulary(SENTENCES, min_count=1)
    batch = [torch.from_numpy(a) for a in vocabulary.encode(SENTENCES)]
    twin, nn = (WordTagger(vocabulary, np.random.default_rng(1), E=8, H=5, bidirectional=True, backend=b).double()
                for b in ("twin", "nn"))
    assert torch.allclose(twin(*batch[:3], batch[4]), nn(*batch[:3], batch[4]), atol=1e-10)


def test_the_baseline_and_the_score_count_unknown_words():
    baseline = MostFrequentTag(SENTENCES[:2])
    test = [[("The", "DT"), ("bat", "NN"), ("sat", "VBD")]]
    predicted = [baseline.tag([w for w, _ in s]) for s in test]
    assert predicted == [["DT", "NN", "VBD"]]  # "bat" and its suffix are unknown: the commonest tag, NN
    result = score(predicted, test, {"the", "cat", "sat", "."})
    assert result == {"accuracy": 1.0, "accuracy_unknown": 1.0, "tokens": 3, "unknown_tokens": 1}


def test_the_quick_run_on_real_sentences_reports_every_model_and_the_baseline():
    if not cache.is_fetched(pos.SOURCE):
        pytest.skip("pos-english is not fetched (make data)")
    from lstm_course.experiments import run_experiment

    metrics = run_experiment("pos", quick=True, progress=lambda line: None)
    assert metrics["train_sentences"] == 1000 and metrics["test_tokens"] > 3000
    assert 0.8 < metrics["most_frequent_test_accuracy"] < 0.9
    for name in ("unidirectional", "bidirectional", "stacked_bidirectional"):
        assert 0 <= metrics[f"{name}_test_accuracy"] <= 1 and len(metrics[f"{name}_wsj_accuracy_per_seed"]) == 1
