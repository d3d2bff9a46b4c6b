"""The PDF edition (``make pdf``): the solutions go to an appendix, and the web page prints legibly.

- In the LaTeX build, every exercise's solution is moved out of its chapter into an appendix, "Solutions to
  the exercises", in the book's order, each headed by its exercise's number and title; the chapter keeps a
  line saying where it went. The HTML book is not touched (its solutions stay in dropdowns).
- ``static/pdf_edition.css``: a print stylesheet for the page's own print button, so that code and outputs
  wrap instead of being clipped, and no scrollbar is drawn on paper.
"""

import pathlib

from docutils import nodes

APPENDIX = "Solutions to the exercises"


def _title_text(node):
    title = next(iter(node.findall(nodes.title)), None)
    return title.astext() if title is not None else ""


def _solutions_to_appendix(app, doctree, docname):
    if app.builder.name != "latex":
        return
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, solution_node

    solutions = list(doctree.findall(solution_node))
    if not solutions:
        return
    exercises = {node.get("label"): node for kind in (exercise_enumerable_node, exercise_node)
                 for node in doctree.findall(kind)}  # titled "Exercise 3.12.1 (One RNN step)" by now
    doctree += nodes.raw("", f"\\appendix\n\\chapter{{{APPENDIX}}}\n", format="latex")
    doctree += nodes.paragraph(text="The solution of every exercise, in the order of the book. Each is worth "
                                    "trying first: the checkers say what is wrong with an answer.")
    for solution in solutions:
        exercise = exercises.get(solution.get("target_label"))
        heading = f"Solution to {_title_text(exercise)}" if exercise is not None else "Solution"
        solution.replace_self(nodes.paragraph(text=f"Its solution is in the appendix, {APPENDIX}."))
        for title in list(solution.findall(nodes.title))[:1]:
            title.replace_self(nodes.title(text=heading))
        doctree += solution


def _add_static(app):
    static = str(pathlib.Path(__file__).parent / "static")
    if static not in app.config.html_static_path:
        app.config.html_static_path.append(static)
    app.add_css_file("pdf_edition.css", media="print")


def setup(app):
    app.connect("builder-inited", _add_static)
    app.connect("doctree-resolved", _solutions_to_appendix)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
