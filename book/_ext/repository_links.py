"""The book's links to its repository, from one setting: ``repository: url:`` in ``_config.yml``.

Set to the repository's public GitHub address, it turns on the theme's repository and issues buttons and
each chapter's Binder (mybinder.org) and Colab launch buttons, and the ``{repository-links}`` directive
lists the repository, its issues and its releases. Left empty, every one of them is off, and the
directive says so plainly, with the line to set. The theme's own switches in ``_config.yml`` are
overridden, so that the buttons and the links cannot disagree.
"""

from docutils import nodes
from docutils.parsers.rst import Directive

BINDER = "https://mybinder.org"
COLAB = "https://colab.research.google.com"


def repository_url(config):
    """The configured repository address without a trailing slash, or ``""``."""
    return str((config.html_theme_options or {}).get("repository_url") or "").strip().rstrip("/")


def _switch(app, config):
    options = dict(config.html_theme_options or {})
    url = repository_url(config)
    options["repository_url"] = url
    options["use_repository_button"] = options["use_issues_button"] = bool(url)
    launch = dict(options.get("launch_buttons") or {})
    launch["binderhub_url"], launch["colab_url"] = (BINDER, COLAB) if url else ("", "")
    options["launch_buttons"] = launch
    config.html_theme_options = options


class RepositoryLinks(Directive):
    """``{repository-links}``: the repository, its issues and its releases, or one paragraph saying that the
    build has no repository address."""

    def run(self):
        url = repository_url(self.state.document.settings.env.config)
        if not url:
            text = ("This build of the book has no repository address: `repository: url:` in `_config.yml` is "
                    "empty. So it links to no repository, issues or releases, and its chapters have no Binder "
                    "or Colab button. Whoever publishes the repository sets that one line, and the next "
                    "`make book` adds all of them.")
            paragraph = nodes.paragraph()
            for k, part in enumerate(text.split("`")):
                paragraph += nodes.literal(part, part) if k % 2 else nodes.Text(part)
            return [paragraph]
        items = nodes.bullet_list()
        for label, target in (("The repository", url), ("Its issues", f"{url}/issues"),
                              ("Its releases", f"{url}/releases")):
            paragraph = nodes.paragraph()
            paragraph += nodes.Text(f"{label}: ")
            paragraph += nodes.reference(target, target, refuri=target)
            items += nodes.list_item("", paragraph)
        note = nodes.paragraph(text="Each chapter's launch button (the rocket at the top of its page) opens "
                                    "its notebook on Binder or in Colab.")
        return [items, note]


def setup(app):
    app.connect("config-inited", _switch)
    app.add_directive("repository-links", RepositoryLinks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
