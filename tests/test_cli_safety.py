"""The command line: nothing lost (checkpoints, corpora, saved results), nothing silent (one line, no traceback)."""

import json
import os
import pathlib

import numpy as np
import pytest

from lstm_course import __main__ as cli
import sys
import pathlib as _pathlib

sys.path.insert(0, str(_pathlib.Path(__file__).parent))
from cli_helpers import run_cli  # noqa: E402
from lstm_course.checkpoint import save_checkpoint
from lstm_course.numpy_impl.charlm import init_charlm

CODE = "".join(f"def function_{k}(x):\n    return x * {k} + len('text {k}')\n\n" for k in range(200))




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

def _checkpoint(path):
    save_checkpoint(path, init_charlm(5, 4, np.random.default_rng(0)), "abcde", {"num_layers": 1, "steps": 7})
    return path.read_bytes()


def test_an_existing_checkpoint_is_refused_without_overwrite_default_or_named(workdir, capsys):
    (workdir / "runs").mkdir()
    default = _checkpoint(workdir / "runs" / "charlm.npz")
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.01", "--corpus", "code.txt")
    assert_one_error_line(status, err, "runs/charlm.npz already holds a checkpoint of the character model")
    assert "--overwrite" in err and (workdir / "runs" / "charlm.npz").read_bytes() == default
    named = _checkpoint(workdir / "mine.npz")
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", "mine.npz")
    assert_one_error_line(status, err, "mine.npz already holds a checkpoint of the character model")
    assert (workdir / "mine.npz").read_bytes() == named


def test_overwrite_replaces_a_checkpoint_and_the_default_path_is_announced_before_training(workdir, capsys):
    pytest.importorskip("torch")
    (workdir / "runs").mkdir()
    old = _checkpoint(workdir / "runs" / "charlm.npz")
    status, out, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.005", "--corpus", "code.txt",
                               "--overwrite")
    assert status == 0, err
    assert (workdir / "runs" / "charlm.npz").read_bytes() != old and "val_bpc" in json.loads(out.splitlines()[-1])
    assert err.splitlines()[0] == "checkpoint: runs/charlm.npz (the default; --checkpoint PATH chooses another)"


def _into(path, save, *args, **kwargs):
    """``np.save``/``np.savez`` into exactly ``path`` (given a name, they would append ``.npy``/``.npz``)."""
    with open(path, "wb") as file:
        save(file, *args, **kwargs)


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.write_text("my notes\n"), "holds a text file, not a checkpoint of the character model"),
    (lambda p: _into(p, np.savez, weights=np.zeros(3)), "holds a .npz or zip archive of something else"),
    (lambda p: _into(p, np.save, np.zeros(3)), "holds a .npy array file"),
    (lambda p: p.write_bytes(b""), "holds an empty file"),
    (lambda p: p.write_bytes(bytes(range(256))), "holds a binary file"),
])
def test_a_file_that_is_not_a_checkpoint_is_never_replaced_overwrite_or_not(workdir, capsys, make, expected):
    path = workdir / "notes.txt"
    make(path)
    before = path.read_bytes()
    for extra in ([], ["--overwrite"]):
        status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "0.01", "--corpus", "code.txt",
                                 "--checkpoint", "notes.txt", *extra)
        assert_one_error_line(status, err, expected)
        assert "never replaced, --overwrite or not" in err and path.read_bytes() == before


