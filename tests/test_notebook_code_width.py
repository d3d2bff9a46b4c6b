"""Code in the chapters fits a phone: no notebook code line is longer than 88 characters.

On a 390 px screen a code cell scrolls sideways; keeping lines short means it rarely has to, and
the lines a reader copies stay readable.
"""

import json
import pathlib

import pytest

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"
LIMIT = 88


@pytest.mark.parametrize("notebook", sorted(BOOK.glob("*.ipynb")), ids=lambda p: p.stem)
def test_notebook_code_lines_are_at_most_88_characters(notebook):
    long_lines = []
    for number, cell in enumerate(json.loads(notebook.read_text(encoding="utf-8"))["cells"]):
        if cell["cell_type"] != "code":
            continue
        for line in "".join(cell["source"]).splitlines():
            if len(line) > LIMIT:
                long_lines.append(f"cell {number}: {len(line)} characters: {line[:60]}...")
    assert not long_lines, f"{notebook.name}:\n" + "\n".join(long_lines)
