"""Run records: where ``--save`` writes, what a record holds, and the rules that keep saved runs safe.

A run record is the JSON object ``DIR/NAME.json`` that ``python -m lstm_course
run NAME --save`` writes: ``experiment``, ``command`` (as typed, quoted so that
it splits back into the same arguments), ``version``, ``date``, ``device``,
``quick``, ``seed``, ``options``, ``software`` (Python, NumPy, torch),
``machine`` (:func:`machine` and :func:`cpu_features`: the CPU, AVX-512 and
AVX2, the BLAS and the OpenBLAS kernel that ran, cores and threads),
``wall_seconds`` (how long the run took; records saved before it have none) and
``metrics``. Every record is written atomically (:func:`write_atomically`).

The rules, checked before any work starts (:func:`check_destination`):

- a file that is not a run record (:func:`load_record` refuses it) is never
  replaced, ``--overwrite`` or not;
- a full run is never replaced by a quick one unless ``overwrite``; a record
  without its ``quick`` key counts as a full run;
- the folder must be writable (a temporary file is made and removed there);
  folders that do not exist yet are made only when the record is saved.

Nothing here imports torch at module level: :func:`load_record` needs only the
standard library.
"""

import datetime
import json
import math
import os
import pathlib
import platform
import re
import shlex
import stat
import tempfile
import uuid

from . import __version__

REQUIRED = ("experiment", "command", "metrics")


def default_results_dir():
    """``book/results`` of the checkout this package runs from (``$LSTM_COURSE_RESULTS`` first); None outside one."""
    if os.environ.get("LSTM_COURSE_RESULTS"):
        return pathlib.Path(os.environ["LSTM_COURSE_RESULTS"])
    root = pathlib.Path(__file__).resolve().parents[1]
    if (root / "_toc.yml").is_file() and (root / "book").is_dir():
        return root / "book" / "results"
    return None


def saved_results_dir():
    """Where the saved runs the book reads are: ``book/results`` of a checkout (see :func:`default_results_dir`),
    else the copy a wheel ships inside the package (``lstm_course/results``); None when there is neither."""
    folder = default_results_dir()
    if folder is not None:
        return folder
    shipped = pathlib.Path(__file__).resolve().parent / "results"
    return shipped if shipped.is_dir() else None


def load_seed_study(path):
    """Read a seed study (``NAME-seeds.json``, written by ``lstm_course.experiments.seeds``), or refuse a file
    that is not one: a dict with ``experiment``, ``per_seed`` and ``summary``. Errors are one line."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no seed study at {path}")
    try:
        study = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path} is not a readable JSON seed study ({error})") from None
    missing = [k for k in ("experiment", "per_seed", "summary") if not isinstance(study, dict) or k not in study]
    if missing:
        raise ValueError(f"{path} is not a seed study: it lacks {', '.join(missing)}")
    return study


def saved(name, results_dir=None):
    """The saved run ``NAME.json`` that the book reads, wherever the package runs from.

    Parameters
    ----------
    name : str
        The record's name, e.g. ``"vanishing"`` or ``"translate-en-fr"``; a name ending in ``-seeds`` is a
        seed study (:func:`load_seed_study`).
    results_dir : path-like, optional
        The folder to read; by default :func:`saved_results_dir`.

    Returns
    -------
    dict
        The record (:func:`load_record`): ``command``, ``metrics`` and the provenance; or the seed study.

    Raises
    ------
    FileNotFoundError
        One line naming where it looked, when no saved run of that name is there.
    ValueError
        One line, when the file is not a run record (or not a seed study).
    """
    folder = pathlib.Path(results_dir) if results_dir is not None else saved_results_dir()
    if folder is None:
        raise FileNotFoundError(f"no saved runs here: this lstm_course is neither a checkout (book/results) nor an "
                                f"installed wheel (lstm_course/results); looked for {name}.json")
    return (load_seed_study if name.endswith("-seeds") else load_record)(folder / f"{name}.json")


def write_atomically(path, write):
    """Call ``write(tmp_path)`` on a unique temporary file beside ``path``, then rename it over ``path``.

    An interrupted write never leaves a half-written file, and two runs writing
    at once never share a temporary file. Missing folders above ``path`` are made.
    """
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:12]}.tmp")  # unique per write
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def check_path_text(path, flag):
    """Refuse an empty path, one that is only or begins/ends with whitespace, or one with a NUL (``ValueError``)."""
    text = os.fspath(path)
    if not text.strip():
        raise ValueError(f"{flag} must name a path; got {text!r}")
    if text != text.strip():
        raise ValueError(f"{flag} {text!r} begins or ends with whitespace; quote the path without it")
    if "\0" in text:
        raise ValueError(f"{flag} {text!r} holds a NUL character, which no path can hold")


def file_kind(path):
    """What is at ``path``, in words: None when nothing is; otherwise e.g. ``"a directory"``, ``"a text file"``.

    Never opens a named pipe or a device (it looks at the ``stat`` type first),
    and reads at most 512 bytes of a regular file.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):  # nothing is there (or can be: a component is a file)
        return None
    except PermissionError:
        return "a path that cannot be looked at (permission denied)"
    except OSError as error:  # e.g. a component is a file: NotADirectoryError
        return f"a path that cannot be looked at ({error.strerror or error})"
    for test, words in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return words
    try:
        with open(path, "rb") as file:
            head = file.read(512)
    except PermissionError:
        return "a file that cannot be read (permission denied)"
    except OSError as error:
        return f"a file that cannot be read ({error.strerror or error})"
    if not head:
        return "an empty file"
    for magic, words in ((b"PK\x03\x04", "a zip archive"), (b"\x93NUMPY", "a .npy array file"),
                         (b"\x80", "a Python pickle"), (b"\x89HDF", "an HDF5 file")):
        if head.startswith(magic):
            return words
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        text = head[:error.start].decode("utf-8") if error.start > len(head) - 4 else None
    if text is None or "\0" in text:
        return "a binary file"
    return "a JSON file" if text.lstrip().startswith(("{", "[")) else "a text file"


