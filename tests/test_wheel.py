"""The package as a learner installs it: a wheel, a fresh environment, and chapter notebooks in an empty folder.

Claims: a wheel built from the repository installs into a fresh virtual environment; it declares every
third-party module the package imports (torch and the notebooks' kernel as extras); it ships the saved runs
that the chapters read; and two chapter notebooks, one NumPy-only (chapter 12) and one with torch (chapter 6),
copied into an empty folder, run there from top to bottom and leave nothing behind but themselves. Every
chapter notebook starts by checking that the package is installed, and stops with the install command if not.

Nothing is fetched: the wheel is built without build isolation and installed without an index, and the fresh
environment borrows the third-party packages of this one (a ``.pth`` line naming its site-packages, which runs
none of this environment's own ``.pth`` files, so this checkout's editable install stays out of it).
"""

import ast
import json
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ("12_decoding.ipynb", "06_vanishing_gradients.ipynb")  # NumPy only; with torch
SOURCES = ("lstm_course", "pyproject.toml", "setup.py", "README.md", "book/results")


def _run(*command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtual environment with the wheel installed: its Python, and the wheel's path."""
    pytest.importorskip("setuptools")
    pytest.importorskip("nbclient")
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"  # a copy, so that the build's own folders (build/, *.egg-info) stay out of the checkout
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "-w", str(tmp / "dist"), str(source))
    (wheel,) = (tmp / "dist").glob("lstm_course-*.whl")
    venv = tmp / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    purelib = pathlib.Path(_run(str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", "--no-index",
         str(wheel))
    return python, wheel


def _clean_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "LSTM_COURSE", "JUPYTER"))}
    env.update(JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
               JUPYTER_PATH=str(tmp_path / "jupyter-data"), MPLBACKEND="Agg")
    return env


def test_the_wheel_installs_the_package_with_its_saved_runs_outside_the_checkout(installed, tmp_path):
    python, wheel = installed
    out = _run(str(python), "-c", (
        "import json, lstm_course, lstm_course.records as r, importlib.metadata as m\n"
        "print(json.dumps({'file': lstm_course.__file__, 'results': str(r.saved_results_dir()),\n"
        "                  'save_to': str(r.default_results_dir()), 'requires': m.requires('lstm-course'),\n"
        "                  'vanishing': sorted(r.saved('vanishing')['metrics'])[:3]}))"), cwd=tmp_path,
        env=_clean_env(tmp_path))
    facts = json.loads(out)
    venv = python.parents[1]
    assert pathlib.Path(facts["file"]).is_relative_to(venv), facts["file"]
    assert pathlib.Path(facts["results"]) == pathlib.Path(facts["file"]).parent / "results"
    assert facts["save_to"] == "None", "an installed package must not default --save into its own folder"
    shipped = {p.name for p in pathlib.Path(facts["results"]).glob("*.json")}
    assert shipped == {p.name for p in (ROOT / "book" / "results").glob("*.json")}
    assert facts["vanishing"], "the shipped vanishing record has no metrics"
    names = {req.split(";")[0].split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
             for req in facts["requires"]}
    assert {"numpy", "scipy", "matplotlib", "tqdm", "num2words", "torch", "ipykernel", "myst-nb"} <= names
    assert any("torch" in req and 'extra == "torch"' in req for req in facts["requires"]), facts["requires"]


def test_every_third_party_module_the_package_imports_is_declared():
    imported = set()
    for path in (ROOT / "lstm_course").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {name for name in imported if name not in sys.stdlib_module_names and name != "lstm_course"}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    distribution = {"myst_nb": "myst-nb"}
    undeclared = [name for name in sorted(third_party) if f'"{distribution.get(name, name)}' not in pyproject]
    assert not undeclared, f"imported by lstm_course but not declared in pyproject.toml: {undeclared}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_a_chapter_notebook_runs_from_an_empty_folder_with_the_installed_wheel(installed, tmp_path, notebook):
    python, _ = installed
    folder = tmp_path / "anywhere"
    folder.mkdir()
    shutil.copy2(ROOT / "book" / notebook, folder / notebook)
    script = (
        "import sys, nbformat, nbclient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "nbclient.NotebookClient(nb, kernel_name='python3', timeout=600,\n"
        "                        resources={'metadata': {'path': '.'}}).execute()\n"
        "print('ran', sum(c.cell_type == 'code' for c in nb.cells), 'cells')\n")
    out = _run(str(python), "-c", script, notebook, cwd=folder, env=_clean_env(tmp_path))
    assert out.startswith("ran "), out
    assert sorted(p.name for p in folder.iterdir()) == [notebook], "the notebook left files in its folder"


def test_every_chapter_notebook_first_checks_that_the_package_is_installed(tmp_path):
    chapters = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
    assert len(chapters) >= 17
    for path in chapters:
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        guard = "".join(cells[0]["source"])
        assert "import lstm_course" in guard and "pip install" in guard, f"{path.name}: no install check first"
        assert "remove-cell" in cells[0]["metadata"].get("tags", []), f"{path.name}: the check shows in the book"
        uses_torch = any("torch" in "".join(c["source"]) or "run_experiment" in "".join(c["source"])
                         for c in cells[1:])
        assert ("import torch" in guard) == ("[torch," in guard), path.name
        if uses_torch and "import torch" not in guard:
            pytest.fail(f"{path.name} uses torch but its install check does not ask for it")
    # without the package, the check stops with the install command (one message, no traceback of ours)
    (tmp_path / "lstm_course.py").write_text("raise ImportError('not installed', name='lstm_course')\n")
    result = subprocess.run([sys.executable, "-c", guard], capture_output=True, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith("lstm_course is not installed for this kernel's Python. From a copy of the "
                                    "course: python -m pip install '/path/to/lstm-course[torch,notebooks]'")
