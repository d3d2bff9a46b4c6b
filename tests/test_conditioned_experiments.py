"""The captioning and audio experiments: their models, metrics, baselines, and the JSON keys of the contract."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch

from lstm_course.data import audio, shapes
from lstm_course.experiments.audio import bigram_bits, lpc_bits, unigram_bits
from lstm_course.experiments.captioning import attribute_accuracy, exact_match, nearest_captions
from lstm_course.models.audio import SampleLSTM
from lstm_course.models.captioning import Captioner
from lstm_course.numpy_impl import init_state_forward


def test_captioner_initial_state_is_the_numpy_conditioned_h0():
    torch.manual_seed(0)
    model = Captioner("init").double().eval()
    features = torch.randn(3, 128, dtype=torch.float64)
    h0, c0 = model.start(features)
    ours = init_state_forward(features.numpy(), model.img.weight.detach().numpy(), model.img.bias.detach().numpy())
    assert np.allclose(h0[0].detach().numpy(), ours, rtol=0, atol=1e-12) and not c0.any()


@pytest.mark.parametrize("conditioning", ["init", "input"])
def test_captioner_logits_depend_on_the_image(conditioning):
    torch.manual_seed(0)
    model = Captioner(conditioning).eval()
    split = shapes.make_split(2, np.random.default_rng(0))
    ids, _ = shapes.encode_captions([refs[0] for refs in split.references])
    logits = model(torch.as_tensor(split.images), torch.as_tensor(ids[:-1]))
    assert logits.shape == (ids.shape[0] - 1, 2, len(shapes.VOCAB))
    assert (logits[:, 0] - logits[:, 1]).abs().amax(dim=1).min() > 0, "the two images differ at every step"
    assert len(model.greedy(torch.as_tensor(split.images))) == 2


def test_captioner_rejects_an_unknown_conditioning():
    with pytest.raises(ValueError, match="conditioning must be 'init' or 'input'"):
        Captioner("every-step")


def test_attribute_accuracy_scores_slots_and_counts_unparsable_captions_wrong():
    A, B = shapes.Shape("small", "red", "circle"), shapes.Shape("large", "blue", "square")
    scenes = [shapes.Scene((A,), ()), shapes.Scene((A, B), ("left",))]
    captions = ["a small red square", "a large blue square to the right of a small red circle"]
    acc = attribute_accuracy(captions, scenes)
    assert acc["shape"] == 2 / 3 and acc["colour"] == 1 and acc["relation"] == 1
    assert exact_match(captions, scenes) == 0.5
    assert attribute_accuracy(["nonsense", "a red"], scenes)["colour"] == 0


def test_nearest_captions_returns_the_closest_training_caption():
    split = shapes.make_split(3, np.random.default_rng(1))
    features = np.eye(3)
    assert nearest_captions(features, split, features[[2, 0]] + 0.1) == [split.references[2][0],
                                                                         split.references[0][0]]


def test_audio_baselines_order_on_a_predictable_signal():
    notes = audio.load_notes(n_train=4, n_val=1, n_samples=400)
    bits = [f(notes["train"].codes, notes["val"].codes) for f in (unigram_bits, bigram_bits, lpc_bits)]
    assert all(0 < b < 8.1 for b in bits)
    assert bits[2] < bits[0], "the last 40 samples help"


def test_pitch_condition_reaches_every_step_and_changes_the_prediction():
    torch.manual_seed(0)
    model = SampleLSTM(6, H=16).eval()
    codes = torch.randint(0, 256, (50, 1))
    a, _ = model(codes, torch.tensor([0]))
    b, _ = model(codes, torch.tensor([5]))
    assert (a - b).abs().amax(dim=(1, 2)).min() > 0


def test_sample_lstm_windows_hold_the_last_samples_newest_first():
    model = SampleLSTM(6, H=8, context=3)
    codes = torch.tensor([[10], [20], [30]])
    w = model.windows(codes)[:, 0]
    v = model.values
    assert torch.equal(w[2], torch.stack([v[30], v[20], v[10]])) and torch.equal(w[0, 1:], torch.zeros(2))


def test_generation_matches_the_teacher_forced_windows():
    torch.manual_seed(0)
    model = SampleLSTM(6, H=8, context=5).eval()
    codes = model.generate(torch.tensor([1, 4]), 12, torch.Generator().manual_seed(0))
    assert codes.shape == (2, 12) and codes.min() >= 0 and codes.max() <= 255


def _run_quick(name):
    out = subprocess.run([sys.executable, "-m", "lstm_course", "run", name, "--quick"], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_captioning_quick_run_reports_the_contract_keys():
    metrics = _run_quick("captioning")
    for key in ("attribute_accuracy", "exact_match", "bleu4", "bleu4_nearest_neighbour",
                "exact_match_heldout_combinations"):
        assert key in metrics, key
    assert set(metrics["attribute_accuracy"]) >= {"shape", "colour", "size", "relation"}


def test_audio_quick_run_reports_the_contract_keys():
    metrics = _run_quick("audio")
    for key in ("val_bits_per_sample", "unigram_bits_per_sample", "bigram_bits_per_sample", "lpc_bits_per_sample",
                "pitch_within_50_cents", "median_pitch_error_cents"):
        assert isinstance(metrics[key], float), key
