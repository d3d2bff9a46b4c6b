"""In chapters 6 to 10, no solution is the next visible cell: solution cells are collapsed in Jupyter.

The book still shows each solution as a dropdown (sphinx-exercise), and nbval
still runs the cells: ``source_hidden`` only collapses them in the notebook UI.
"""

import json
import pathlib

import pytest

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"
CHAPTERS = sorted(p.name for p in BOOK.glob("*.ipynb") if p.name[:2] in {"06", "07", "08", "09", "10"})


def _solution_cells(cells):
    inside = False
    for cell in cells:
        source = "".join(cell["source"])
        if "{solution-start}" in source:
            inside = True
        elif "{solution-end}" in source:
            inside = False
        elif inside:
            yield cell


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_solution_cell_is_collapsed_in_jupyter(chapter):
    cells = json.loads((BOOK / chapter).read_text())["cells"]
    solutions = list(_solution_cells(cells))
    assert solutions, f"{chapter} has no solutions"
    for cell in solutions:
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, "".join(cell["source"])[:80]


def test_chapters_6_to_10_are_all_checked():
    assert len(CHAPTERS) == 5
