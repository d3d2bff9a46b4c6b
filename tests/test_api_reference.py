"""The book's API reference covers every public name of the package, and each docstring states shapes.

Claims: every public module is rendered by an ``automodule`` directive under ``book/api/``; every
public function and class has an entry (an HTML anchor with its dotted name) in the built
reference; every public numerical function's docstring says the shapes of what it takes or returns.
"""

import importlib
import inspect
import pathlib
import pkgutil
import re

import pytest

import lstm_course

ROOT = pathlib.Path(__file__).resolve().parents[1]
API_PAGES = ROOT / "book" / "api"
BUILT = ROOT / "_build" / "html" / "book" / "api"
NOT_API = {"lstm_course.__main__"}
# shapes as the book writes them: (T, B, D), (H,), (num_layers*num_directions, B, H), (K, V), ...
SHAPE = re.compile(r"\((?:\.\.\.|…|[A-Z][\w']*|\d+|num_\w+|len\(\w+\))(?:\s*[-+*]\s*\w+)*(?:\s*,\s*[\w'()*+ -]*)*,?\)"
                   r"|any shape|same shape|scalar|shape of")
# modules whose functions take and return arrays: their docstrings must give shapes
NUMERICAL = ("lstm_course.numpy_impl", "lstm_course.torch_impl", "lstm_course.convert", "lstm_course.params",
             "lstm_course.optim", "lstm_course.sampling", "lstm_course.gradcheck")


def public_modules():
    names = ["lstm_course"]
    for info in pkgutil.walk_packages(lstm_course.__path__, "lstm_course."):
        if not any(part.startswith("_") for part in info.name.split(".")) and info.name not in NOT_API:
            names.append(info.name)
    return names


def public_names(module):
    """(dotted name, object) of the public functions and classes a module defines or lists in ``__all__``."""
    listed = getattr(module, "__all__", None)
    for name, obj in vars(module).items():
        if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
            continue
        if listed is not None and name not in listed:
            continue
        if listed is None and getattr(obj, "__module__", None) != module.__name__:
            continue  # imported from elsewhere: documented where it is defined
        yield f"{module.__name__}.{name}", obj


def documented_modules():
    text = "\n".join(page.read_text() for page in API_PAGES.glob("*.md"))
    return set(re.findall(r"\.\. automodule:: (\S+)", text))


def covering_package(module_name, documented):
    """The documented package whose ``__all__`` is the public face of ``module_name``, if any."""
    for package in documented:
        if module_name.startswith(package + ".") and hasattr(importlib.import_module(package), "__all__"):
            return package
    return None


@pytest.mark.parametrize("module_name", public_modules())
def test_every_public_module_is_in_the_api_reference(module_name):
    documented = documented_modules()
    module = importlib.import_module(module_name)
    if module_name in documented or not list(public_names(module)):
        return
    assert covering_package(module_name, documented), (
        f"{module_name} defines public names but book/api/*.md has no automodule for it or for a package "
        "that re-exports it through __all__")


def _anchors():
    if not BUILT.is_dir():
        pytest.skip("the book is not built: run `make book` first (make test does)")
    return set(re.findall(r'<dt class="sig sig-object py" id="([\w.]+)"', "".join(
        page.read_text() for page in BUILT.glob("*.html"))))


@pytest.mark.parametrize("module_name", sorted(documented_modules()))
def test_every_public_function_and_class_has_an_entry_in_the_built_reference(module_name):
    anchors = _anchors()
    missing = [dotted for dotted, _ in public_names(importlib.import_module(module_name)) if dotted not in anchors]
    assert not missing, f"not in the built API reference: {missing}"


@pytest.mark.parametrize("module_name", [m for m in sorted(documented_modules()) if m.startswith(NUMERICAL)])
def test_every_public_numerical_function_has_a_docstring_with_shapes(module_name):
    module = importlib.import_module(module_name)
    problems = []
    for dotted, obj in public_names(module):
        doc = inspect.getdoc(obj) or ""
        if not doc:
            problems.append(f"{dotted}: no docstring")
        elif inspect.isfunction(obj) and not SHAPE.search(doc):
            problems.append(f"{dotted}: the docstring gives no shape")
    assert not problems, "\n".join(problems)