def check_writable_folder(path, flag):
    """The folder that would hold ``path``: its nearest existing ancestor must be a directory we can write into.

    Makes and removes one temporary file there, so read-only folders, and
    permissions the process lacks, are found before any work. Creates nothing.

    Raises
    ------
    ValueError
        Naming ``flag``, the path and what is wrong.
    """
    folder = next((parent for parent in pathlib.Path(path).absolute().parents if os.path.lexists(parent)), None)
    if folder is None:
        return
    if not folder.is_dir():
        raise ValueError(f"{flag} {path} cannot be made: {folder} is a file, so no folder can be made there")
    try:
        fd, probe = tempfile.mkstemp(prefix=".lstm_course-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as error:
        raise ValueError(f"{flag} {path}: cannot write into {folder} ({error.strerror or error}); "
                         "choose a folder you can write to") from None


def load_record(path, experiment=None):
    """Read a run record, or refuse a file that is not one.

    Parameters
    ----------
    path : str or path-like
    experiment : str, optional
        The experiment the record must be of.

    Returns
    -------
    dict
        The record; ``quick`` is filled in as False (a full run) when missing.

    Raises
    ------
    FileNotFoundError
        Nothing at ``path``.
    ValueError
        One line: not readable, not JSON, not an object, missing one of
        ``REQUIRED`` (experiment, command, metrics), ``metrics`` not an object, or another experiment.
    """
    kind = file_kind(path)
    if kind is None:
        raise FileNotFoundError(f"no run record at {path}")
    if kind not in ("a JSON file", "a text file"):
        raise ValueError(f"{path} is {kind}, not a run record")
    try:
        record = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else error
        raise ValueError(f"{path} is not a run record: not JSON ({reason})") from None
    except OSError as error:
        raise ValueError(f"{path} cannot be read ({error.strerror or error})") from None
    if not isinstance(record, dict):
        raise ValueError(f"{path} is not a run record: it holds a JSON {type(record).__name__}, not an object")
    missing = [key for key in REQUIRED if key not in record]
    if missing:
        raise ValueError(f"{path} is not a run record: it lacks {', '.join(repr(key) for key in missing)}")
    if not isinstance(record["metrics"], dict) or not isinstance(record["command"], str):
        raise ValueError(f"{path} is not a run record: 'metrics' must be an object and 'command' a string")
    if experiment is not None and record["experiment"] != experiment:
        raise ValueError(f"{path} is a run record of {record['experiment']!r}, not of {experiment!r}")
    return {**record, "quick": bool(record.get("quick", False))}  # a record without 'quick' is a full run


def check_destination(target, experiment, quick, overwrite, flag="--save"):
    """Check, before the run, that a record of ``experiment`` may be saved at ``target``.

    Raises
    ------
    ValueError
        ``target`` is not a run record of ``experiment`` (never replaced), or
        holds a full run and ``quick`` without ``overwrite``, or its folder
        cannot be written.
    """
    kind = file_kind(target)
    if kind is not None:
        try:
            saved = load_record(target, experiment)
        except (FileNotFoundError, ValueError) as error:
            raise ValueError(f"{error}; {flag} never replaces it, --overwrite or not: move it, "
                             "or choose another --results DIR") from None
        if quick and not saved["quick"] and not overwrite:
            raise ValueError(f"{target} holds a full run; a --quick run does not replace it. "
                             "Pass --overwrite to replace it, or --results DIR to save elsewhere")
    check_writable_folder(target, "--results")


def cpu_features():
    """``{"avx512": bool, "avx2": bool}`` from the CPU flags the kernel reports; None each where it reports none."""
    try:
        with open("/proc/cpuinfo") as info:
            flags = next((set(line.split(":", 1)[1].split()) for line in info if line.startswith("flags")), None)
    except OSError:
        flags = None
    if flags is None:
        return {"avx512": None, "avx2": None}
    return {"avx512": "avx512f" in flags, "avx2": "avx2" in flags}


def machine():
    """What the numbers depend on, beyond the core count: CPU, vector units, and which BLAS runs which kernels.

    Returns
    -------
    dict
        ``cpu`` (the model name the kernel reports, or None),
        ``torch_cpu_capability`` (the widest vector unit PyTorch's own kernels
        use, e.g. ``"AVX512"``), ``torch_blas`` (the BLAS behind
        ``torch.matmul``, e.g. ``"mkl"``), ``numpy_blas`` (name and version) and
        ``openblas_core`` (the kernel family OpenBLAS chose at run time, e.g.
        ``"Haswell"`` for AVX2, or None where NumPy does not use OpenBLAS).
        The torch entries are None where torch is not installed.
    """
    import ctypes

    import numpy as np

    cpu = None
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), None)
    except OSError:
        pass
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    core = None
    try:  # the OpenBLAS that NumPy loaded, found among this process's mapped libraries
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line})
        for path in paths:
            library = ctypes.CDLL(path)
            for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename"):
                if hasattr(library, symbol):
                    function = getattr(library, symbol)
                    function.restype = ctypes.c_char_p
                    core = function().decode()
                    break
            if core:
                break
    except OSError:
        pass
    capability = torch_blas = None
    torch = _torch()
    if torch is not None:
        capability = torch.backends.cpu.get_cpu_capability()
        found = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
        torch_blas = found.group(1) if found else None
    return {"cpu": cpu, "torch_cpu_capability": capability, "torch_blas": torch_blas,
            "numpy_blas": f"{blas.get('name', '?')} {blas.get('version', '?')}", "openblas_core": core}


