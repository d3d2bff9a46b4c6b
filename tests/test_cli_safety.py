"""The command line: nothing lost (checkpoints, corpora, saved results), nothing silent (one line, no traceback)."""

import json
import pathlib

import numpy as np
import pytest

from lstm_course import __main__ as cli
from lstm_course.checkpoint import save_checkpoint
from lstm_course.numpy_impl.charlm import init_charlm

CODE = "".join(f"def function_{k}(x):\n    return x * {k} + len('text {k}')\n\n" for k in range(200))


def run_cli(capsys, *argv):
    """``python -m lstm_course ARGV`` in this process: ``(exit status, stdout, stderr)``."""
    try:
        cli.main(list(argv))
        status = 0
    except SystemExit as stop:
        status = stop.code
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_error_line(status, err, expected):
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], err
    assert "Traceback" not in err and "allow_pickle" not in err


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "code.txt").write_text(CODE)
    return tmp_path


# --- 1. never lose a user's file ---------------------------------------------------------------------------

def test_an_existing_default_checkpoint_is_not_replaced_without_overwrite(workdir, capsys):
    (workdir / "runs").mkdir()
    (workdir / "runs" / "charlm.npz").write_bytes(b"a trained model")
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.01", "--corpus", "code.txt")
    assert_one_error_line(status, err, "runs/charlm.npz already holds a checkpoint")
    assert "--overwrite" in err
    assert (workdir / "runs" / "charlm.npz").read_bytes() == b"a trained model"


def test_a_named_checkpoint_may_be_replaced_and_overwrite_replaces_the_default(workdir, capsys):
    pytest.importorskip("torch")
    (workdir / "mine.npz").write_bytes(b"old")
    status, out, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.005", "--corpus", "code.txt",
                               "--checkpoint", "mine.npz")
    assert status == 0, err
    assert (workdir / "mine.npz").read_bytes() != b"old" and "val_bpc" in json.loads(out.splitlines()[-1])
    (workdir / "runs").mkdir()
    (workdir / "runs" / "charlm.npz").write_bytes(b"old")
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.005", "--corpus", "code.txt",
                             "--overwrite")
    assert status == 0, err
    assert (workdir / "runs" / "charlm.npz").read_bytes() != b"old"


def test_the_corpus_is_never_used_as_the_checkpoint(workdir, capsys):
    status, _, err = run_cli(capsys, "run", "charlm", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", "./code.txt")
    assert_one_error_line(status, err, "is the corpus file")
    assert (workdir / "code.txt").read_text() == CODE


def test_a_directory_is_refused_as_checkpoint_before_training(workdir, capsys):
    (workdir / "out").mkdir()
    status, _, err = run_cli(capsys, "run", "charlm", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", "out")
    assert_one_error_line(status, err, "is a directory")


def test_save_refuses_to_replace_a_full_run_with_a_quick_one(workdir, capsys):
    results = workdir / "results"
    results.mkdir()
    full = json.dumps({"experiment": "vanishing", "quick": False, "metrics": {"x": 1}})
    (results / "vanishing.json").write_text(full)
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", str(results))
    assert_one_error_line(status, err, "holds a full run; a --quick run does not replace it")
    assert (results / "vanishing.json").read_text() == full


def test_save_writes_into_the_results_folder_given_and_nowhere_else(workdir, capsys):
    pytest.importorskip("torch")
    results = workdir / "results"
    results.mkdir()
    (results / "vanishing.json").write_text(json.dumps({"quick": False}))
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", str(results),
                               "--overwrite")
    assert status == 0, err
    saved = json.loads((results / "vanishing.json").read_text())
    assert saved["quick"] is True and saved["metrics"] == json.loads(out.splitlines()[-1])
    assert sorted(p.name for p in workdir.rglob("*") if p.is_file()) == ["code.txt", "vanishing.json"]


def test_a_saved_record_names_the_torch_threads_the_run_itself_used(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert cli._threads_of("qa") == 1, "qa runs under one_thread"
    assert cli._threads_of("charlm") is None and cli._threads_of("bench") is None
    assert cli._device_detail("cpu", cli._threads_of("qa")).endswith(", 1 torch threads")
    assert cli._device_detail("cpu", cli._threads_of("charlm")).endswith(", 2 torch threads")


def test_save_outside_a_checkout_needs_results(workdir, capsys, monkeypatch):
    monkeypatch.setattr(cli, "default_results_dir", lambda: None)
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--save")
    assert_one_error_line(status, err, "--save needs --results DIR")


def test_inside_the_checkout_results_default_to_book_results(monkeypatch):
    monkeypatch.delenv("LSTM_COURSE_RESULTS", raising=False)
    root = pathlib.Path(cli.__file__).resolve().parents[1]
    assert cli.default_results_dir() == root / "book" / "results"


# --- 2. validate before working ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (("run", "charlm", "--minutes", "0"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "-1"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "nan"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "inf"), "--minutes must be a positive number"),
    (("run", "vanishing", "--seed", "-1"), "--seed must be an integer in [0, 4294967295]; got -1"),
    (("run", "vanishing", "--minutes", "1"), "apply to `run charlm` only"),
    (("run", "vanishing", "--results", "somewhere"), "--results applies with --save only"),
    (("run", "charlm", "--corpus", "missing.txt"), "corpus file not found: missing.txt"),
    (("run", "qa", "--backend", "nn"), "--backend applies to the experiments that train a recurrent core"),
    (("run", "vanishing", "--backend", "twin"), "`run vanishing` does not take it"),
    (("sample", "c.npz", "--temperature", "-1"), "--temperature must be a number >= 0"),
    (("sample", "c.npz", "--temperature", "nan"), "--temperature must be a number >= 0"),
    (("sample", "c.npz", "--top-k", "0"), "--top-k must be in [1, 5] (the vocabulary size); got 0"),
    (("sample", "c.npz", "--top-k", "6"), "--top-k must be in [1, 5] (the vocabulary size); got 6"),
    (("sample", "c.npz", "--length", "-1"), "--length must be >= 0"),
    (("sample", "c.npz", "--seed", "-3"), "--seed must be an integer"),
    (("sample", "c.npz", "--prime", ""), "--prime must hold at least one character"),
    (("sample", "c.npz", "--prime", "xyz"), "the prime has characters not in the vocabulary"),
    (("sample", "missing.npz"), "checkpoint not found: missing.npz"),
])
def test_bad_arguments_get_one_error_line_before_any_work(workdir, capsys, argv, expected):
    save_checkpoint(workdir / "c.npz", init_charlm(5, 4, np.random.default_rng(0)), "abcde", {"num_layers": 1})
    status, out, err = run_cli(capsys, *argv)
    assert_one_error_line(status, err, expected)
    assert out == "" and not (workdir / "runs").exists()


