"""Checkpoints: NumPy only, the loader inverts the writer, and a bad file gets one line naming what is wrong."""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from lstm_course.tree import tree_items
from lstm_course.checkpoint import (CheckpointError, check_checkpoint_path, load_checkpoint, save_checkpoint,
                                    tree_from_items, write_atomically)
from lstm_course.numpy_impl.charlm import init_charlm
from lstm_course.params import init_lstm_params

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _bidirectional_model(rng, V=6, H=3, L=2):
    lstm = init_lstm_params(V, H, L, bidirectional=True, rng=rng)
    return {"lstm": lstm, "W_hy": rng.normal(size=(V, 2 * H)), "b_y": rng.normal(size=V)}


def test_loader_inverts_the_writer_for_a_two_layer_bidirectional_tree(tmp_path, rng):
    model = _bidirectional_model(rng)
    save_checkpoint(tmp_path / "m.npz", model, "abcdef", {"num_layers": 2})
    loaded, chars, meta = load_checkpoint(tmp_path / "m.npz")
    assert chars == "abcdef" and meta == {"num_layers": 2}
    assert [path for path, _ in tree_items(loaded)] == [path for path, _ in tree_items(model)]
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(tree_items(model), tree_items(loaded)))
    assert sorted(loaded["lstm"][1]) == ["forward", "reverse"]


def test_tree_from_items_inverts_tree_items_for_lists_and_dicts():
    tree = {"lstm": [{"forward": {"W": 1}, "reverse": {"W": 2}}, {"forward": {"W": 3}}], "b": 4}
    assert tree_from_items(dict(tree_items(tree))) == tree
    with pytest.raises(ValueError, match="not 0 .. 1"):
        tree_from_items({"lstm[0].W": 1, "lstm[2].W": 2})


def test_checkpoint_module_imports_without_torch():
    code = "import sys; sys.modules['torch'] = None\nimport lstm_course.checkpoint\nprint('ok')"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_sample_command_runs_with_torch_hidden(tmp_path, rng):
    save_checkpoint(tmp_path / "m.npz", init_charlm(5, 4, rng), "abcde", {"num_layers": 1})
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text("import sys\nsys.modules['torch'] = None  # import torch now fails\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hide), str(ROOT)])}
    result = subprocess.run([sys.executable, "-m", "lstm_course", "sample", str(tmp_path / "m.npz"), "--prime", "ab",
                             "--length", "10"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ab") and len(result.stdout.rstrip("\n")) == 12
    probe = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True, text=True, env=env)
    assert probe.returncode != 0, "the sitecustomize really hides torch"


def _saved(tmp_path, rng):
    """A valid one-layer checkpoint (V = 5, H = 4)."""
    path = tmp_path / "c.npz"
    save_checkpoint(path, init_charlm(5, 4, rng), "abcde", {"num_layers": 1})
    return path


@pytest.mark.parametrize("change, message", [
    ({"param:W_hy": None}, "the array W_hy is missing"),
    ({"param:lstm[0].forward.W_f": None}, r"lstm\[0\].forward.W_f \(4, 9\) is missing"),
    ({"param:W_hy": np.zeros((5, 3))}, r"W_hy must have shape \(5, 4\).*got \(5, 3\)"),
    ({"param:lstm[0].forward.b_o": np.full(4, np.nan)}, "b_o holds NaN values"),
    ({"param:b_y": np.full(5, np.inf)}, "b_y holds infinite values"),
    ({"meta": np.array('{"num_layers": 2}')}, "meta says num_layers = 2 but the file holds 1 layers"),
    ({"param:lstm[1].forward.W_f": np.zeros((4, 8))}, "meta says num_layers = 1 but the file holds 2 layers"),
    ({"param:extra": np.zeros(2)}, "unexpected array extra"),
    ({"vocab": np.array([97, 98, 99])}, "the vocabulary holds 3 characters but W_hy has 5 rows"),
    ({"param:W_hy": np.zeros((5, 4), dtype=np.int64)}, "must hold floats"),
    ({"meta": np.array("not json")}, "not a valid checkpoint"),
    ({"vocab": None}, "missing 'vocab'"),
])
def test_a_damaged_checkpoint_gets_one_line_naming_the_problem(tmp_path, rng, change, message):
    path = _saved(tmp_path, rng)
    with np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    for key, value in change.items():
        if value is None:
            del arrays[key]
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    with pytest.raises(CheckpointError, match=message) as caught:
        load_checkpoint(path)
    assert "\n" not in str(caught.value) and "allow_pickle" not in str(caught.value)


def test_pickled_arrays_are_refused_without_repeating_numpys_advice(tmp_path):
    np.savez(tmp_path / "p.npz", vocab=np.array([object()], dtype=object), meta=np.array("{}"))
    with pytest.raises(CheckpointError, match="holds Python objects") as caught:
        load_checkpoint(tmp_path / "p.npz")
    assert "allow_pickle" not in str(caught.value)


def test_writes_are_atomic_with_a_unique_temporary_name(tmp_path):
    seen = []

    def write(tmp):
        seen.append(tmp)
        pathlib.Path(tmp).write_text("x")

    write_atomically(tmp_path / "r.json", write)
    write_atomically(tmp_path / "r.json", write)
    assert seen[0] != seen[1] and not str(seen[0]).endswith("r.json.tmp.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]

    def fail(tmp):
        pathlib.Path(tmp).write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_atomically(tmp_path / "r.json", fail)
    assert (tmp_path / "r.json").read_text() == "x", "the old file is intact"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"], "no temporary file is left behind"


def test_checkpoint_path_may_be_neither_a_directory_nor_the_corpus(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("text")
    with pytest.raises(ValueError, match="is a directory"):
        check_checkpoint_path(tmp_path, str(corpus))
    with pytest.raises(ValueError, match="is the corpus file"):
        check_checkpoint_path(corpus, str(corpus))
    with pytest.raises(ValueError, match="is a file, so no folder"):
        check_checkpoint_path(corpus / "model.npz", "stdlib")
    check_checkpoint_path(tmp_path / "new" / "model.npz", str(corpus))  # fine: a new file in a new folder


def test_a_link_to_the_corpus_is_refused_as_checkpoint(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("text")
    (tmp_path / "soft.npz").symlink_to(corpus)
    os.link(corpus, tmp_path / "hard.npz")
    for link in ("soft.npz", "hard.npz"):
        with pytest.raises(ValueError, match="is the corpus file"):
            check_checkpoint_path(tmp_path / link, str(corpus))