def _torch():
    """The torch module, or None where it is not installed (the NumPy-only paths)."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def provenance(device, threads=None):
    """``{"software": ..., "machine": ...}``: the versions and the machine a record's numbers come from.

    ``threads``: the torch threads the run used, if it fixed them itself (else torch's current count).
    """
    import numpy as np

    software = {"python": platform.python_version(), "numpy": np.__version__, "torch": None}
    details = {**machine(), **cpu_features(), "platform": platform.machine(), "cores": os.cpu_count(),
               "threads": threads, "gpu": None}
    torch = _torch()
    if torch is not None:
        software["torch"] = torch.__version__
        details["threads"] = torch.get_num_threads() if threads is None else threads
        if device == "cuda":
            details["gpu"] = torch.cuda.get_device_name()
    return {"software": software, "machine": details}


def command_line(argv):
    """``python -m lstm_course ARGV``, quoted so that ``shlex.split`` gives ``argv`` back."""
    return shlex.join(["python", "-m", "lstm_course", *argv])


def make_record(experiment, argv, device, quick, seed, options, metrics, threads=None, wall_seconds=None):
    """The run record of one run (see the module docstring); ``argv`` is the command's arguments.

    ``wall_seconds``, when given, is how long the run took on the wall clock (the experiment, not the set-up
    or the save), kept as ``wall_seconds`` beside the metrics, never among them (``reproduce`` does not
    compare it), so that the README's durations can be read from records.
    """
    info = provenance(device, threads)
    details = info["machine"]
    detail = details["gpu"] or (f"{details['platform']}, {details['cores']} CPU cores, "
                                f"{details['threads']} torch threads")
    record = {"experiment": experiment, "command": command_line(argv), "version": __version__,
              "date": datetime.date.today().isoformat(), "device": device, "device_detail": detail,
              "quick": bool(quick), "seed": seed, "options": options, **info}
    if isinstance(metrics.get("steps"), int):
        record["steps"] = metrics["steps"]
    if wall_seconds is not None:
        record["wall_seconds"] = round(float(wall_seconds), 1)
    return {**record, "metrics": metrics}


def save_record(target, record):
    """Write ``record`` to ``target`` as indented JSON, atomically (folders above it are made now)."""
    text = json.dumps(record, indent=2) + "\n"
    write_atomically(target, lambda tmp: pathlib.Path(tmp).write_text(text, encoding="utf-8"))


# --- comparing a rerun with its record ------------------------------------------------------------------------

TIMING = re.compile(r"(?:^|_)(?:seconds?|ms|time|gflops)(?:_|$)")
DEFAULT_RTOL, DEFAULT_ATOL = 1e-6, 1e-9


def is_timing(name):
    """Whether metric ``name`` (a path such as ``shapes[0].ms.nn``) is a timing: shown, never compared."""
    return any(TIMING.search(part) for part in re.split(r"[.\[\]]+", name) if part)


def flatten(metrics, prefix=""):
    """``{path: leaf}`` of nested dicts and lists: ``{"a": {"b": [1, 2]}}`` -> ``{"a.b[0]": 1, "a.b[1]": 2}``."""
    if isinstance(metrics, dict) and metrics:
        items = {}
        for key, value in metrics.items():
            items.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return items
    if isinstance(metrics, list) and metrics:
        items = {}
        for k, value in enumerate(metrics):
            items.update(flatten(value, f"{prefix}[{k}]"))
        return items
    return {prefix: metrics}


def tolerance_for(name, tolerances):
    """The stated absolute tolerance of metric ``name``: the longest key of ``tolerances`` it starts with.

    Returns ``(atol, rtol)``: ``(tolerances[key], 0)`` for a stated one, the
    default ``(1e-9, 1e-6)`` otherwise, or ``None`` (shown, not compared) for
    a timing or a key whose stated tolerance is None.
    """
    keys = [key for key in tolerances if name.startswith(key)]
    if keys:
        atol = tolerances[max(keys, key=len)]
        return None if atol is None else (float(atol), 0.0)
    return None if is_timing(name) else (DEFAULT_ATOL, DEFAULT_RTOL)


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def compare_metrics(saved, now, tolerances=None):
    """Every leaf metric of ``saved`` against ``now``: a list of rows, one per leaf of either.

    Each row is a dict: ``metric``, ``saved``, ``now``, ``difference`` (None
    when not numbers), ``tolerance`` (``"abs 0.01"``, ``"rel 1e-06 + abs 1e-09"``,
    or ``"not compared"``) and ``ok`` (True, False, or None for a metric shown
    but not compared). Numbers agree within ``atol + rtol * |saved|`` (NaN agrees
    with NaN); anything else must be equal. A leaf the saved record has and the
    rerun lacks is not ok, and so is a leaf added to one of the record's metrics
    (a list that grew). A metric the record does not have at all was added to
    the code after the record was made: shown (``"new since the record"``), not
    compared.
    """
    tolerances = tolerances or {}
    saved, now = flatten(saved), flatten(now)
    rows = []
    def top(name):  # the metric a leaf belongs to: "curve" for "curve[3].accuracy"
        return re.split(r"[.\[]", name, maxsplit=1)[0]

    saved_tops = {top(name) for name in saved}
    for name in list(saved) + [name for name in now if name not in saved]:
        old, new = saved.get(name, "(absent)"), now.get(name, "(absent)")
        tol = tolerance_for(name, tolerances)
        difference = new - old if _number(old) and _number(new) else None
        new_metric = name not in saved and top(name) not in saved_tops  # gained by the code since
        if new_metric:
            ok, tol = None, None
        elif name not in saved:
            ok = False  # a list or a dict of the record's that grew
        elif name not in now:
            ok = False
        elif tol is None:
            ok = None
        elif difference is not None:
            both_nan = isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new)
            ok = both_nan or abs(difference) <= tol[0] + tol[1] * abs(old)
        else:
            ok = old == new
        if new_metric:
            words = "new since the record"
        else:
            words = "not compared" if tol is None else (f"abs {tol[0]:g}" if not tol[1] else
                                                        f"rel {tol[1]:g} + abs {tol[0]:g}")
        rows.append({"metric": name, "saved": old, "now": new, "difference": difference, "tolerance": words,
                     "ok": ok})
    return rows


def format_rows(rows, width=40):
    """The rows of :func:`compare_metrics` as a plain-text table (values shortened to ``width`` characters)."""
    def cell(value):
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        return text if len(text) <= width else text[:width - 3] + "..."

    header = ("metric", "saved", "now", "difference", "tolerance", "ok")
    table = [header] + [(row["metric"], cell(row["saved"]), cell(row["now"]),
                         "" if row["difference"] is None else f"{row['difference']:.3g}", row["tolerance"],
                         {True: "ok", False: "MOVED", None: "-"}[row["ok"]]) for row in rows]
    widths = [max(len(line[k]) for line in table) for k in range(len(header))]
    return "\n".join("  ".join(text.ljust(w) for text, w in zip(line, widths)).rstrip() for line in table)
