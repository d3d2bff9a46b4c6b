"""Run records (lstm_course.records) and ``python -m lstm_course reproduce``: what a record is, and reruns compared."""

import json

import pytest

from lstm_course import __main__ as cli
import sys
import pathlib as _pathlib

sys.path.insert(0, str(_pathlib.Path(__file__).parent))
from cli_helpers import run_cli  # noqa: E402
from lstm_course import records




@pytest.mark.parametrize("content, expected", [
    ("not json", "not JSON"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('"a string"', "it holds a JSON str, not an object"),
    ('{"experiment": "qa", "metrics": {}}', "it lacks 'command'"),
    ('{"experiment": "qa", "command": "x", "metrics": []}', "'metrics' must be an object"),
    ('{"experiment": "qa", "command": "x", "metrics": {}}', "a run record of 'qa', not of 'vanishing'"),
])
def test_load_record_refuses_what_is_not_a_run_record_in_one_line(tmp_path, content, expected):
    path = tmp_path / "vanishing.json"
    path.write_text(content)
    with pytest.raises(ValueError) as caught:
        records.load_record(path, "vanishing")
    assert expected in str(caught.value) and "\n" not in str(caught.value)


def test_a_record_without_quick_loads_as_a_full_run(tmp_path):
    path = tmp_path / "r.json"
    path.write_text('{"experiment": "qa", "command": "python -m lstm_course run qa", "metrics": {"a": 1}}')
    assert records.load_record(path)["quick"] is False
    with pytest.raises(FileNotFoundError, match="no run record at"):
        records.load_record(tmp_path / "missing.json")


def test_flatten_names_every_leaf_by_its_path():
    assert records.flatten({"a": {"b": [1, 2]}, "c": "x", "d": [], "e": {}}) == {
        "a.b[0]": 1, "a.b[1]": 2, "c": "x", "d": [], "e": {}}


@pytest.mark.parametrize("name, timing", [
    ("seconds", True), ("chars_per_second", True), ("val_curve_seconds[2]", True), ("shapes[0].ms.nn", True),
    ("gemm_floor_ms.numpy", True), ("gemm_peak_gflops.float32", True), ("val_bpc", False), ("steps", False),
    ("lstm_success_rate", False),
])
def test_timings_are_recognised_by_name(name, timing):
    assert records.is_timing(name) is timing


def test_a_stated_tolerance_is_the_longest_matching_prefix_and_none_means_not_compared():
    stated = {"val_bpc": 0.05, "val_bpc_by_variant.gru": 0.1, "samples": None}
    assert records.tolerance_for("val_bpc", stated) == (0.05, 0.0)
    assert records.tolerance_for("val_bpc_by_variant.gru", stated) == (0.1, 0.0)
    assert records.tolerance_for("samples[1]", stated) is None
    assert records.tolerance_for("bigram_bpc", stated) == (1e-9, 1e-6)
    assert records.tolerance_for("seconds", stated) is None


def test_compare_metrics_flags_moved_and_missing_values_shows_new_ones_and_agrees_within_tolerance():
    saved = {"a": 1.0, "b": [1.0, 2.0], "c": "text", "nan": float("nan"), "seconds": 3.0, "gone": 1, "flag": True,
             "per_seed": [0.5, 0.6]}
    now = {"a": 1.0 + 1e-7, "b": [1.0, 2.1], "c": "text", "nan": float("nan"), "seconds": 9.0, "flag": False,
           "new": 2, "per_seed": [0.5, 0.6, 0.7]}
    rows = {row["metric"]: row for row in records.compare_metrics(saved, now, {"b[1]": 0.2})}
    assert rows["a"]["ok"] and rows["b[1]"]["ok"] and rows["c"]["ok"] and rows["nan"]["ok"]
    assert rows["seconds"]["ok"] is None and rows["seconds"]["tolerance"] == "not compared"
    assert rows["flag"]["ok"] is False and rows["gone"]["ok"] is False, "a changed flag, a lost metric: moved"
    assert rows["new"]["ok"] is None and rows["new"]["tolerance"] == "new since the record", (
        "a metric the code gained after the record was made cannot have moved: shown, not compared")
    assert rows["per_seed[2]"]["ok"] is False, "a list of the record's that grew (one more seed) has moved"
    assert rows["b[1]"]["difference"] == pytest.approx(0.1) and rows["b[1]"]["tolerance"] == "abs 0.2"
    table = records.format_rows(list(rows.values()))
    assert table.splitlines()[0].split() == ["metric", "saved", "now", "difference", "tolerance", "ok"]


def test_file_kind_never_opens_a_pipe_and_names_what_is_there(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "t.txt").write_text("hello")
    (tmp_path / "j.json").write_text('{"a": 1}')
    assert records.file_kind(tmp_path / "pipe") == "a named pipe"
    assert records.file_kind(tmp_path) == "a directory"
    assert records.file_kind(tmp_path / "t.txt") == "a text file"
    assert records.file_kind(tmp_path / "j.json") == "a JSON file"
    assert records.file_kind(tmp_path / "t.txt" / "below") is None
    assert records.file_kind("/dev/zero") == "a character device"


def test_check_writable_folder_creates_nothing(tmp_path):
    records.check_writable_folder(tmp_path / "new" / "deeper" / "r.json", "--results")
    assert list(tmp_path.iterdir()) == []


# --- reproduce ----------------------------------------------------------------------------------------------

CHEAP = ["vanishing", "crossval"]  # the fastest quick runs: about 1 s and 3.5 s on 2 cores


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The quick runs of CHEAP saved into one results folder, once for the module."""
    pytest.importorskip("torch")
    folder = tmp_path_factory.mktemp("results")
    for name in CHEAP:
        try:
            cli.main(["run", name, "--quick", "--save", "--results", str(folder)])
        except SystemExit as stop:
            assert stop.code == 0
    return folder


def _snapshot(folder):
    return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}


@pytest.mark.parametrize("name", CHEAP)
def test_reproduce_reruns_a_saved_quick_run_within_tolerance_and_writes_nothing(saved, capsys, name):
    capsys.readouterr()
    before = _snapshot(saved)
    status, out, err = run_cli(capsys, "reproduce", name, "--results", str(saved), "--quick")
    assert status == 0, out + err
    assert out.splitlines()[-1].startswith(f"reproduce {name}: all ") and "within tolerance" in out
    assert _snapshot(saved) == before


def test_reproduce_reports_a_tampered_metric_as_moved(saved, tmp_path, capsys):
    record = json.loads((saved / "vanishing.json").read_text())
    record["metrics"]["adding_grad_ratio_first10_to_last10_rnn"] += 0.5
    (tmp_path / "vanishing.json").write_text(json.dumps(record))
    status, out, _ = run_cli(capsys, "reproduce", "vanishing", "--results", str(tmp_path))
    assert status == 1
    row = next(line for line in out.splitlines() if line.startswith("adding_grad_ratio_first10_to_last10_rnn "))
    assert row.split()[-1] == "MOVED" and "-0.5" in row.split()
    assert out.splitlines()[-1] == ("reproduce vanishing: 1 of "
                                    f"{len(records.flatten(record['metrics']))} compared values moved beyond "
                                    "tolerance (first: adding_grad_ratio_first10_to_last10_rnn)")


@pytest.mark.parametrize("argv, content, expected", [
    (("reproduce", "vanishing"), None, "no run record at"),
    (("reproduce", "../vanishing"), None, "NAME must be the name of a saved record"),
    (("reproduce", "nothing"), None, "'nothing' names no experiment"),
    (("reproduce", "vanishing"), "notes", "is not a run record: not JSON"),
    (("reproduce", "vanishing", "--quick"),
     {"experiment": "vanishing", "command": "python -m lstm_course run vanishing", "metrics": {}},
     "holds a full run; reproduce --quick reruns quick records only"),
    (("reproduce", "vanishing"),
     {"experiment": "vanishing", "command": "python -m lstm_course run vanishing --frobnicate", "metrics": {}},
     "does not parse: unrecognized arguments: --frobnicate"),
    (("reproduce", "vanishing"), {"experiment": "vanishing", "command": "python -m lstm_course run qa",
                                  "metrics": {}}, "does not run 'vanishing'"),
    (("reproduce", "bench"), {"experiment": "bench", "command": "python -m lstm_course bench", "metrics": {}},
     "holds timings (`bench`)"),
])
def test_reproduce_refuses_a_bad_record_in_one_line_before_any_work(tmp_path, capsys, argv, content, expected):
    if content is not None:
        name = argv[1]
        (tmp_path / f"{name}.json").write_text(content if isinstance(content, str) else json.dumps(content))
    status, out, err = run_cli(capsys, *argv, "--results", str(tmp_path))
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1 and expected in err, err


def test_a_quick_run_ends_saying_it_is_a_smoke_test_and_where_the_full_run_is(capsys, monkeypatch, tmp_path):
    pytest.importorskip("torch")
    status, out, err = run_cli(capsys, "run", "vanishing", "--quick")
    assert status == 0, err
    last = err.strip().splitlines()[-1]
    full = records.default_results_dir() / "vanishing.json"
    assert last.startswith("smoke test: --quick checks that the command runs end to end; its numbers say nothing")
    assert f"The saved full run is {full}" in last and "reproduce vanishing" in last
    json.loads(out.strip().splitlines()[-1])  # the metrics stay the last line of stdout
    monkeypatch.setenv("LSTM_COURSE_RESULTS", str(tmp_path))  # no saved full run there: how to make one
    status, _, err = run_cli(capsys, "run", "vanishing", "--quick")
    assert status == 0 and err.strip().splitlines()[-1].endswith(
        "No saved full run of vanishing is here; `python -m lstm_course run vanishing --save` makes one.")


def test_the_smoke_line_names_the_full_command_with_its_options():
    from lstm_course import __main__ as main

    class Args:
        command, name, pair, corpus, device = "run", "translate", "en-fr", "stdlib", "cpu"
    assert main._full_command(Args) == "run translate --pair en-fr --save"
    Args.command, Args.name = "bench", "bench-cuda"
    Args.device = "cuda"
    assert main._full_command(Args) == "bench --save --device cuda"


def test_saved_reads_the_books_records_and_names_what_is_missing(monkeypatch, tmp_path):
    record = records.saved("vanishing")
    assert record["experiment"] == "vanishing" and record["metrics"] and record["quick"] is False
    assert records.saved_results_dir() == records.default_results_dir()  # in a checkout: book/results
    monkeypatch.setenv("LSTM_COURSE_RESULTS", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f"no run record at {tmp_path / 'nothing.json'}"):
        records.saved("nothing")


def test_saved_reads_a_seed_study_and_refuses_a_file_that_is_neither(monkeypatch, tmp_path):
    study = records.saved("charlm-seeds")
    assert study["experiment"] == "charlm" and study["per_seed"]
    monkeypatch.setenv("LSTM_COURSE_RESULTS", str(tmp_path))
    (tmp_path / "x-seeds.json").write_text('{"experiment": "x"}')
    with pytest.raises(ValueError, match="is not a seed study: it lacks per_seed, summary"):
        records.saved("x-seeds")
