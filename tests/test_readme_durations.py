"""The README's table of full runs states only measured durations, read from ``book/results/durations.json``.

Claims:

- every experiment row of the README's table whose run was timed gives that time, rounded as
  :func:`duration_text` rounds it, and says whether the rerun reproduced its saved record;
- no row gives an estimate: no "~", and no duration that the durations file does not hold;
- the durations file is what ``tools/time_runs.py`` writes: every entry a rerun by ``reproduce`` of a saved
  record that exists, with its wall and CPU time, the machine, and whether it reproduced.
"""

import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DURATIONS = ROOT / "book" / "results" / "durations.json"
TIME = re.compile(r"\d[\d,.]*\s*(?:ms|s|min|minutes?|seconds?|core-min|h|hours?)\b")


def duration_text(seconds):
    """How the README writes a measured wall time: ``"23 s"`` below 100 s, ``"3.6 min"`` below ten minutes,
    whole minutes above."""
    if seconds < 100:
        return f"{round(seconds)} s"
    minutes = seconds / 60
    return f"{minutes:.1f} min" if round(minutes, 1) < 10 else f"{round(minutes)} min"


def _rows():
    """``{NAME: last cell}`` of the README's table of experiments (``| `NAME` | what | full run |``)."""
    rows = {}
    for line in README.read_text().splitlines():
        match = re.match(r"^\| `([a-z0-9-]+)` \|.*\| ([^|]*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def _runs():
    return json.loads(DURATIONS.read_text())["runs"]


def test_the_durations_file_holds_reruns_of_saved_records():
    data = json.loads(DURATIONS.read_text())
    assert data["kind"] == "lstm-course durations"
    for name, run in data["runs"].items():
        assert (ROOT / "book" / "results" / f"{name}.json").is_file(), name
        assert run["wall_seconds"] > 0 and run["cpu_seconds"] > 0 and isinstance(run["reproduced"], bool), name
        assert run["cpu"] and run["cores"] and re.fullmatch(r"\d{4}-\d\d-\d\d", run["date"]), name
        assert run["reproduced"] or "moved beyond tolerance" in run["last_line"], (
            f"{name}: a rerun that did not reproduce found moved values (it did not crash)")


def test_every_timed_row_gives_its_measured_duration_and_whether_it_reproduced():
    rows, runs = _rows(), _runs()
    assert len(rows) >= 20, "the README's table of experiments is found"
    for name, run in runs.items():
        if name not in rows:
            continue
        cell = rows[name]
        assert duration_text(run["wall_seconds"]) in cell, (name, cell, duration_text(run["wall_seconds"]))
        said = "did not reproduce" if not run["reproduced"] else None
        assert (said in cell) if said else ("did not reproduce" not in cell), (name, cell)


@pytest.mark.parametrize("name", sorted(_rows()))
def test_no_row_gives_an_estimate(name):
    cell, runs = _rows()[name], _runs()
    assert "~" not in cell and "about" not in cell, cell
    if name not in runs:
        assert not TIME.search(cell), f"{name}: {cell!r} states a time that durations.json does not hold"
    else:
        stated = {m.group(0) for m in TIME.finditer(cell)}
        assert stated <= {duration_text(runs[name]["wall_seconds"])}, (name, stated)


def test_the_rounding_rule():
    assert [duration_text(s) for s in (3.2, 99.4, 214, 599, 600, 905)] == \
        ["3 s", "99 s", "3.6 min", "10 min", "10 min", "15 min"]
