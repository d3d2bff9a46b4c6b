"""The tagging data set and the experiment command (book: the bidirectional chapter)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from lstm_course.data.tagging import TAGS, VOCAB_SIZE, encode, load_windows, tag_source
from lstm_course.data.stdlib import stdlib_files
from lstm_course.experiments.tagging import word_starts

ROOT_STDLIB = stdlib_files()[0].parent


def _tags_of(text, word):
    tagged = tag_source(text)
    start = text.index(word)
    return [TAGS[k] for k in tagged.tags[start:start + len(word)]]


def test_the_first_letter_of_if_and_id_gets_different_tags():
    assert _tags_of("if id(x):\n    pass\n", "if") == ["keyword", "keyword"]
    assert _tags_of("if id(x):\n    pass\n", "id") == ["name", "name"]


def test_strings_comments_numbers_and_operators_are_tagged():
    text = 's = "ab" + 0x1F  # note\n'
    assert set(_tags_of(text, '"ab"')) == {"string"}
    assert set(_tags_of(text, "0x1F")) == {"number"}
    assert set(_tags_of(text, "# note")) == {"comment"}
    assert _tags_of(text, "+") == ["operator"]
    assert _tags_of(text, " ") == ["space"]


def test_split_is_by_file_and_deterministic():
    train, validation = load_windows(T=32, n_files=10)
    again, _ = load_windows(T=32, n_files=10)
    assert not set(train.files) & set(validation.files)
    assert np.array_equal(train.ids, again.ids)
    assert train.ids.shape[0] == 32 and train.ids.shape == train.tags.shape


def test_windows_are_time_major_columns_of_the_tagged_text():
    train, _ = load_windows(T=32, n_files=10)
    first = tag_source((ROOT_STDLIB / train.files[0]).read_text(encoding="utf-8"))
    assert np.array_equal(train.ids[:, 1], encode(first.text)[32:64])  # window 1 = characters 32..63
    assert np.array_equal(train.tags[:, 1], first.tags[32:64])


def test_word_starts_mark_the_first_character_only():
    text = "x if idx\n"
    tagged = tag_source(text)
    starts = word_starts(tagged.tags[:, None])[:, 0]  # (T, B = 1)
    assert [text[k] for k in np.flatnonzero(starts)] == ["i", "i"]


def test_predict_tags_is_time_major_and_independent_of_the_batch_size():
    torch = pytest.importorskip("torch")
    from lstm_course.models.tagger import Tagger, predict_tags

    torch.manual_seed(0)
    tagger = Tagger(VOCAB_SIZE, len(TAGS), np.random.default_rng(0), E=4, H=5, bidirectional=True)
    ids = encode("def f(x):\n    return x + 1  # one\n" * 3).reshape(3, -1).T  # (T, B = 3)
    tags = predict_tags(tagger, ids)
    assert tags.shape == ids.shape
    assert np.array_equal(tags, predict_tags(tagger, ids, batch_size=1))
    assert np.array_equal(tags[:, 2], predict_tags(tagger, ids[:, 2:])[:, 0])


def test_run_tagging_quick_prints_json_last_and_saves_provenance(tmp_path):
    env = {"LSTM_COURSE_RESULTS": str(tmp_path), "PATH": ""}
    result = subprocess.run([sys.executable, "-m", "lstm_course", "run", "tagging", "--quick", "--save"],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"accuracy_unidirectional", "accuracy_bidirectional", "accuracy_majority"} <= set(metrics)
    assert "step" in result.stderr  # progress goes to stderr
    saved = json.loads((tmp_path / "tagging.json").read_text())
    assert {"command", "version", "date", "device"} <= set(saved) and saved["metrics"] == metrics


def test_unknown_experiment_is_a_clear_error():
    result = subprocess.run([sys.executable, "-m", "lstm_course", "run", "nonsense"], capture_output=True, text=True)
    assert result.returncode != 0 and "invalid choice: 'nonsense'" in result.stderr
