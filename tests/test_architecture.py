"""The import rules of the README's "Architecture" section, enforced.

- nothing in ``numpy_impl`` (nor the neutral modules under it) imports torch;
- ``torch_impl`` does not import ``numpy_impl``: the twins share only the neutral notation;
- imports go downwards only: a lower layer never imports a higher one;
- the book's notebooks import no private module (``lstm_course._x`` or ``lstm_course.x._y``).
"""

import ast
import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "lstm_course"

# Layers, lowest first: a module may import from its own layer or a lower one (the twin rule below
# keeps numpy_impl and torch_impl apart although they share a layer).
LAYERS = [
    {"notation", "tree", "_validate", "_tree", "workspace", ""},  # "": the package's own __init__ (__version__)
    {"params", "gradcheck", "optim", "sampling", "data", "records", "checkpoint", "progress", "bleu", "decoding",
     "evidence", "realdata"},
    {"numpy_impl", "torch_impl", "convert", "peers"},
    {"models"},
    {"experiments", "exercises", "figures", "bench"},
    {"__main__"},
]
# No deprecated paths remain: every chapter imports the public modules.
DEPRECATED = set()
PENDING_NOTEBOOK_IMPORTS = set()


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree, module, is_package):
    """Absolute names of every module (or module attribute) imported anywhere in ``tree``."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (node.level - 1)]
                base = ".".join(package + ([base] if base else []))
            names += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"] or [base]
    return names


def _package_imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        yield module, _imports(ast.parse(path.read_text()), module, path.name == "__init__.py")


PARTS = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def _top(name):
    """The package part a name belongs to: ``lstm_course.numpy_impl.rnn`` -> ``numpy_impl``; ``""`` for the root."""
    parts = name.split(".")
    if parts[0] != "lstm_course":
        return None
    part = parts[1] if len(parts) > 1 else ""
    return part if part in PARTS and part != "__init__" else ""


def _layer(part):
    return next(k for k, layer in enumerate(LAYERS) if part in layer)


def test_every_part_of_the_package_has_a_layer():
    parts = {_top(module) for module, _ in _package_imports()} - {None}
    assert parts <= set().union(*LAYERS), f"add to LAYERS (and the README): {parts - set().union(*LAYERS)}"


def test_numpy_impl_and_the_neutral_modules_never_import_torch():
    torch_free = ("numpy_impl", "notation", "tree", "_validate", "params", "gradcheck", "optim", "sampling", "data", "realdata")
    offenders = [(m, n) for m, names in _package_imports() if _top(m) in torch_free
                 for n in names if n.split(".")[0] == "torch"]
    assert not offenders, offenders


def test_notation_imports_nothing():
    assert dict(_package_imports())["lstm_course.notation"] == []


def test_torch_impl_never_imports_numpy_impl():
    offenders = [(m, n) for m, names in _package_imports() if _top(m) == "torch_impl"
                 for n in names if _top(n) == "numpy_impl"]
    assert not offenders, offenders


def test_imports_only_go_downwards():
    offenders = []
    for module, names in _package_imports():
        if module in DEPRECATED or _top(module) is None:
            continue
        for name in names:
            if _top(name) and _layer(_top(name)) > _layer(_top(module)):
                offenders.append(f"{module} imports {name}")
    assert not offenders, offenders


def _private(name):
    return name.startswith("lstm_course") and any(part.startswith("_") for part in name.split("."))


def _notebook_imports(path):
    cells = json.loads(path.read_text())["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    return _imports(ast.parse(code), "__notebook__", False)


NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_the_book_imports_no_private_module(notebook):
    private = {(notebook.name, name.rsplit(".", 1)[0] if name.rsplit(".", 1)[-1][0] != "_" else name)
               for name in _notebook_imports(notebook) if _private(name)}
    assert private <= PENDING_NOTEBOOK_IMPORTS, sorted(private - PENDING_NOTEBOOK_IMPORTS)


def test_pending_notebook_imports_are_still_there():
    """When a chapter stops importing a private path, its entry must leave ``PENDING_NOTEBOOK_IMPORTS``."""
    found = set()
    for notebook in NOTEBOOKS:
        for name in _notebook_imports(notebook):
            if _private(name):
                found.add((notebook.name, name.rsplit(".", 1)[0] if name.rsplit(".", 1)[-1][0] != "_" else name))
    assert PENDING_NOTEBOOK_IMPORTS <= found, sorted(PENDING_NOTEBOOK_IMPORTS - found)
