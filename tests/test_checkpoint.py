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


# --- hostile files: one accurate line each, through `python -m lstm_course sample` ------------------------

def _sample(capsys, *argv):
    """``python -m lstm_course sample ARGV`` in this process: ``(exit status, stdout, stderr)``."""
    from lstm_course import __main__ as cli

    try:
        cli.main(["sample", *map(str, argv)])
        status = 0
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def _member(name, header, data=b""):
    """A raw ``.npy`` member: a header that declares what it likes, then ``data``."""
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return name, buffer.getvalue() + data  # write_array_header_1_0 writes the magic too


def _zip(path, members, compression=0):
    import zipfile

    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)


def _corrupt_deflate(where):
    """A compressed checkpoint whose W_hy deflate stream is damaged at its start (zlib.error) or middle (CRC)."""
    def make(path, rng):
        import struct
        import zipfile

        from lstm_course.tree import tree_items as items

        with open(path, "wb") as file:
            np.savez_compressed(file, vocab=np.arange(97, 102), meta=np.array('{"num_layers": 1}'),
                                **{f"param:{k}": v for k, v in items(init_charlm(5, 4, rng))})
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("param:W_hy.npy")
        raw = bytearray(path.read_bytes())
        name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        start = info.header_offset + 30 + name_length + extra_length
        if where == "start":
            raw[start] = 0xFF  # BTYPE = 11, a reserved block type: zlib.error
        else:
            middle = start + info.compress_size // 2
            raw[middle:middle + 4] = bytes(b ^ 0xFF for b in raw[middle:middle + 4])
        path.write_bytes(bytes(raw))

    return make


HOSTILE = {
    "corrupted deflate data": (_corrupt_deflate("start"), "is a damaged .npz archive: Error -3"),
    "a corrupted compressed array": (_corrupt_deflate("middle"), "is a damaged .npz archive"),
    "a huge declared shape": (lambda p, rng: _zip(p, [_member("vocab.npy", {"descr": "<i8", "fortran_order": False,
                                                                          "shape": (10 ** 7, 10 ** 7)})]),
                              "declares shape (10000000, 10000000)"),
    "deeply nested JSON metadata": (lambda p, rng: save_checkpoint(p, init_charlm(5, 4, rng), "abcde", {}) or
                                    _replace(p, meta=np.array("[" * 100_000 + "]" * 100_000)),
                                    "meta is JSON nested too deeply"),
    "a .npy file": (lambda p, rng: _write(p, lambda f: np.save(f, np.zeros(3))),
                    "is not a valid checkpoint: it is a .npy array file, not a .npz archive"),
    "a surrogate vocabulary": (lambda p, rng: save_checkpoint(p, init_charlm(5, 4, rng), "abcde", {}) or
                               _replace(p, vocab=np.array([97, 0xD800, 99, 100, 101])),
                               "the vocabulary holds the code point U+D800, a surrogate"),
    "a code point out of range": (lambda p, rng: save_checkpoint(p, init_charlm(5, 4, rng), "abcde", {}) or
                                  _replace(p, vocab=np.array([97, -1, 99, 100, 101])), "-1, out of range"),
    "a text file": (lambda p, rng: p.write_text("def f():\n    return 1\n"),
                    "is not a valid checkpoint: it is a text file, not a .npz archive"),
    "a pickle": (lambda p, rng: p.write_bytes(b"\x80\x04K\x01."), "it is a Python pickle, not a .npz archive"),
    "a zip member that is no array": (lambda p, rng: _zip(p, [("notes.txt", b"hello")]),
                                      "its member 'notes.txt' is not an array"),
    "a directory": (lambda p, rng: p.mkdir(), "is a directory, not a checkpoint file"),
    "a named pipe": (lambda p, rng: os.mkfifo(p), "is a named pipe, not a checkpoint file"),
}


def _write(path, write):
    with open(path, "wb") as file:
        write(file)


def _replace(path, **arrays):
    with np.load(path) as data:
        old = {key: data[key] for key in data.files}
    _write(path, lambda file: np.savez(file, **{**old, **arrays}))


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_checkpoint_gets_one_accurate_error_line_and_exit_2(tmp_path, rng, capsys, case):
    import signal

    make, expected = HOSTILE[case]
    path = tmp_path / "c.npz"
    make(path, rng)
    signal.alarm(20)  # a pipe that were opened would block forever: fail instead of hanging
    try:
        status, out, err = _sample(capsys, path, "--prime", "a", "--length", "3")
    finally:
        signal.alarm(0)
    lines = err.strip().splitlines()
    assert status == 2 and out == "" and len(lines) == 1 and lines[0].startswith("error: "), err
    assert expected in lines[0], lines[0]
    assert "not found" not in err and "Python objects" not in err and "internal error" not in err


def test_a_device_is_named_a_device_not_a_missing_file(capsys):
    status, _, err = _sample(capsys, "/dev/zero")
    assert status == 2 and err.strip() == ("error: /dev/zero is a character device, not a checkpoint file "
                                           "(a .npz written by `run charlm`)")


def test_an_unreadable_good_checkpoint_is_permission_denied_not_a_bad_archive(tmp_path, rng, capsys, monkeypatch):
    import builtins

    path = _saved(tmp_path, rng)
    real = builtins.open

    def denied(file, *args, **kwargs):  # what chmod 000 does to anyone but root
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", denied)
    status, _, err = _sample(capsys, path)
    assert status == 2 and err.strip() == f"error: cannot read the checkpoint {path}: permission denied"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_a_chmod_000_checkpoint_is_permission_denied(tmp_path, rng, capsys):
    path = _saved(tmp_path, rng)
    path.chmod(0)
    status, _, err = _sample(capsys, path)
    assert status == 2 and "permission denied" in err and "not a .npz" not in err


def test_a_tiny_temperature_samples_the_argmax_instead_of_nan(tmp_path, rng, capsys):
    path = _saved(tmp_path, rng)
    status, greedy, err = _sample(capsys, path, "--temperature", "0", "--prime", "ab", "--length", "20")
    assert status == 0, err
    status, tiny, err = _sample(capsys, path, "--temperature", "1e-320", "--prime", "ab", "--length", "20")
    assert status == 0 and err == "" and tiny == greedy


def test_an_existing_file_that_is_not_a_checkpoint_is_never_a_checkpoint_path(tmp_path, rng):
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    for overwrite in (False, True):
        with pytest.raises(ValueError, match="holds a text file, not a checkpoint of the character model"):
            check_checkpoint_path(notes, overwrite=overwrite)
    good = _saved(tmp_path, rng)
    with pytest.raises(ValueError, match="already holds a checkpoint of the character model"):
        check_checkpoint_path(good, overwrite=False)
    check_checkpoint_path(good, overwrite=True)  # the Python API's default: a named path may be replaced
