"""Two small fixes to what Jupyter Book 1 emits, found by the browser tests (tests/test_browser.py).

- sphinx-thebe's inline configuration script is added to every page twice, so the second copy
  throws "Identifier 'THEBE_JS_URL' has already been declared" in the console: keep one copy of
  each script.
- pydata-sphinx-theme logs "Got invalid theme mode" when no default colour mode is set: follow the
  reader's system setting ("auto").
- At phone width, long inline names and API signatures widened the text column: let them wrap
  (``static/book_fixes.css``).
- The bibliography showed alpha labels such as [CvMerrienboerBB14]: an author-year label style
  ("Cho et al. 2014") is registered with pybtex and made the default (``bibtex_default_style``).
- autodoc printed NamedTuple fields as "Alias for field number 0": those generated docstrings are
  dropped (the class docstring's Attributes section documents each field).
- Search opened from the file system: the snippets' fetch() fails there ("Failed to fetch"); the
  results are listed without snippets, with a note saying how to serve the book (``static/book_fixes.js``).
"""

import pathlib
import re


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


def _author_year_style():
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as Unsrt
    from pybtex.style.labels import BaseLabelStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            labels = []
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                names = [" ".join(p.last_names) for p in people] or ["Anon."]
                who = names[0] if len(names) == 1 else (
                    f"{names[0]} and {names[1]}" if len(names) == 2 else f"{names[0]} et al.")
                labels.append(f"{who} {entry.fields.get('year', 'n.d.')}")
            seen = {}
            for label in labels:  # same authors, same year: 2014a, 2014b in the sorted order
                if labels.count(label) > 1:
                    seen[label] = seen.get(label, 0) + 1
                    yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
                else:
                    yield label

    class AuthorYear(Unsrt):
        default_label_style = AuthorYearLabels
        default_sorting_style = "author_year_title"

    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels, force=True)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYear, force=True)


_author_year_style()


def _drop_field_aliases(app, what, name, obj, options, lines):
    if lines and all(re.fullmatch(r"Alias for field number \d+", line.strip()) or not line.strip()
                     for line in lines):
        lines[:] = []


def _skip_field_aliases(app, what, name, obj, skip, options):
    doc = getattr(obj, "__doc__", None) or ""
    if re.fullmatch(r"Alias for field number \d+", doc.strip()):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _drop_field_aliases)
    app.connect("autodoc-skip-member", _skip_field_aliases)
    app.connect("builder-inited", _add_static)
    app.add_css_file("book_fixes.css")
    app.add_js_file("book_fixes.js")  # search over file://: results without snippets, and a note why
    app.connect("html-page-context", _one_copy_of_each_script, priority=100)  # before any handler that returns a template
    return {"parallel_read_safe": True, "parallel_write_safe": True}
