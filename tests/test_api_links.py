"""Every chapter links the package functions and classes it uses to their API-reference entries.

``python tests/api_links.py book/NN_x.ipynb`` adds missing links (see its docstring); the book's
nitpicky build then fails on any link whose target the reference lacks.
"""

import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from api_links import imported_names  # noqa: E402

BOOK = pathlib.Path(__file__).resolve().parents[1] / "book"


@pytest.mark.parametrize("notebook", sorted(BOOK.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_chapter_links_every_package_function_it_uses_to_the_api_reference(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))
    prose = "".join("".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "markdown")
    unlinked = sorted(f"{name} ({target})" for name, (target, role, _) in imported_names(cells).items()
                      if f"<{target}>`" not in prose)
    assert not unlinked, f"{notebook.name}: not linked to the API reference (run tests/api_links.py): {unlinked}"
