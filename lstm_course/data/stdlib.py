"""The installed standard library's own source: real text, offline, the same on every machine with one Python."""

import pathlib
import sysconfig


def stdlib_files(min_chars=2_000, max_chars=40_000):
    """Top-level ``.py`` files of the installed standard library, sorted by name, within a size range.

    Returns
    -------
    list of pathlib.Path
    """
    root = pathlib.Path(sysconfig.get_paths()["stdlib"])
    files = []
    for path in sorted(root.glob("*.py")):
        size = path.stat().st_size
        if min_chars <= size <= max_chars:
            files.append(path)
    return files
