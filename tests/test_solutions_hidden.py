"""A solution is never the next visible cell: every cell between solution-start and solution-end starts collapsed.

In JupyterLab the cells carry ``jupyter.source_hidden`` and ``outputs_hidden``
(shown as a collapsed bar the learner clicks to open); in the built book the
gated ``solution`` directive with ``:class: dropdown`` hides them. nbval
ignores the metadata, so the solutions are still executed and checked.

Every chapter follows this; a chapter without solutions passes trivially.
"""

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def solution_cells(path):
    """``(index, cell)`` for every cell inside a gated solution."""
    inside, found = False, []
    for n, cell in enumerate(json.loads(path.read_text())["cells"]):
        text = "".join(cell["source"])
        if "{solution-start}" in text:
            inside = True
        elif "{solution-end}" in text:
            inside = False
        elif inside:
            found.append((n, cell))
    return found


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solution_cells_start_collapsed(path):
    for n, cell in solution_cells(path):
        hidden = cell["metadata"].get("jupyter", {})
        assert hidden.get("source_hidden") and hidden.get("outputs_hidden"), f"{path.name} cell {n} is visible"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_solution_is_a_dropdown(path):
    text = path.read_text()
    assert text.count("{solution-start}") == text.count(":class: dropdown")
