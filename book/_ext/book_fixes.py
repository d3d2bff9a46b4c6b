"""Two small fixes to what Jupyter Book 1 emits, found by the browser tests (tests/test_browser.py).

- sphinx-thebe's inline configuration script is added to every page twice, so the second copy
  throws "Identifier 'THEBE_JS_URL' has already been declared" in the console: keep one copy of
  each script.
- pydata-sphinx-theme logs "Got invalid theme mode" when no default colour mode is set: follow the
  reader's system setting ("auto").
- At phone width, long inline names and API signatures widened the text column: let them wrap
  (``static/book_fixes.css``).
"""

import pathlib


def _one_copy_of_each_script(app, pagename, templatename, context, doctree):
    seen, scripts = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", {})
        key = (str(getattr(script, "filename", script) or ""), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"][:] = scripts  # in place: later handlers (MathJax) append to this list
    if not context.get("default_mode"):
        context["default_mode"] = "auto"


def _add_static(app):
    app.config.html_static_path.append(str(pathlib.Path(__file__).parent / "static"))


def setup(app):
    app.connect("builder-inited", _add_static)
    app.add_css_file("book_fixes.css")
    app.connect("html-page-context", _one_copy_of_each_script, priority=100)  # before any handler that returns a template
    return {"parallel_read_safe": True, "parallel_write_safe": True}