@pytest.mark.parametrize("content, expected", [
    ("x = 1\n" * 40, "the corpus is too short: training needs at least"),
    ("a" * 5000, "uses a single symbol"),
    (b"text\x00\x01\x02" * 900, "is a binary file"),
    ("café et crème\n".encode("latin-1") * 400, "is not UTF-8 text (byte 0xe9 at offset 3"),
])
def test_an_unusable_corpus_is_refused_before_training_and_no_checkpoint_is_written(workdir, capsys, content,
                                                                                  expected):
    pytest.importorskip("torch")
    path = workdir / "corpus.txt"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "5", "--corpus", "corpus.txt")
    assert_one_error_line(status, err, expected)
    assert not (workdir / "runs").exists()


@pytest.mark.parametrize("damage, expected", [
    (lambda a: a.pop("param:W_hy"), "the array W_hy is missing"),
    (lambda a: a.update({"param:lstm[0].forward.W_c": np.zeros((4, 3))}), "W_c must have shape (4, 9)"),
    (lambda a: a.update({"param:b_y": np.full(5, np.nan)}), "b_y holds NaN values"),
    (lambda a: a.update({"meta": np.array('{"num_layers": 3}')}), "meta says num_layers = 3"),
    (lambda a: a.update({"vocab": np.array([object()], dtype=object)}), "holds Python objects"),
])
def test_a_damaged_checkpoint_is_named_in_one_line(workdir, capsys, damage, expected):
    save_checkpoint(workdir / "c.npz", init_charlm(5, 4, np.random.default_rng(0)), "abcde", {"num_layers": 1})
    with np.load(workdir / "c.npz") as data:
        arrays = {key: data[key] for key in data.files}
    damage(arrays)
    np.savez(workdir / "c.npz", **arrays)
    status, _, err = run_cli(capsys, "sample", "c.npz")
    assert_one_error_line(status, err, expected)


def test_a_bidirectional_checkpoint_cannot_generate(workdir, capsys):
    from lstm_course.params import init_lstm_params

    rng = np.random.default_rng(0)
    model = {"lstm": init_lstm_params(5, 4, 1, bidirectional=True, rng=rng), "W_hy": rng.normal(size=(5, 8)),
             "b_y": np.zeros(5)}
    save_checkpoint(workdir / "bi.npz", model, "abcde", {"num_layers": 1})
    status, _, err = run_cli(capsys, "sample", "bi.npz")
    assert_one_error_line(status, err, "holds a bidirectional model")


def test_an_unexpected_error_is_one_line_and_debug_shows_the_traceback(workdir, capsys, monkeypatch):
    import lstm_course.experiments as experiments

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nspread over lines")

    pytest.importorskip("torch")
    monkeypatch.setattr(experiments, "run_experiment", broken)
    status, _, err = run_cli(capsys, "run", "vanishing")
    assert status == 1 and err.strip().splitlines() == [
        "internal error: RuntimeError: a bug spread over lines (run again with --debug to see the traceback)"]
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["--debug", "run", "vanishing"])
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["run", "vanishing", "--debug"])
