"""Which package functions a chapter uses, and whether its prose links them to the API reference.

``python tests/api_links.py book/NN_x.ipynb ...`` adds the links: the first backticked mention of
each imported name in the chapter's markdown becomes a ``{py:func}``/``{py:class}`` role; names the
prose never mentions go in ONE closing bullet under "Further reading" ("The code of this chapter:
...", docs/COMMON convention): no plumbing lines in the reading path.
``tests/test_api_links.py`` checks the result.
"""

import ast
import importlib
import inspect
import json
import pathlib
import re
import sys

API_PAGES = pathlib.Path(__file__).resolve().parents[1] / "book" / "api"


def documented_modules():
    """Modules rendered by an ``automodule`` directive of the API reference."""
    text = "\n".join(page.read_text(encoding="utf-8") for page in API_PAGES.glob("*.md"))
    return set(re.findall(r"\.\. automodule:: (\S+)", text))


def imported_names(notebook):
    """``{name: (dotted target, role, index of the first importing cell)}`` of the public functions and
    classes of ``lstm_course`` that the chapter's code imports by name."""
    found, documented = {}, documented_modules()
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(line for line in "".join(cell["source"]).splitlines(keepends=True)
                                     if not line.lstrip().startswith(("%", "!"))))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("lstm_course")):
                continue
            if any(part.startswith("_") for part in node.module.split(".")):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                obj = getattr(module, alias.name, None)
                if alias.name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                    continue
                if alias.name in found:
                    continue
                target = None
                for owner in (node.module, obj.__module__):
                    listed = getattr(importlib.import_module(owner), "__all__", None)
                    if owner in documented and (listed is None or alias.name in listed):
                        target = f"{owner}.{alias.name}"
                        break
                if target is None:
                    continue  # not part of the documented API (a reference answer, say)
                role = "py:class" if inspect.isclass(obj) else "py:func"
                found[alias.asname or alias.name] = (target, role, index)
    return found


CLOSING = "- The code of this chapter: "


def _add_to_closing_bullet(cells, roles, path):
    """Append ``roles`` to the chapter's "The code of this chapter" bullet under Further reading,
    creating the bullet (at the end of that section) if it is absent."""
    for cell in cells:
        text = "".join(cell["source"])
        if cell["cell_type"] != "markdown" or "## Further reading" not in text:
            continue
        start = text.index("## Further reading")
        if CLOSING in text[start:]:
            at = text.index(CLOSING, start)
            line_end = text.find("\n", at)
            line_end = len(text) if line_end < 0 else line_end
            bullet = text[at:line_end].rstrip().rstrip(".")
            text = text[:at] + bullet + ", " + ", ".join(roles) + "." + text[line_end:]
        else:
            following = re.search(r"\n#{1,2} ", text[start + 3:])
            cut = start + 3 + following.start() if following else len(text)
            text = text[:cut].rstrip("\n") + "\n" + CLOSING + ", ".join(roles) + "." + text[cut:]
        cell["source"] = text.splitlines(keepends=True)
        return
    raise SystemExit(f"{path}: no '## Further reading' section to hold: {', '.join(roles)}")


def link(path):
    notebook = json.loads(open(path, encoding="utf-8").read())
    names = imported_names(notebook)
    linked = set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        for name, (target, role, _) in names.items():
            if name in linked:
                continue
            pattern = re.compile(r"(?<![`{\w])`" + re.escape(name) + r"(\(\))?`")
            match = pattern.search(text)
            if match and "```" not in text[:match.start()].split("\n")[-1]:
                text = text[:match.start()] + f"{{{role}}}`{name}{match.group(1) or ''} <{target}>`" + \
                    text[match.end():]
                linked.add(name)
            elif f"<{target}>`" in text:
                linked.add(name)
        cell["source"] = text.splitlines(keepends=True)
    missing = [f"{{{role}}}`{name} <{target}>`" for name, (target, role, _) in names.items()
               if name not in linked]
    if missing:
        _add_to_closing_bullet(notebook["cells"], missing, path)
    with open(path, "w", encoding="utf-8") as out:
        json.dump(notebook, out, indent=1, ensure_ascii=False)
        out.write("\n")


if __name__ == "__main__":
    for argument in sys.argv[1:]:
        link(argument)
