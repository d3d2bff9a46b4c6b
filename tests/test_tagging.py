"""The tagging data set and the experiment command (book: the bidirectional chapter)."""

import json
import subprocess
import sys

import numpy as np

from lstm_course.data.tagging import TAGS, encode, load_tagging, tag_source
from lstm_course.experiments.tagging import word_starts


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
    train, validation = load_tagging(T=32, n_files=10)
    again, _ = load_tagging(T=32, n_files=10)
    assert not set(train.files) & set(validation.files)
    assert np.array_equal(train.inputs, again.inputs)
    assert train.inputs.shape[1] == 32 and train.inputs.shape == train.tags.shape


def test_word_starts_mark_the_first_character_only():
    text = "x if idx\n"
    tagged = tag_source(text)
    starts = word_starts(encode(text)[None, :], tagged.tags[None, :])[0]
    assert [text[k] for k in np.flatnonzero(starts)] == ["i", "i"]


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