def test_the_corpus_is_never_used_as_the_checkpoint(workdir, capsys):
    status, _, err = run_cli(capsys, "run", "charlm", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", "./code.txt")
    assert_one_error_line(status, err, "is the corpus file")
    assert (workdir / "code.txt").read_text() == CODE


@pytest.mark.parametrize("make, path, expected", [
    (lambda w: (w / "out").mkdir(), "out", "is a directory"),
    (lambda w: os.mkfifo(w / "pipe"), "pipe", "is not a regular file: it is a named pipe"),
    (lambda w: None, "/dev/null", "is not a regular file: it is a character device"),
    (lambda w: None, "code.txt/model.npz", "cannot be made: "),
    (lambda w: None, "", "--checkpoint must name a path; got ''"),
    (lambda w: None, "  ", "--checkpoint must name a path"),
    (lambda w: None, "m.npz ", "begins or ends with whitespace"),
])
def test_a_checkpoint_path_that_cannot_hold_a_checkpoint_is_refused_before_training(workdir, capsys, make, path,
                                                                                    expected):
    make(workdir)
    status, _, err = run_cli(capsys, "run", "charlm", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", path)
    assert_one_error_line(status, err, expected)
    assert not (workdir / "runs").exists()


def _unwritable(monkeypatch, folder):
    """Make creating files in ``folder`` fail as in a read-only folder (chmod does not stop root)."""
    import tempfile

    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and pathlib.Path(dir).resolve() == pathlib.Path(folder).resolve():
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_a_read_only_checkpoint_folder_is_refused_before_training(workdir, capsys, monkeypatch):
    (workdir / "ro").mkdir()
    _unwritable(monkeypatch, workdir / "ro")
    status, _, err = run_cli(capsys, "run", "charlm", "--minutes", "0.01", "--corpus", "code.txt",
                             "--checkpoint", "ro/sub/m.npz")
    assert_one_error_line(status, err, "cannot write into")
    assert "Permission denied" in err and list((workdir / "ro").iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a chmod 555 folder")
def test_a_chmod_read_only_results_folder_is_refused_before_the_run(workdir, capsys):
    (workdir / "ro").mkdir()
    os.chmod(workdir / "ro", 0o555)
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", "ro")
    assert_one_error_line(status, err, "cannot write into")


def _record(quick=False, experiment="vanishing"):
    return json.dumps({"experiment": experiment, "command": f"python -m lstm_course run {experiment}",
                       "quick": quick, "metrics": {"x": 1}})


def test_save_refuses_to_replace_a_full_run_with_a_quick_one(workdir, capsys):
    results = workdir / "results"
    results.mkdir()
    full = _record()
    (results / "vanishing.json").write_text(full)
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", str(results))
    assert_one_error_line(status, err, "holds a full run; a --quick run does not replace it")
    assert (results / "vanishing.json").read_text() == full


def test_a_record_without_its_quick_key_counts_as_a_full_run(workdir, capsys):
    results = workdir / "results"
    results.mkdir()
    saved = json.dumps({"experiment": "vanishing", "command": "python -m lstm_course run vanishing",
                        "metrics": {"x": 1}})
    (results / "vanishing.json").write_text(saved)
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", "results")
    assert_one_error_line(status, err, "holds a full run")
    assert (results / "vanishing.json").read_text() == saved


@pytest.mark.parametrize("content, expected", [
    ("my notes, not JSON\n", "is not a run record: not JSON"),
    (b"\x00\x01binary", "is a binary file, not a run record"),
    ("[1, 2]", "it holds a JSON list, not an object"),
    ('{"quick": false}', "it lacks 'experiment', 'command', 'metrics'"),
    (_record(experiment="qa"), "is a run record of 'qa', not of 'vanishing'"),
])
def test_save_never_replaces_a_file_that_is_not_a_record_of_this_experiment(workdir, capsys, content, expected):
    results = workdir / "results"
    results.mkdir()
    path = results / "vanishing.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = path.read_bytes()
    for extra in ([], ["--overwrite"]):
        status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", "results", *extra)
        assert_one_error_line(status, err, expected)
        assert "--save never replaces it, --overwrite or not" in err and out == "" and path.read_bytes() == before


@pytest.mark.parametrize("make, results, expected", [
    (lambda w: None, "", "--results must name a path; got ''"),
    (lambda w: None, " ", "--results must name a path; got ' '"),
    (lambda w: None, " results", "begins or ends with whitespace"),
    (lambda w: None, "code.txt", "--results code.txt is a text file, not a directory"),
    (lambda w: None, "code.txt/results", "cannot be made: "),
    (lambda w: (w / "r" / "vanishing.json").mkdir(parents=True), "r", "is a directory, not a run record"),
])
def test_an_empty_or_odd_results_path_gets_one_line_before_the_run(workdir, capsys, make, results, expected):
    make(workdir)
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", results)
    assert_one_error_line(status, err, expected)
    assert out == "" and sorted(p.name for p in workdir.iterdir()) == sorted(
        ["code.txt"] + (["r"] if results == "r" else []))


def test_a_read_only_results_folder_is_refused_before_the_run(workdir, capsys, monkeypatch):
    (workdir / "ro").mkdir()
    _unwritable(monkeypatch, workdir / "ro")
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", "ro/new")
    assert_one_error_line(status, err, "--results ro/new/vanishing.json: cannot write into")
    assert out == "" and list((workdir / "ro").iterdir()) == []


def test_the_metrics_are_printed_before_saving_so_a_failed_save_loses_nothing(workdir, capsys, monkeypatch):
    pytest.importorskip("torch")
    from lstm_course import records

    def full_disk(target, record):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(records, "save_record", full_disk)
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick", "--save", "--results", "results")
    assert status == 2 and err.splitlines()[-1] == ("error: the metrics are printed above, but saving "
                                                    "results/vanishing.json failed: No space left on device")
    assert "rnn_log10_norm_rho_0.5" in json.loads(out.splitlines()[-1])
    assert not (workdir / "results").exists(), "the folder is made only when the record is saved"


def test_save_writes_into_the_results_folder_given_and_nowhere_else_and_twice_gives_the_same(workdir, capsys):
    pytest.importorskip("torch")
    results = workdir / "results"
    results.mkdir()
    (results / "vanishing.json").write_text(_record())
    argv = ("run", "vanishing", "--quick", "--save", "--results", str(results), "--overwrite")
    status, out, err = run_cli(capsys, *argv)
    assert status == 0, err
    saved = json.loads((results / "vanishing.json").read_text())
    assert saved["quick"] is True and saved["metrics"] == json.loads(out.splitlines()[-1])
    assert sorted(p.name for p in workdir.rglob("*") if p.is_file()) == ["code.txt", "vanishing.json"]
    status, again, err = run_cli(capsys, *argv)
    assert status == 0 and again == out and json.loads((results / "vanishing.json").read_text())["metrics"] == \
        saved["metrics"]


def test_a_saved_record_names_its_command_seed_versions_blas_and_cpu(workdir, capsys):
    torch = pytest.importorskip("torch")
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--seed", "3", "--save", "--results", "r d")
    assert status == 0, err
    record = json.loads((workdir / "r d" / "vanishing.json").read_text())
    assert record["command"] == "python -m lstm_course run vanishing --quick --seed 3 --save --results 'r d'"
    assert record["seed"] == 3 and record["quick"] is True and record["options"] == {}
    assert isinstance(record["wall_seconds"], float) and record["wall_seconds"] >= 0, "how long the run took"
    assert "wall_seconds" not in record["metrics"], "beside the metrics: reproduce never compares it"
    assert record["software"]["torch"] == torch.__version__ and record["software"]["numpy"] == np.__version__
    machine = record["machine"]
    assert {"cpu", "avx512", "avx2", "numpy_blas", "openblas_core", "torch_blas", "threads", "cores"} <= set(machine)
    assert isinstance(machine["avx2"], (bool, type(None))) and machine["numpy_blas"]


def test_a_saved_record_names_the_torch_threads_the_run_itself_used(monkeypatch):
    torch = pytest.importorskip("torch")
    from lstm_course import records

    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)
    assert cli._threads_of("qa") == 1, "qa runs under one_thread"
    assert cli._threads_of("charlm") == 1, "charlm runs under one_thread (its step budget is one thread's numbers)"
    assert cli._threads_of("bench") is None
    assert records.provenance("cpu", cli._threads_of("qa"))["machine"]["threads"] == 1
    assert records.provenance("cpu", cli._threads_of("bench"))["machine"]["threads"] == 2


def test_save_outside_a_checkout_needs_results(workdir, capsys, monkeypatch):
    from lstm_course import records

    monkeypatch.setattr(records, "default_results_dir", lambda: None)
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick", "--save")
    assert_one_error_line(status, err, "--save needs --results DIR")


def test_inside_the_checkout_results_default_to_book_results(monkeypatch):
    from lstm_course import records

    monkeypatch.delenv("LSTM_COURSE_RESULTS", raising=False)
    root = pathlib.Path(cli.__file__).resolve().parents[1]
    assert records.default_results_dir() == root / "book" / "results"


# --- 2. validate before working ----------------------------------------------------------------------------

@pytest.mark.parametrize("argv, expected", [
    (("run", "charlm", "--minutes", "0"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "-1"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "nan"), "--minutes must be a positive number"),
    (("run", "charlm", "--minutes", "inf"), "--minutes must be a positive number"),
    (("run", "vanishing", "--seed", "-1"), "--seed must be an integer in [0, 4294967295]; got -1"),
    (("run", "vanishing", "--minutes", "1"), "apply to `run charlm` only"),
    (("run", "vanishing", "--steps", "10"), "apply to `run charlm` only"),
    (("run", "charlm", "--steps", "0"), "--steps must be a positive integer (training steps); got 0"),
    (("run", "charlm", "--steps", "-5"), "--steps must be a positive integer (training steps); got -5"),
    (("run", "vanishing", "--results", "somewhere"), "--results applies with --save only"),
    (("run", "charlm", "--corpus", "missing.txt"), "corpus file not found: missing.txt"),
    (("run", "ngram", "--corpus", "missing.txt"), "corpus file not found: missing.txt"),
    (("run", "vanishing", "--corpus", "shakespeare"), "--corpus applies to `run charlm` and `run ngram` only"),
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
    status, _, err = run_cli(capsys, "run", "charlm", "--quick", "--minutes", "5", "--corpus", "corpus.txt",
                             "--checkpoint", "runs/m.npz")  # a named path: no announcement of the default
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
